"""Township tasks on the server: a grid report opens one (受理), devices' steps move it along the
ladder of inspector.domain.tasks, a 双随机 draw or an administrator assigns them. Every change takes
a change number, so the task flows down to the devices in its area (and so to the reporter)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from inspector.domain.tasks import (
    STEP_ACTIONS,
    TaskKind,
    TaskState,
    is_ahead,
    may_move,
    may_take,
    report_due,
    state_rank,
)
from sync.contract import Reason
from sync.server.auth import Caller
from sync.server.db import Grid, Record, Task, Unit, take_seq, utcnow

SYSTEM = "系统"


def task_row(task: Task) -> dict[str, Any]:
    """A task as it is pulled (the `data` of a change)."""
    return {
        "id": task.id,
        "kind": task.kind,
        "title": task.title,
        "detail": task.detail,
        "source": task.source,
        "unit_id": task.unit_id,
        "township_id": task.township_id,
        "grid_id": task.grid_id,
        "report_id": task.report_id,
        "reporter_id": task.reporter_id,
        "due_date": task.due_date.isoformat() if task.due_date else None,
        "state": task.state,
        "assignee_ids": list(task.assignee_ids),
        "history": list(task.history),
        "created_at": task.created_at.isoformat(),
    }


def history_entry(
    state: str, by: str, note: str, *, moved: bool = True, **extra: Any
) -> dict[str, Any]:
    return {
        "state": state,
        "at": utcnow().isoformat(),
        "by": by,
        "note": note,
        "moved": moved,
        **extra,
    }


def touch(s: Session, task: Task) -> int:
    seq = take_seq(s)
    task.seq = seq
    task.version += 1
    s.add(task)
    return seq


def new_task(
    s: Session,
    *,
    task_id: str,
    agency_id: str,
    unit: Unit | None,
    kind: str,
    title: str,
    detail: str = "",
    source: str = "admin",
    due: date | None = None,
    assignee_ids: list[str] | None = None,
    state: str = TaskState.ACCEPTED,
    grid_id: str | None = None,
    township_id: str | None = None,
    report_id: str | None = None,
    reporter_id: str | None = None,
    note: str = "",
) -> Task:
    """Open a task (in the caller's transaction, with its change number)."""
    task = Task(
        id=task_id,
        agency_id=agency_id,
        township_id=township_id or (unit.township_id if unit else None),
        grid_id=grid_id or (unit.grid_id if unit else None),
        unit_id=unit.id if unit else None,
        kind=kind,
        title=title,
        detail=detail,
        source=source,
        report_id=report_id,
        reporter_id=reporter_id,
        due_date=due,
        state=state,
        assignee_ids=list(assignee_ids or []),
        history=[history_entry(state, SYSTEM, note or TaskState(state).label)],
        seq=take_seq(s),
    )
    s.add(task)
    return task


def open_for_report(s: Session, report: Record, unit: Unit) -> Task:
    """A grid worker's report arrived: the township accepts it (受理) as a task of its area,
    due by the report's urgency. The task's id is the report's, so a resent report opens none."""
    data = report.data
    existing = s.get(Task, report.id)
    if existing is not None:
        return existing
    grid_id = data.get("grid_id") if isinstance(data.get("grid_id"), str) else None
    if grid_id is not None:
        grid = s.get(Grid, grid_id)
        if grid is None or grid.agency_id != report.agency_id:
            grid_id = None
    reported = report.updated_at.date()
    urgency = "urgent" if data.get("urgency") == "urgent" else "normal"
    category = str(data.get("category") or "其他")
    description = str(data.get("description") or "")
    place = str(unit.data.get("name") or "")
    return new_task(
        s,
        task_id=report.id,
        agency_id=report.agency_id,
        unit=unit,
        kind=TaskKind.GRID_REPORT,
        title=f"{place}：{category}隐患（网格上报{'，紧急' if urgency == 'urgent' else ''}）",
        detail=description,
        source="report",
        due=report_due(reported, urgency),
        grid_id=grid_id,
        report_id=report.id,
        reporter_id=report.user_id,
        note=f"乡镇受理网格员上报（编号 {data.get('number') or report.id[:8]}）",
    )


class StepRefused(Exception):
    """The caller may not take this step: `reason` is the push's answer (`forbidden`: not for
    the caller's role; `not_assignee`: the task is assigned to others)."""

    def __init__(self, reason: Reason = "forbidden") -> None:
        super().__init__(reason)
        self.reason = reason


def check_step(task: Task, caller: Caller, step: str) -> None:
    if not may_take(step, caller.role, from_report=task.source == "report"):
        raise StepRefused()
    if caller.role == "grid_worker" and not (
        task.reporter_id == caller.user_id or (task.grid_id and task.grid_id in caller.grid_ids)
    ):
        raise StepRefused()
    if not may_move(caller.role, caller.user_id, list(task.assignee_ids)):
        raise StepRefused("not_assignee")


def take_step(s: Session, task: Task, caller: Caller, data: dict[str, Any]) -> int:
    """Apply a device's step to the task: a step ahead of the state moves it (a grid report is
    closed only after its 核查); any other is kept in the history without moving it."""
    step = str(data.get("step"))
    note = str(data.get("note") or "")
    moved = is_ahead(step, task.state)
    if (
        moved
        and step == TaskState.CLOSED
        and task.source == "report"
        and state_rank(task.state) < state_rank(TaskState.VERIFIED)
    ):
        moved = False
    extra: dict[str, Any] = {"step_id": data.get("id")}
    if isinstance(data.get("inspection_id"), str):
        extra["inspection_id"] = data["inspection_id"]
    assignee = data.get("assignee_id") if step == TaskState.DISPATCHED else None
    if moved:
        task.state = step
        if isinstance(assignee, str) and assignee not in task.assignee_ids:
            task.assignee_ids = [*task.assignee_ids, assignee]
    text = note or STEP_ACTIONS.get(step, step)
    task.history = [
        *task.history,
        history_entry(step, caller.user_name, text, moved=moved, **extra),
    ]
    return touch(s, task)
