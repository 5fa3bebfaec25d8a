"""Applying pushed ops: each op in its own savepoint together with its applied_ops row, one
transaction per request.

Result statuses (sync.contract): applied | duplicate | conflict | rejected | retry.
- duplicate: the op_id was answered before with the same payload from the same device; the stored
  result comes back with ``status="duplicate"`` and ``reason`` = the first answer's status (plus
  ``:reason`` when it had one), e.g. ``"applied"`` or ``"conflict:field_conflict:contact_phone"``.
- retry answers (missing_blobs, missing_parent) are not stored: the op is sent again later.
- rejected reasons: idempotency_key_reused, payload_hash_mismatch, invalid_text, unknown_entity,
  unsupported_kind, malformed, invalid_value:<field>, out_of_scope, deleted, exists,
  duplicate_credit_code, forbidden, immutable, not_owner (a device record changed, or a record
  hung under one, by someone other than its creator without a grant: `sync.server.ownership`),
  not_assignee (a step on a task assigned to others).
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from inspector.util.ids import uuid7
from sync.contract import (
    DEVICE_ENTITIES,
    PARENT_KEYS,
    UNIT_DEFAULTS,
    UNIT_FIELDS,
    Op,
    OpResult,
    changed_fields,
    named_blobs,
    payload_digest,
)
from sync.server.auth import Caller
from sync.server.blobs import SHA_RE, BlobStore
from sync.server.db import (
    AppliedOp,
    BlobRef,
    Conflict,
    Grid,
    Record,
    Task,
    Township,
    Unit,
    reserve_seqs,
    take_seq,
    utcnow,
    write_session,
)
from sync.server.failpoints import failpoint
from sync.server.hazard_fold import refold_pushed
from sync.server.ownership import add_refusal, change_refusal
from sync.server.tasks import StepRefused, check_step, open_for_report, take_step
from sync.server.units import (
    EDITABLE_FIELDS,
    InvalidValue,
    check_value,
    merge_patch,
)

log = logging.getLogger("inspector.server.push")

# how a device record finds its unit: directly, or through its parent record (a photo through
# the first of its parents it names); a patrol belongs to its grid, a task step to its task
_PARENT: dict[str, tuple[str, str]] = {
    "item_result": ("inspection_id", "inspection"),
    "hazardevent": ("hazard_id", "hazard"),
    "signature": ("document_id", "document"),
}
_PHOTO_PARENTS = (
    ("inspection_id", "inspection"),
    ("visit_id", "patrolvisit"),
    ("report_id", "hazardreport"),
)
_DIRECT_UNIT = ("inspection", "hazard", "document", "patrolvisit", "hazardreport", "owntask")
# grid workers issue no enforcement documents and keep no inspection plan
_ISSUER_ONLY = ("document", "signature", "owntask")


def parent_of(op: Op) -> tuple[str, str] | None:
    """(payload key, entity) of the record an op's record hangs under; None when it has none."""
    if op.entity in _DIRECT_UNIT or op.entity in ("patrol", "taskstep"):
        return None
    if op.entity == "photo":
        for key, entity in _PHOTO_PARENTS:
            if op.payload.get(key) is not None:
                return key, entity
    return _PARENT.get(op.entity, ("inspection_id", "inspection"))


# what may still change on an issued document (voiding, print count)
_DOCUMENT_MUTABLE = frozenset({"status", "void_reason", "voided_at", "print_count"})
_BIGINT = 2**62
# records that are never changed once sent (a grid report opens a task; a step moves one)
_APPEND_ONLY = ("hazardreport", "taskstep")


def bad_text(value: Any) -> bool:
    """True when a string inside has a NUL or a lone surrogate (PostgreSQL and UTF-8 refuse both)."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(bad_text(k) or bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(bad_text(v) for v in value)
    if isinstance(value, float):
        return value != value or value in (float("inf"), float("-inf"))
    if isinstance(value, int) and not isinstance(value, bool):
        return not -_BIGINT < value < _BIGINT
    return False


class _Abort(Exception):
    """Roll the op's transaction back and answer with this result (not stored)."""

    def __init__(self, result: OpResult) -> None:
        super().__init__(result.reason)
        self.result = result


def _res(op: Op, status: str, reason: str | None = None, **kw: Any) -> OpResult:
    return OpResult(op_id=op.op_id, status=status, reason=reason, **kw)  # type: ignore[arg-type]


