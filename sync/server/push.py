"""Applying pushed ops: each op in its own savepoint together with its applied_ops row, one
transaction per request.

Result statuses (sync.contract): applied | duplicate | conflict | rejected | retry.
- duplicate: the op_id was answered before with the same payload from the same device; the stored
  result comes back with ``status="duplicate"`` and ``reason`` = the first answer's status (plus
  ``:reason`` when it had one), e.g. ``"applied"`` or ``"conflict:field_conflict:contact_phone"``.
- retry answers (missing_blobs, missing_parent) are not stored: the op is sent again later.
- the reasons: one code of sync.contract.Reason (with its detail, e.g. invalid_value:<field>);
  not_owner: a device record changed, or a record hung under one, by someone other than its
  creator without a grant (`sync.server.ownership`).

The parts: the answers and what is refused up front (push_answers), what a request looks up and
the rows it gathers (push_lookups), ops on units (push_units); here the request's transaction and
the device records.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from sync.contract import DEVICE_ENTITIES, Op, OpResult, changed_fields, payload_digest
from sync.server.auth import Caller
from sync.server.blobs import BlobStore
from sync.server.db import (
    AppliedOp,
    BlobRef,
    Grid,
    Record,
    Task,
    Unit,
    reserve_seqs,
    take_seq,
    utcnow,
    write_session,
)
from sync.server.failpoints import failpoint
from sync.server.hazard_fold import refold_pushed
from sync.server.ownership import add_refusal, change_refusal
from sync.server.push_answers import Abort, answer, bad_text, precheck, repeat
from sync.server.push_lookups import Gathered, Lookups, Redo, blob_refs_of, creates_record
from sync.server.push_units import apply_unit_op
from sync.server.tasks import StepRefused, check_step, open_for_report, take_step

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
# records that are never changed once sent (a grid report opens a task; a step moves one)
_APPEND_ONLY = ("hazardreport", "taskstep")


def apply_ops(engine: Engine, store: BlobStore, caller: Caller, ops: list[Op]) -> list[OpResult]:
    """Apply a request's ops in order, each at most once; one result per op (never raises for an
    op's content).

    One write transaction for the request. An op that creates a device record (the bulk of a
    push: inspections, photos, hazards …) can be refused only before it writes anything, so its
    rows — the record, its blob references, its answer — are gathered and written with the
    others in one statement per table (`Gathered`). Every other op runs in a savepoint of its
    own after the gathered rows are written: its effects and its applied_ops row stand or fall
    together, and a refused op rolls back alone. Should the database refuse a gathered row, the
    request is rolled back and applied again op by op, each in its savepoint. A crash before the
    commit loses the whole request's answers and effects together; the device still holds every
    op and sends them again."""
    digests = [payload_digest(op.payload) if not bad_text(op.payload) else "" for op in ops]
    try:
        results = _apply(engine, store, caller, ops, digests, gather=True)
    except Redo as redo:
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
        look = Lookups(s, store, caller, ops)
        rows = Gathered() if gather else None
        for op, digest in zip(ops, digests, strict=True):
            new_record = rows is not None and creates_record(look, op)
            if rows is not None and not new_record:
                rows.write(s)  # what the op may read or change is in the database first
            prior = look.applied(op.op_id)
            if prior is not None:
                results.append(repeat(prior, op, caller, digest))
                continue
            refused = precheck(op, digest)
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


def _apply_in_savepoint(s: Session, look: Lookups, caller: Caller, op: Op, digest: str) -> OpResult:
    savepoint = s.begin_nested()
    look.answered_here.add(op.op_id)
    try:
        result, seq = _dispatch(s, look, caller, op)
        if result.status == "retry":
            raise Abort(result)
        s.flush()
        # Core on the session's connection, not an ORM object: building those and the ORM's
        # bulk path took a third of an op's time
        s.connection().execute(
            insert(AppliedOp.__table__),  # type: ignore[attr-defined]
            _answer_row(caller, op, digest, result, seq),
        )
    except Abort as abort:
        savepoint.rollback()
        look.settle(kept=False)
        return abort.result
    except IntegrityError as exc:
        savepoint.rollback()
        look.settle(kept=False)
        log.warning("op %s hit a constraint: %s", op.op_id, exc.orig)
        return answer(op, "rejected", "constraint")
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise
        savepoint.rollback()
        look.settle(kept=False)
        log.warning("op %s refused by the database: %s", op.op_id, exc.orig)
        return answer(op, "rejected", "invalid_value")
    savepoint.commit()
    look.settle(kept=True)
    return result


def _apply_gathered(
    s: Session, look: Lookups, caller: Caller, op: Op, digest: str, rows: Gathered
) -> OpResult:
    """An op that creates a device record: checked now, its rows gathered (no savepoint: it
    writes nothing until `Gathered.write`, and is refused, if at all, before that)."""
    look.answered_here.add(op.op_id)
    try:
        result, seq = _upsert_record(s, look, caller, op, rows)
    except DBAPIError as exc:  # not expected of reads; the op-by-op pass answers it
        if exc.connection_invalidated:
            raise
        raise Redo(str(exc.orig)) from exc
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


def _dispatch(s: Session, look: Lookups, caller: Caller, op: Op) -> tuple[OpResult, int]:
    if op.entity == "unit":
        return apply_unit_op(s, caller, op)
    if op.entity in DEVICE_ENTITIES:
        if op.kind != "upsert":
            return answer(op, "rejected", "unsupported_kind"), 0
        return _upsert_record(s, look, caller, op)
    return answer(op, "rejected", "unknown_entity"), 0


def _record_unit(s: Session, look: Lookups, caller: Caller, op: Op) -> str | OpResult | None:
    """The unit id a record belongs to (None: a patrol, scoped by its grid), or the answer."""
    p = op.payload
    if op.entity == "patrol":
        grid_id = p.get("grid_id")
        grid = s.get(Grid, grid_id) if isinstance(grid_id, str) else None
        if grid is None or not caller.sees_area(grid.agency_id, grid.township_id, grid.id):
            return answer(op, "rejected", "out_of_scope")
        return None
    if op.entity == "taskstep":
        task_id = p.get("task_id")
        task = s.get(Task, task_id) if isinstance(task_id, str) else None
        if task is None or not task_visible(caller, task):
            return answer(op, "rejected", "out_of_scope")
        if task.unit_id is None:
            return answer(op, "rejected", "invalid_value", "task_id")
        return task.unit_id
    if op.entity in _DIRECT_UNIT:
        unit_id = p.get("unit_id")
        if unit_id is None and op.entity == "document":
            pass  # fall through to the inspection below
        elif not isinstance(unit_id, str):
            return answer(op, "rejected", "invalid_value", "unit_id")
        else:
            return unit_id
    key, parent_entity = parent_of(op) or ("inspection_id", "inspection")
    parent_id = p.get(key)
    if not isinstance(parent_id, str):
        return answer(op, "rejected", "invalid_value", key)
    parent = look.owner(parent_entity, parent_id)
    if parent is None:
        return answer(op, "retry", "missing_parent")
    agency_id, unit_id = parent
    if agency_id != caller.agency_id or unit_id is None:
        return answer(op, "rejected", "out_of_scope")
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
    s: Session, look: Lookups, caller: Caller, op: Op, gather: Gathered | None = None
) -> tuple[OpResult, int]:
    """Create or update a device record; with `gather`, a new record's rows are gathered there
    instead of written (the caller has checked that the record is new)."""
    p = op.payload
    if p.get("id", op.entity_id) != op.entity_id:
        return answer(op, "rejected", "malformed"), 0
    if op.entity in _ISSUER_ONLY and caller.role == "grid_worker":
        return answer(op, "rejected", "forbidden"), 0
    if p.get("agency_id", caller.agency_id) != caller.agency_id:
        return answer(op, "rejected", "out_of_scope"), 0
    got = _record_unit(s, look, caller, op)
    if isinstance(got, OpResult):
        return got, 0
    unit: Unit | None = None
    if got is not None:
        unit = s.get(Unit, got)
        if unit is None or not caller.sees_unit(unit):
            return answer(op, "rejected", "out_of_scope"), 0
    existing = look.record(op.entity, op.entity_id)
    if existing is not None:
        if not _sees_record(s, caller, existing):
            return answer(op, "rejected", "out_of_scope"), 0
        if existing.data == p:
            return answer(op, "applied", version=existing.version), 0
        refused = change_refusal(s, caller, op, existing)
        if refused is not None:
            return answer(op, "rejected", refused), 0
        if (
            op.entity == "document"
            and existing.data.get("status") in ("issued", "voided")
            and changed_fields(existing.data, p) - _DOCUMENT_MUTABLE
        ):
            return answer(op, "rejected", "immutable", version=existing.version), 0
        if op.entity in _APPEND_ONLY:
            return answer(op, "rejected", "immutable", version=existing.version), 0
    else:
        refused = add_refusal(s, caller, op, look.before)
        if refused is not None:
            return answer(op, "rejected", refused), 0
    refs = blob_refs_of(op)
    if refs is None or (refs and unit is None):
        return answer(op, "rejected", "invalid_value", "blob_refs"), 0
    if look.missing_blobs(refs):
        return answer(op, "retry", "missing_blobs"), 0
    task: Task | None = None
    if op.entity == "taskstep":
        task = s.get(Task, p.get("task_id"))
        assert task is not None  # checked by _record_unit
        try:
            check_step(task, caller, str(p.get("step")))
        except StepRefused as refused_step:
            return answer(op, "rejected", refused_step.reason), 0
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
    return answer(op, "applied", version=version), seq
