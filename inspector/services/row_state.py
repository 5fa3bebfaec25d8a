"""The state of an audited row, as an audit event records it and `verify` checks it.

Each audit event about a record of one of `ROW_TABLES` carries the digest of that row's columns
as the transaction left them (`row_digest`) and the names of the columns it covers (`row_fields`):
a column added by a later migration is not in an older event's list, so it cannot make an
untouched row look edited. The row is read back through SQLAlchemy Core both when the event is
written and when `verify` reads the table, so both see the same values.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Connection, Table, select
from sqlmodel import SQLModel

from inspector.domain.audit import canonical_json
from inspector.store.models import (
    Document,
    Hazard,
    HazardReport,
    Inspection,
    ItemResult,
    NumberBlock,
    Patrol,
    PatrolVisit,
    Photo,
    Task,
)

# records whose every change writes an audit event about them: their state is checked
ROW_TABLES: dict[str, type[SQLModel]] = {
    "inspection": Inspection,
    "item_result": ItemResult,
    "hazard": Hazard,
    "photo": Photo,
    "document": Document,
    "patrol": Patrol,
    "patrolvisit": PatrolVisit,
    "hazardreport": HazardReport,
}
# records that change without an event of their own (a task's state comes from the server, a
# block's next serial moves with each number taken): only that they exist is checked
PRESENCE_TABLES: dict[str, type[SQLModel]] = {"task": Task, "numberblock": NumberBlock}

DIGEST = "row_digest"
FIELDS = "row_fields"
VALUES = "row_values"  # the row's values, when the event's own payload is not the row
BULKY = frozenset({"data"})  # left out of VALUES (a document's frozen text; the digest covers it)


def table_of(entity: str) -> Table | None:
    model = ROW_TABLES.get(entity) or PRESENCE_TABLES.get(entity)
    return None if model is None else model.__table__  # type: ignore[attr-defined]


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return value + 0.0  # never -0.0
    return value


def digest(row: Mapping[Any, Any], fields: list[str]) -> str:
    """SHA-256 over the named columns of a row (a missing column counts as absent, not null)."""
    body = {f: _plain(row[f]) for f in fields if f in row}
    missing = [f for f in fields if f not in row]
    text = canonical_json({"row": body, "missing": missing})
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stamp(
    conn: Connection, entity: str, entity_id: str, payload: Mapping[str, Any]
) -> dict[str, Any]:
    """What an event about this record adds to its payload: `row_digest` and `row_fields`, and
    `row_values` unless the payload is itself the row (so `verify` can say what was changed).
    Empty when the record is not of a checked kind, or has no row."""
    if entity not in ROW_TABLES:
        return {}
    table = table_of(entity)
    assert table is not None
    row = conn.execute(select(table).where(table.c.id == entity_id)).mappings().first()
    if row is None:
        return {}
    fields = sorted(row.keys())
    out: dict[str, Any] = {DIGEST: digest(row, fields), FIELDS: ",".join(fields)}
    if payload.get("id") != entity_id:
        out[VALUES] = {f: _plain(row[f]) for f in fields if f not in BULKY}
    return out


def recorded_values(payload: Mapping[str, Any], entity_id: str) -> Mapping[str, Any]:
    """The row's values as an event recorded them (empty for an event that did not)."""
    values = payload.get(VALUES)
    if isinstance(values, dict):
        return values
    return payload if payload.get("id") == entity_id else {}


def all_rows(conn: Connection, entity: str) -> Iterator[Mapping[Any, Any]]:
    """Every row of a checked table (one query)."""
    table = table_of(entity)
    assert table is not None
    yield from conn.execute(select(table)).mappings()
