"""Pushed ops on units: a field-level patch merged with the server's row (conflicts recorded),
a unit created on a device, a unit deleted (a tombstone); and a unit as it is pulled."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from inspector.util.ids import uuid7
from sync.contract import UNIT_DEFAULTS, UNIT_FIELDS, Op, OpResult, Reason
from sync.server.auth import Caller
from sync.server.db import Conflict, Grid, Township, Unit, take_seq, utcnow
from sync.server.push_answers import answer
from sync.server.units import EDITABLE_FIELDS, InvalidValue, check_value, merge_patch


def apply_unit_op(s: Session, caller: Caller, op: Op) -> tuple[OpResult, int]:
    """Apply an op on a unit: its answer and the change's seq (0: nothing changed)."""
    if op.kind == "patch":
        return _patch_unit(s, caller, op)
    if op.kind == "upsert":
        return _create_unit(s, caller, op)
    return _delete_unit(s, caller, op)


def unit_row(unit: Any) -> dict[str, Any]:
    """A unit (a `Unit` or a row of its table) as it is pulled (the `data` of a change)."""
    row: dict[str, Any] = {**UNIT_DEFAULTS, **unit.data}
    if len(row) != len(UNIT_DEFAULTS):  # a key the contract does not name is not sent
        row = {k: row[k] for k in UNIT_FIELDS}
    row.update(
        id=unit.id,
        agency_id=unit.agency_id,
        township_id=unit.township_id,
        grid_id=unit.grid_id,
        credit_code=unit.credit_code,
        version=unit.version,
        updated_at=unit.updated_at.isoformat(),
        deleted=unit.deleted_at is not None,
    )
    return row


def _patch_unit(s: Session, caller: Caller, op: Op) -> tuple[OpResult, int]:
    sets, base = op.payload.get("set"), op.payload.get("base", {})
    if not isinstance(sets, dict) or not sets or not isinstance(base, dict):
        return answer(op, "rejected", "malformed"), 0
    for field in sets:
        if field not in EDITABLE_FIELDS:
            return answer(op, "rejected", "invalid_value", field), 0
    try:
        clean = {f: check_value(f, v) for f, v in sets.items()}
    except InvalidValue as exc:
        return answer(op, "rejected", "invalid_value", exc.field), 0
    unit = s.get(Unit, op.entity_id)
    if unit is None or not caller.sees_unit(unit):
        return answer(op, "rejected", "out_of_scope"), 0
    if unit.deleted_at is not None:
        return answer(op, "rejected", "deleted", version=unit.version), 0
    merged = merge_patch(unit_row(unit), clean, base)
    seq = 0
    if merged.applied:
        seq = take_seq(s)
        unit.data = {**unit.data, **merged.applied}
        unit.version += 1
        unit.seq = seq
        unit.updated_at = utcnow()
        s.add(unit)
    for c in merged.conflicts:
        s.add(
            Conflict(
                id=uuid7(),
                op_id=op.op_id,
                device_id=caller.device_id,
                user_id=caller.user_id,
                entity="unit",
                entity_id=unit.id,
                field=c.field,
                base_version=op.base_version,
                server_version=unit.version,
                base_value=c.base,
                server_value=c.server,
                device_value=c.device,
            )
        )
    row = unit_row(unit)
    if merged.conflicts:
        fields = ",".join(c.field for c in merged.conflicts)
        return answer(op, "conflict", "field_conflict", fields, version=unit.version, row=row), seq
    return answer(op, "applied", version=unit.version, row=row), seq


def _create_unit(s: Session, caller: Caller, op: Op) -> tuple[OpResult, int]:
    existing = s.get(Unit, op.entity_id)
    if existing is not None:
        if existing.agency_id != caller.agency_id or not caller.sees_unit(existing):
            return answer(op, "rejected", "out_of_scope"), 0
        code: Reason = "deleted" if existing.deleted_at is not None else "exists"
        return answer(op, "rejected", code, version=existing.version), 0
    if op.payload.get("id", op.entity_id) != op.entity_id:
        return answer(op, "rejected", "malformed"), 0
    try:
        data = {
            f: check_value(f, op.payload[f]) if f in op.payload else UNIT_DEFAULTS[f]
            for f in UNIT_FIELDS
        }
        if not data["name"]:
            raise InvalidValue("name", "missing")
    except InvalidValue as exc:
        return answer(op, "rejected", "invalid_value", exc.field), 0
    township = s.get(Township, data["township_id"]) if data["township_id"] else None
    grid = s.get(Grid, data["grid_id"]) if data["grid_id"] else None
    if data["township_id"] and (township is None or township.agency_id != caller.agency_id):
        return answer(op, "rejected", "invalid_value", "township_id"), 0
    if data["grid_id"] and (grid is None or grid.township_id != data["township_id"]):
        return answer(op, "rejected", "invalid_value", "grid_id"), 0
    unit = Unit(
        id=op.entity_id,
        agency_id=caller.agency_id,
        township_id=data["township_id"],
        grid_id=data["grid_id"],
        credit_code=data["credit_code"],
        data=data,
    )
    if not caller.sees_unit(unit):
        return answer(op, "rejected", "out_of_scope"), 0
    if (
        unit.credit_code
        and s.exec(
            select(Unit.id).where(
                Unit.agency_id == caller.agency_id, Unit.credit_code == unit.credit_code
            )
        ).first()
    ):
        return answer(op, "rejected", "duplicate_credit_code"), 0
    seq = take_seq(s)
    unit.seq = seq
    s.add(unit)
    s.flush()
    return answer(op, "applied", version=unit.version, row=unit_row(unit)), seq


def _delete_unit(s: Session, caller: Caller, op: Op) -> tuple[OpResult, int]:
    unit = s.get(Unit, op.entity_id)
    if unit is None or not caller.sees_unit(unit):
        return answer(op, "rejected", "out_of_scope"), 0
    if caller.role != "admin":
        return answer(op, "rejected", "forbidden"), 0
    if unit.deleted_at is not None:
        return answer(op, "applied", version=unit.version), 0
    seq = tombstone_unit(s, unit)
    return answer(op, "applied", version=unit.version), seq


def tombstone_unit(s: Session, unit: Unit) -> int:
    """Soft-delete a unit (its id is never reused); the tombstone flows through the pull."""
    seq = take_seq(s)
    unit.deleted_at = utcnow()
    unit.version += 1
    unit.seq = seq
    unit.updated_at = unit.deleted_at
    s.add(unit)
    return seq
