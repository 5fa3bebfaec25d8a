"""What a write changed (`Changes`) and the one result type of every service write (`Done`),
handed to the UI so the pages that show the changed records refresh (no widget polls)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar


@dataclass(frozen=True)
class Changes:
    units: frozenset[str] = field(default_factory=frozenset)
    inspections: frozenset[str] = field(default_factory=frozenset)
    hazards: frozenset[str] = field(default_factory=frozenset)
    photos: frozenset[str] = field(default_factory=frozenset)
    documents: frozenset[str] = field(default_factory=frozenset)
    reference: bool = False  # agencies, users, checklists

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.units | other.units,
            self.inspections | other.inspections,
            self.hazards | other.hazards,
            self.photos | other.photos,
            self.documents | other.documents,
            self.reference or other.reference,
        )

    @property
    def empty(self) -> bool:
        return not (
            self.units
            or self.inspections
            or self.hazards
            or self.photos
            or self.documents
            or self.reference
        )


# A sync run reports that units changed, not which: a marker id in `units` asks for a reload
SOME_UNITS = frozenset({"*"})


def after_sync(units_changed: bool) -> Changes:
    """What a sync run (or a settled conflict) changed, as far as the pages need to know."""
    return Changes(units=SOME_UNITS if units_changed else frozenset(), reference=True)


T = TypeVar("T")


@dataclass(frozen=True)
class Done(Generic[T]):
    """What every service write returns: its result (`value`; None when there is none) and what
    it changed. The UI's task runner hands `value` to the caller and announces `changes` once."""

    value: T
    changes: Changes = field(default_factory=Changes)


def done(changes: Changes) -> Done[None]:
    """A write with nothing to hand back but what it changed."""
    return Done(None, changes)
