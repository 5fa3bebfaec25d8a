"""Unit fields on the server, their validation, and the field-by-field (3-way) merge of A5.5."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inspector.domain import creditcode
from inspector.domain.enums import SUPERVISION_LEVELS, RiskColour, UnitStatus
from inspector.domain.errors import UserError
from sync.contract import UNIT_DEFAULTS, UNIT_FIELDS

# what a field `patch` may change; moving a unit between jurisdictions or changing its credit code
# is an administrator's job on the server
EDITABLE_FIELDS = frozenset(UNIT_FIELDS) - {"credit_code", "township_id", "grid_id"}
_TEXT_LIMITS = {
    "name": 200,
    "address": 300,
    "industry": 30,
    "legal_rep": 50,
    "contact_name": 50,
    "contact_phone": 30,
    "tags": 1000,
}


class InvalidValue(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def check_value(field: str, value: Any) -> Any:
    """The value as stored, or InvalidValue."""
    if field in _TEXT_LIMITS:
        if not isinstance(value, str) or len(value) > _TEXT_LIMITS[field]:
            raise InvalidValue(field, "text expected")
        if field == "name" and not value.strip():
            raise InvalidValue(field, "empty name")
        if field == "tags":
            try:
                tags = json.loads(value)
            except ValueError:
                raise InvalidValue(field, "JSON list expected") from None
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                raise InvalidValue(field, "JSON list of strings expected")
        return value
    if field in ("lat", "lon"):
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidValue(field, "number expected")
        limit = 90 if field == "lat" else 180
        if not -limit <= float(value) <= limit:
            raise InvalidValue(field, "out of range")
        return float(value)
    if field == "status":
        if value not in {s.value for s in UnitStatus}:
            raise InvalidValue(field, "unknown status")
        return value
    if field == "risk_colour":
        if value not in {c.value for c in RiskColour}:
            raise InvalidValue(field, "unknown colour")
        return value
    if field == "supervision_level":
        if value not in SUPERVISION_LEVELS:
            raise InvalidValue(field, "unknown level")
        return value
    if field == "credit_code":
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise InvalidValue(field, "text expected")
        try:
            return creditcode.validate(value).code
        except UserError as exc:
            raise InvalidValue(field, str(exc)) from None
    if field in ("township_id", "grid_id"):
        if value is not None and (not isinstance(value, str) or len(value) > 64):
            raise InvalidValue(field, "id expected")
        return value
    raise InvalidValue(field, "unknown field")


@dataclass(frozen=True)
class FieldConflict:
    field: str
    base: Any
    server: Any
    device: Any


@dataclass(frozen=True)
class MergeResult:
    applied: dict[str, Any]  # field → new value written
    conflicts: list[FieldConflict]


def merge_patch(server: dict[str, Any], sets: dict[str, Any], base: dict[str, Any]) -> MergeResult:
    """For each field: server == base → apply; server == new → nothing to do; otherwise a conflict
    (the server value is kept and the device value recorded)."""
    applied: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    for field, new in sets.items():
        current = server.get(field, UNIT_DEFAULTS.get(field))
        if current == new:
            continue
        if current == base.get(field):
            applied[field] = new
        else:
            conflicts.append(FieldConflict(field, base.get(field), current, new))
    return MergeResult(applied, conflicts)
