"""What a push request's ops look up, read once for all of them (`Lookups`), and the rows of its
new records gathered to be written in one statement per table (`Gathered`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from sync.contract import DEVICE_ENTITIES, PARENT_KEYS, Op, named_blobs
from sync.server.auth import Caller
from sync.server.blobs import SHA_RE, BlobStore
from sync.server.db import AppliedOp, BlobRef, Record, Unit


class Redo(Exception):
    """The database refused a gathered row: the request is applied again op by op."""


class Gathered:
    """The rows of a request's new records, their blob references and the answers, gathered to
    be written in one statement per table."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.refs: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []

    def write(self, s: Session) -> None:
        conn = s.connection()
        try:
            tables: tuple[tuple[Any, list[dict[str, Any]]], ...] = (
                (Record.__table__, self.records),  # type: ignore[attr-defined]
                (BlobRef.__table__, self.refs),  # type: ignore[attr-defined]
                (AppliedOp.__table__, self.answers),  # type: ignore[attr-defined]
            )
            for table, rows in tables:
                if rows:
                    conn.execute(insert(table), rows)
                    rows.clear()
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise
            raise Redo(str(exc.orig)) from exc


def creates_record(look: Lookups, op: Op) -> bool:
    """True for an op that would write a new device record and nothing else (see `Gathered`);
    an op_id seen before in the request is answered from the database instead."""
    return (
        op.kind == "upsert"
        and op.entity in DEVICE_ENTITIES
        and op.entity not in ("hazardreport", "taskstep")  # these open or move a task
        and op.op_id not in look.answered_here
        and (op.entity, op.entity_id) not in look.fresh
        and look.record(op.entity, op.entity_id) is None
    )


class Lookups:
    """What a request's ops look up, read for all of them at once before the first op: the
    answers already stored, the records they name or hang under (with their units), and the
    blobs the caller may use. The reads run inside the request's write transaction, so nothing
    else changes them meanwhile. What the request itself adds is found in the session, or, for
    the new records written with Core, in `fresh` (their agency and unit, all a child needs)."""

    def __init__(self, s: Session, store: BlobStore, caller: Caller, ops: list[Op]) -> None:
        self.s, self.store, self.caller = s, store, caller
        ids = list({op.op_id for op in ops})
        self.priors = {
            row.op_id: row for row in s.exec(select(AppliedOp).where(col(AppliedOp.op_id).in_(ids)))
        }
        self.answered_here: set[str] = set()
        # records this request wrote with Core: (agency, unit) of each, for the ops that hang
        # under them; an op's own are kept only once its savepoint is released
        self.fresh: dict[tuple[str, str], tuple[str, str | None]] = {}
        self._pending: dict[tuple[str, str], tuple[str, str | None]] = {}
        wanted: dict[str, set[str]] = {}
        refs: set[str] = set()
        for op in ops:
            if op.entity not in DEVICE_ENTITIES:
                continue
            wanted.setdefault(op.entity, set()).add(op.entity_id)
            for key, entity in PARENT_KEYS.get(op.entity, ()):  # with the ones `parent_of` names
                parent_id = op.payload.get(key)
                if isinstance(parent_id, str):
                    wanted.setdefault(entity, set()).add(parent_id)
            refs |= blob_refs_of(op) or set()
        # held here: the session's identity map keeps only weak references
        self.records: dict[tuple[str, str], Record] = {}
        unit_ids: set[str] = set()
        for entity, rids in wanted.items():
            rows = s.exec(select(Record).where(Record.entity == entity, col(Record.id).in_(rids)))
            for row in rows:
                self.records[(row.entity, row.id)] = row
                if row.unit_id is not None:
                    unit_ids.add(row.unit_id)
        self.absent = {(e, rid) for e, rids in wanted.items() for rid in rids} - set(self.records)
        for op in ops:
            unit_id = op.payload.get("unit_id")
            if isinstance(unit_id, str):
                unit_ids.add(unit_id)
        # into the session, where `s.get(Unit, …)` finds them without a query
        self.units = s.exec(select(Unit).where(col(Unit.id).in_(unit_ids))).all()
        self.blobs = store.accessible(s, caller, sorted(refs))

    def applied(self, op_id: str) -> AppliedOp | None:
        if op_id in self.answered_here:
            return self.s.get(AppliedOp, op_id)
        return self.priors.get(op_id)

    def record(self, entity: str, rid: str) -> Record | None:
        key = (entity, rid)
        if key in self.absent:
            return None
        row = self.records.get(key)
        if row is not None and row in self.s:  # not one a rolled-back op had added
            return row
        return self.s.get(Record, key)

    def created(self, row: Record) -> None:
        key = (row.entity, row.id)
        self.absent.discard(key)
        self.records[key] = row

    def inserted(self, entity: str, rid: str, agency_id: str, unit_id: str | None) -> None:
        """A record written without an ORM object: `record` reads it back from the transaction
        (and finds nothing when its op's savepoint rolled back)."""
        self.absent.discard((entity, rid))
        self.records.pop((entity, rid), None)
        self._pending[(entity, rid)] = (agency_id, unit_id)

    def changed(self, entity: str, rid: str) -> None:
        self.fresh.pop((entity, rid), None)

    def settle(self, kept: bool) -> None:
        """The op's savepoint was released (kept) or rolled back."""
        if kept:
            self.fresh.update(self._pending)
        self._pending.clear()

    def before(self, entity: str, rid: str) -> Record | None:
        """A record as it was before this request; None when there is none or this request
        wrote it (then it is the caller's own)."""
        key = (entity, rid)
        if key in self.fresh or key in self._pending:
            return None
        return self.record(entity, rid)

    def owner(self, entity: str, rid: str) -> tuple[str, str | None] | None:
        """(agency, unit) of a record, or None when there is none."""
        known = self.fresh.get((entity, rid))
        if known is not None:
            return known
        row = self.record(entity, rid)
        return None if row is None else (row.agency_id, row.unit_id)

    def missing_blobs(self, refs: set[str]) -> set[str]:
        missing = refs - self.blobs
        if missing:  # e.g. referred to by a record of this request: ask the database
            missing -= self.store.accessible(self.s, self.caller, sorted(missing))
        return missing


def blob_refs_of(op: Op) -> set[str] | None:
    """The blobs a record needs: the op's blob_refs plus every ``*_sha256`` field of the payload;
    None when one of them is not a SHA-256."""
    refs = set(op.blob_refs)
    for value in named_blobs(op.payload):
        if not isinstance(value, str):
            return None
        refs.add(value)
    if not all(SHA_RE.match(r) for r in refs):
        return None
    return refs