def _stored(row: AppliedOp) -> OpResult:
    r = row.result
    reason = row.status + (f":{r['reason']}" if r.get("reason") else "")
    return OpResult(
        op_id=row.op_id,
        status="duplicate",
        reason=reason,
        version=r.get("version"),
        row=r.get("row"),
    )


def _repeat(prior: AppliedOp, op: Op, caller: Caller, digest: str) -> OpResult:
    same = (
        prior.payload_sha256 == digest
        and prior.device_id == caller.device_id
        and (prior.entity, prior.entity_id, prior.kind) == (op.entity, op.entity_id, op.kind)
    )
    if same:
        return _stored(prior)
    return _res(op, "rejected", "idempotency_key_reused")


def _precheck(op: Op, digest: str) -> OpResult | None:
    """What can be refused without the database."""
    if not digest:
        return _res(op, "rejected", "invalid_text")
    if digest != op.payload_sha256:
        return _res(op, "rejected", "payload_hash_mismatch")
    if op.base_version is not None and not 0 <= op.base_version < _BIGINT:
        return _res(op, "rejected", "malformed")
    return None


def apply_ops(engine: Engine, store: BlobStore, caller: Caller, ops: list[Op]) -> list[OpResult]:
    """Apply a request's ops in order, each at most once; one result per op (never raises for an
    op's content).

    One write transaction for the request. An op that creates a device record (the bulk of a
    push: inspections, photos, hazards …) can be refused only before it writes anything, so its
    rows — the record, its blob references, its answer — are gathered and written with the
    others in one statement per table (`_Gathered`). Every other op runs in a savepoint of its
    own after the gathered rows are written: its effects and its applied_ops row stand or fall
    together, and a refused op rolls back alone. Should the database refuse a gathered row, the
    request is rolled back and applied again op by op, each in its savepoint. A crash before the
    commit loses the whole request's answers and effects together; the device still holds every
    op and sends them again."""
    digests = [payload_digest(op.payload) if not bad_text(op.payload) else "" for op in ops]
    try:
        results = _apply(engine, store, caller, ops, digests, gather=True)
    except _Redo as redo:
        log.warning("push of %d ops applied again op by op: %s", len(ops), redo)
        results = _apply(engine, store, caller, ops, digests, gather=False)
    failpoint("push.after_commit")
    return results


def _apply(
    engine: Engine,
    store: BlobStore,
    caller: Caller,
    ops: list[Op],
    digests: list[str],
    *,
    gather: bool,
) -> list[OpResult]:
    results: list[OpResult] = []
    with write_session(engine) as s:
        reserve_seqs(s, len(ops))
        look = _Lookups(s, store, caller, ops)
        rows = _Gathered() if gather else None
        for op, digest in zip(ops, digests, strict=True):
            new_record = rows is not None and _creates_record(look, op)
            if rows is not None and not new_record:
                rows.write(s)  # what the op may read or change is in the database first
            prior = look.applied(op.op_id)
            if prior is not None:
                results.append(_repeat(prior, op, caller, digest))
                continue
            refused = _precheck(op, digest)
            if refused is not None:
                results.append(refused)
                continue
            if rows is not None and new_record:
                results.append(_apply_gathered(s, look, caller, op, digest, rows))
            else:
                results.append(_apply_in_savepoint(s, look, caller, op, digest))
        if rows is not None:
            rows.write(s)
        refold_pushed(s, caller, ops, results)  # hazard steps of several devices: one fold
        failpoint("push.before_commit")
    return results


class _Redo(Exception):
    """The database refused a gathered row: the request is applied again op by op."""


class _Gathered:
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
            raise _Redo(str(exc.orig)) from exc


def _creates_record(look: _Lookups, op: Op) -> bool:
    """True for an op that would write a new device record and nothing else (see `_Gathered`);
    an op_id seen before in the request is answered from the database instead."""
    return (
        op.kind == "upsert"
        and op.entity in DEVICE_ENTITIES
        and op.entity not in ("hazardreport", "taskstep")  # these open or move a task
        and op.op_id not in look.answered_here
        and (op.entity, op.entity_id) not in look.fresh
        and look.record(op.entity, op.entity_id) is None
    )


class _Lookups:
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


