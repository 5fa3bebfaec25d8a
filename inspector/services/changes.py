"""What a write changed, handed to the UI so the visible models refresh (no widget polls)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
