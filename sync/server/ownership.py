"""Who may write a device record: the ownership rules of `sync.contract` (its docstring says them
in full), applied by the push before anything of an op is written.

A stored record is its creator's — the person and the device that first sent it (`Record.user_id`,
`Record.device_id`, never changed afterwards). Seeing a record (scope) is not enough to change it,
nor to hang a new record under it; the grants are the contract's: a supervisor's hazard steps and
document voids, a task assignee's 复查 steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from inspector.domain.enums import HazardStatus
from inspector.domain.hazard_loop import LoopState, may_take_step, steps_behind
from sync.contract import (
    HAZARD_LOOP_FIELDS,
    PARENT_KEYS,
    SUPERVISOR_ROLES,
    Op,
    Reason,
    changed_fields,
    is_void,
)
from sync.server.auth import Caller
from sync.server.db import Record, Task

NOT_OWNER: Reason = "not_owner"

# a record as it was before the request: None when there is none, or the request itself made it
Find = Callable[[str, str], Record | None]


def is_creator(row: Record, caller: Caller) -> bool:
    return row.user_id == caller.user_id and row.device_id == caller.device_id


def is_supervisor(caller: Caller) -> bool:
    return caller.role in SUPERVISOR_ROLES


def assigned_at(s: Session, caller: Caller, unit_id: str | None) -> bool:
    """True when the caller is an assignee of an open task of its agency at this unit."""
    if unit_id is None:
        return False
    rows = s.exec(
        select(Task.assignee_ids).where(
            Task.agency_id == caller.agency_id,
            Task.unit_id == unit_id,
            col(Task.state) != "closed",
        )
    )
    return any(caller.user_id in (ids or []) for ids in rows)


def change_refusal(s: Session, caller: Caller, op: Op, existing: Record) -> Reason | None:
    """Why the caller may not change this stored record to the op's payload (a reason code), or
    None when it may."""
    if is_creator(existing, caller):
        return None
    before, after = existing.data, op.payload
    if op.entity == "hazard":
        if changed_fields(before, after) <= HAZARD_LOOP_FIELDS and _may_set_loop(
            s, caller, existing, after
        ):
            return None
    elif op.entity == "document" and is_supervisor(caller) and is_void(before, after):
        return None
    return NOT_OWNER


def add_refusal(s: Session, caller: Caller, op: Op, find: Find) -> Reason | None:
    """Why the caller may not add this new record under the records its payload names (a reason
    code), or None when it may: every named parent the server holds must be the caller's own,
    except a hazard step a granted person may take (`hazard_loop.may_take_step`)."""
    for key, entity in PARENT_KEYS.get(op.entity, ()):
        parent_id = op.payload.get(key)
        parent = find(entity, parent_id) if isinstance(parent_id, str) else None
        if parent is None or is_creator(parent, caller):
            continue
        if op.entity == "hazardevent" and _may_step(s, caller, parent, op.payload):
            continue
        return NOT_OWNER
    return None


def _may_step(s: Session, caller: Caller, hazard: Record, event: dict[str, Any]) -> bool:
    supervisor = is_supervisor(caller)
    return may_take_step(
        str(event.get("kind")),
        creator=False,
        supervisor=supervisor,
        assignee=not supervisor and assigned_at(s, caller, hazard.unit_id),
        supervised=bool(hazard.data.get("supervised")),
    )


def _may_set_loop(s: Session, caller: Caller, hazard: Record, after: dict[str, Any]) -> bool:
    """A granted person writes a colleague's hazard row only as the steps they may take leave
    it (`hazard_loop.steps_behind`): a supervisor's 销号 closes it, an assignee's 复查 sets
    its status and deadline; neither rewrites what was found."""
    supervisor = is_supervisor(caller)
    assignee = not supervisor and assigned_at(s, caller, hazard.unit_id)
    if not (supervisor or assignee):
        return False
    try:
        steps = steps_behind(_loop(hazard.data), _loop(after))
    except ValueError:  # not a status, not a date
        return False
    supervised = bool(hazard.data.get("supervised"))
    return steps is not None and all(
        may_take_step(step, creator=False, supervisor=supervisor, assignee=assignee,
                      supervised=supervised)
        for step in steps
    )  # fmt: skip


def _loop(data: dict[str, Any]) -> LoopState:
    deadline = data.get("deadline")
    return LoopState(
        status=HazardStatus(str(data.get("status"))),
        deadline=date.fromisoformat(deadline) if isinstance(deadline, str) else None,
        supervised=bool(data.get("supervised")),
    )