def _apply_in_savepoint(
    s: Session, look: _Lookups, caller: Caller, op: Op, digest: str
) -> OpResult:
    savepoint = s.begin_nested()
    look.answered_here.add(op.op_id)
    try:
        result, seq = _dispatch(s, look, caller, op)
        if result.status == "retry":
            raise _Abort(result)
        s.flush()
        # Core on the session's connection, not an ORM object: building those and the ORM's
        # bulk path took a third of an op's time
        s.connection().execute(
            insert(AppliedOp.__table__),  # type: ignore[attr-defined]
            _answer_row(caller, op, digest, result, seq),
        )
    except _Abort as abort:
        savepoint.rollback()
        look.settle(kept=False)
        return abort.result
    except IntegrityError as exc:
        savepoint.rollback()
        look.settle(kept=False)
        log.warning("op %s hit a constraint: %s", op.op_id, exc.orig)
        return _res(op, "rejected", "constraint")
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise
        savepoint.rollback()
        look.settle(kept=False)
        log.warning("op %s refused by the database: %s", op.op_id, exc.orig)
        return _res(op, "rejected", "invalid_value")
    savepoint.commit()
    look.settle(kept=True)
    return result


def _apply_gathered(
    s: Session, look: _Lookups, caller: Caller, op: Op, digest: str, rows: _Gathered
) -> OpResult:
    """An op that creates a device record: checked now, its rows gathered (no savepoint: it
    writes nothing until `_Gathered.write`, and is refused, if at all, before that)."""
    look.answered_here.add(op.op_id)
    try:
        result, seq = _upsert_record(s, look, caller, op, rows)
    except DBAPIError as exc:  # not expected of reads; the op-by-op pass answers it
        if exc.connection_invalidated:
            raise
        raise _Redo(str(exc.orig)) from exc
    look.settle(kept=result.status != "retry")
    if result.status != "retry":  # a retry is not an answer: the op comes again
        rows.answers.append(_answer_row(caller, op, digest, result, seq))
    return result


def _answer_row(caller: Caller, op: Op, digest: str, result: OpResult, seq: int) -> dict[str, Any]:
    """The applied_ops row that remembers an op's answer."""
    return {
        "op_id": op.op_id,
        "device_id": caller.device_id,
        "user_id": caller.user_id,
        "entity": op.entity,
        "entity_id": op.entity_id,
        "kind": op.kind,
        "payload_sha256": digest,
        "status": result.status,
        "result": result.model_dump(mode="json", exclude={"op_id", "status"}),
        "seq": seq,
        "at": utcnow(),
    }


def _dispatch(s: Session, look: _Lookups, caller: Caller, op: Op) -> tuple[OpResult, int]:
    if op.entity == "unit":
        if op.kind == "patch":
            return _patch_unit(s, caller, op)
        if op.kind == "upsert":
            return _create_unit(s, caller, op)
        return _delete_unit(s, caller, op)
    if op.entity in DEVICE_ENTITIES:
        if op.kind != "upsert":
            return _res(op, "rejected", "unsupported_kind"), 0
        return _upsert_record(s, look, caller, op)
    return _res(op, "rejected", "unknown_entity"), 0


# -- units --------------------------------------------------------------------------------------
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
        return _res(op, "rejected", "malformed"), 0
    for field in sets:
        if field not in EDITABLE_FIELDS:
            return _res(op, "rejected", f"invalid_value:{field}"), 0
    try:
        clean = {f: check_value(f, v) for f, v in sets.items()}
    except InvalidValue as exc:
        return _res(op, "rejected", f"invalid_value:{exc.field}"), 0
    unit = s.get(Unit, op.entity_id)
    if unit is None or not caller.sees_unit(unit):
        return _res(op, "rejected", "out_of_scope"), 0
    if unit.deleted_at is not None:
        return _res(op, "rejected", "deleted", version=unit.version), 0
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
        return _res(op, "conflict", f"field_conflict:{fields}", version=unit.version, row=row), seq
    return _res(op, "applied", version=unit.version, row=row), seq


def _create_unit(s: Session, caller: Caller, op: Op) -> tuple[OpResult, int]:
    existing = s.get(Unit, op.entity_id)
    if existing is not None:
        if existing.agency_id != caller.agency_id or not caller.sees_unit(existing):
            return _res(op, "rejected", "out_of_scope"), 0
        reason = "deleted" if existing.deleted_at is not None else "exists"
        return _res(op, "rejected", reason, version=existing.version), 0
    if op.payload.get("id", op.entity_id) != op.entity_id:
        return _res(op, "rejected", "malformed"), 0
    try:
        data = {
            f: check_value(f, op.payload[f]) if f in op.payload else UNIT_DEFAULTS[f]
            for f in UNIT_FIELDS
        }
        if not data["name"]:
            raise InvalidValue("name", "missing")
    except InvalidValue as exc:
        return _res(op, "rejected", f"invalid_value:{exc.field}"), 0
    township = s.get(Township, data["township_id"]) if data["township_id"] else None
    grid = s.get(Grid, data["grid_id"]) if data["grid_id"] else None
    if data["township_id"] and (township is None or township.agency_id != caller.agency_id):
        return _res(op, "rejected", "invalid_value:township_id"), 0
    if data["grid_id"] and (grid is None or grid.township_id != data["township_id"]):
        return _res(op, "rejected", "invalid_value:grid_id"), 0
    unit = Unit(
        id=op.entity_id,
        agency_id=caller.agency_id,
        township_id=data["township_id"],
        grid_id=data["grid_id"],
        credit_code=data["credit_code"],
        data=data,
    )
    if not caller.sees_unit(unit):
        return _res(op, "rejected", "out_of_scope"), 0
    if (
        unit.credit_code
        and s.exec(
            select(Unit.id).where(
                Unit.agency_id == caller.agency_id, Unit.credit_code == unit.credit_code
            )
        ).first()
    ):
        return _res(op, "rejected", "duplicate_credit_code"), 0
    seq = take_seq(s)
    unit.seq = seq
    s.add(unit)
    s.flush()
    return _res(op, "applied", version=unit.version, row=unit_row(unit)), seq


def _delete_unit(s: Session, caller: Caller, op: Op) -> tuple[OpResult, int]:
    unit = s.get(Unit, op.entity_id)
    if unit is None or not caller.sees_unit(unit):
        return _res(op, "rejected", "out_of_scope"), 0
    if caller.role != "admin":
        return _res(op, "rejected", "forbidden"), 0
    if unit.deleted_at is not None:
        return _res(op, "applied", version=unit.version), 0
    seq = tombstone_unit(s, unit)
    return _res(op, "applied", version=unit.version), seq


def tombstone_unit(s: Session, unit: Unit) -> int:
    """Soft-delete a unit (its id is never reused); the tombstone flows through the pull."""
    seq = take_seq(s)
    unit.deleted_at = utcnow()
    unit.version += 1
    unit.seq = seq
    unit.updated_at = unit.deleted_at
    s.add(unit)
    return seq


# -- device records -----------------------------------------------------------------------------
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


def _record_unit(s: Session, look: _Lookups, caller: Caller, op: Op) -> str | OpResult | None:
    """The unit id a record belongs to (None: a patrol, scoped by its grid), or the answer."""
    p = op.payload
    if op.entity == "patrol":
        grid_id = p.get("grid_id")
        grid = s.get(Grid, grid_id) if isinstance(grid_id, str) else None
        if grid is None or not caller.sees_area(grid.agency_id, grid.township_id, grid.id):
            return _res(op, "rejected", "out_of_scope")
        return None
    if op.entity == "taskstep":
        task_id = p.get("task_id")
        task = s.get(Task, task_id) if isinstance(task_id, str) else None
        if task is None or not task_visible(caller, task):
            return _res(op, "rejected", "out_of_scope")
        if task.unit_id is None:
            return _res(op, "rejected", "invalid_value:task_id")
        return task.unit_id
    if op.entity in _DIRECT_UNIT:
        unit_id = p.get("unit_id")
        if unit_id is None and op.entity == "document":
            pass  # fall through to the inspection below
        elif not isinstance(unit_id, str):
            return _res(op, "rejected", "invalid_value:unit_id")
        else:
            return unit_id
    key, parent_entity = parent_of(op) or ("inspection_id", "inspection")
    parent_id = p.get(key)
    if not isinstance(parent_id, str):
        return _res(op, "rejected", f"invalid_value:{key}")
    parent = look.owner(parent_entity, parent_id)
    if parent is None:
        return _res(op, "retry", "missing_parent")
    agency_id, unit_id = parent
    if agency_id != caller.agency_id or unit_id is None:
        return _res(op, "rejected", "out_of_scope")
    return unit_id


def task_visible(caller: Caller, task: Task) -> bool:
    return task.reporter_id == caller.user_id or caller.sees_area(
        task.agency_id, task.township_id, task.grid_id
    )


def _sees_record(s: Session, caller: Caller, row: Record) -> bool:
    if row.agency_id != caller.agency_id:
        return False
    if row.unit_id is None:
        grid = s.get(Grid, row.grid_id) if row.grid_id else None
        return grid is not None and caller.sees_area(grid.agency_id, grid.township_id, grid.id)
    unit = s.get(Unit, row.unit_id)
    return unit is not None and caller.sees_unit(unit)


def _upsert_record(
    s: Session, look: _Lookups, caller: Caller, op: Op, gather: _Gathered | None = None
) -> tuple[OpResult, int]:
    """Create or update a device record; with `gather`, a new record's rows are gathered there
    instead of written (the caller has checked that the record is new)."""
    p = op.payload
    if p.get("id", op.entity_id) != op.entity_id:
        return _res(op, "rejected", "malformed"), 0
    if op.entity in _ISSUER_ONLY and caller.role == "grid_worker":
        return _res(op, "rejected", "forbidden"), 0
    if p.get("agency_id", caller.agency_id) != caller.agency_id:
        return _res(op, "rejected", "out_of_scope"), 0
    got = _record_unit(s, look, caller, op)
    if isinstance(got, OpResult):
        return got, 0
    unit: Unit | None = None
    if got is not None:
        unit = s.get(Unit, got)
        if unit is None or not caller.sees_unit(unit):
            return _res(op, "rejected", "out_of_scope"), 0
    existing = look.record(op.entity, op.entity_id)
    if existing is not None:
        if not _sees_record(s, caller, existing):
            return _res(op, "rejected", "out_of_scope"), 0
        if existing.data == p:
            return _res(op, "applied", version=existing.version), 0
        refused = change_refusal(s, caller, op, existing)
        if refused is not None:
            return _res(op, "rejected", refused), 0
        if (
            op.entity == "document"
            and existing.data.get("status") in ("issued", "voided")
            and changed_fields(existing.data, p) - _DOCUMENT_MUTABLE
        ):
            return _res(op, "rejected", "immutable", version=existing.version), 0
        if op.entity in _APPEND_ONLY:
            return _res(op, "rejected", "immutable", version=existing.version), 0
    else:
        refused = add_refusal(s, caller, op, look.before)
        if refused is not None:
            return _res(op, "rejected", refused), 0
    refs = blob_refs_of(op)
    if refs is None or (refs and unit is None):
        return _res(op, "rejected", "invalid_value:blob_refs"), 0
    if look.missing_blobs(refs):
        return _res(op, "retry", "missing_blobs"), 0
    task: Task | None = None
    if op.entity == "taskstep":
        task = s.get(Task, p.get("task_id"))
        assert task is not None  # checked by _record_unit
        try:
            check_step(task, caller, str(p.get("step")))
        except StepRefused as refused_step:
            return _res(op, "rejected", refused_step.reason), 0
    seq = take_seq(s)
    known: set[str] = set()
    grid_id = p.get("grid_id") if op.entity == "patrol" else None
    if existing is None:
        row: dict[str, Any] = {
            "entity": op.entity,
            "id": op.entity_id,
            "agency_id": caller.agency_id,
            "unit_id": got,
            "grid_id": grid_id,
            "device_id": caller.device_id,
            "user_id": caller.user_id,
            "data": p,
            "version": 1,
            "seq": seq,
            "updated_at": utcnow(),
        }
        version = 1
        if op.entity == "hazardreport" or task is not None:  # opens or moves a task
            existing = Record(**row)
            look.created(existing)
            s.add(existing)
            if op.entity == "hazardreport" and unit is not None:
                seq = open_for_report(s, existing, unit).seq
            elif task is not None:
                seq = take_step(s, task, caller, p)
        elif gather is not None:  # the common case: written with the request's other records
            gather.records.append(row)
            look.inserted(op.entity, op.entity_id, caller.agency_id, got)
        else:  # Core, as for the op's answer
            s.connection().execute(insert(Record.__table__), row)  # type: ignore[attr-defined]
            look.inserted(op.entity, op.entity_id, caller.agency_id, got)
    else:
        existing.data = p
        existing.version += 1
        existing.seq = seq
        existing.unit_id = got
        existing.grid_id = grid_id
        existing.updated_at = utcnow()
        s.add(existing)
        look.changed(op.entity, op.entity_id)
        version = existing.version
        known = set(
            s.exec(
                select(BlobRef.sha256).where(
                    BlobRef.entity == op.entity,
                    BlobRef.record_id == op.entity_id,
                    col(BlobRef.sha256).in_(refs),
                )
            )
        )
    new_refs = [
        {
            "sha256": sha,
            "entity": op.entity,
            "record_id": op.entity_id,
            "agency_id": caller.agency_id,
            "unit_id": unit.id if unit is not None else None,
        }
        for sha in sorted(refs - known)
    ]
    if new_refs:
        assert unit is not None
        if gather is not None:
            gather.refs.extend(new_refs)
        else:
            s.connection().execute(insert(BlobRef.__table__), new_refs)  # type: ignore[attr-defined]
    return _res(op, "applied", version=version), seq
