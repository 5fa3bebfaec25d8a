"""The work plan: tasks from the server (pulled) and the inspector's own, the due list, and the
steps a person takes on a task (recorded offline, sent to the server, which moves the task)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from inspector.domain.errors import UserError
from inspector.domain.tasks import (
    INSPECTION_KIND_FOR,
    STEP_ACTIONS,
    TaskKind,
    TaskState,
    is_open,
    may_move,
    next_steps,
)
from inspector.services.changes import Changes, Done, done
from inspector.services.context import Context
from inspector.services.journal import audit, queue, row_payload, to_jsonable
from inspector.services.setting_rows import current_user_id
from inspector.services.textcheck import clean_text
from inspector.store.models import Task, TaskStep, Unit, User
from inspector.util.dates import moment_text
from inspector.util.ids import uuid7


@dataclass(frozen=True)
class TaskRow:
    id: str
    origin: str  # server | self
    kind: str
    title: str
    detail: str
    unit_id: str | None
    unit_name: str
    due_date: date | None
    days_left: int | None  # negative: overdue by that many days
    state: str
    state_label: str
    next_steps: list[tuple[str, str]]  # (step, button label) the signed-in person may take
    inspection_kind: str  # the kind of inspection to start for it
    history: list[dict[str, Any]]
    mine: bool  # assigned to the signed-in person (or their own)

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


class WorkPlanService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def role(self) -> str:
        """The signed-in person's role (inspector, grid_worker, admin); inspector when unknown."""
        with self.ctx.store.read() as s:
            return _role(s)

    def due_list(self, *, include_closed: bool = False) -> list[TaskRow]:
        """Open tasks for the signed-in person, soonest due first (no due date last). An
        inspector sees the tasks of their area that nobody took yet, those assigned to them and
        their own; a grid worker sees the township tasks opened by grid reports."""
        today = self.ctx.clock.today()
        with self.ctx.store.read() as s:
            me = current_user_id(s)
            role = _role(s)
            rows = s.exec(
                select(Task, Unit.name).join(Unit, col(Unit.id) == Task.unit_id, isouter=True)
            ).all()
            out = []
            for task, unit_name in rows:
                if not include_closed and not is_open(task.state):
                    continue
                assignees = json.loads(task.assignee_ids)
                mine = task.created_by == me if task.origin == "self" else me in assignees
                if role == "grid_worker" and task.report_id is None:
                    continue
                if task.origin == "server" and not may_move(role, me, assignees):
                    continue  # another inspector's
                if task.origin == "self" and not mine:
                    continue
                out.append(_row(task, unit_name or "", today, role, mine))
        out.sort(key=lambda r: (r.due_date is None, r.due_date or date.max, r.title))
        return out

    def create_own(
        self, unit_ids: list[str], due: date, kind: str = TaskKind.ROUTINE, note: str = ""
    ) -> Done[None]:
        """The inspector's own plan entries (from the plan builder), one task per unit."""
        if not unit_ids:
            raise UserError("请至少选择一家单位。")
        note = clean_text("备注", note, max_chars=200)
        with self.ctx.store.write() as s:
            me = current_user_id(s)
            now = self.ctx.clock.now()
            for unit_id in dict.fromkeys(unit_ids):
                unit = s.get(Unit, unit_id)
                if unit is None or unit.deleted:
                    raise UserError("所选单位不在本机名单中。")
                task = Task(
                    id=uuid7(),
                    origin="self",
                    kind=kind,
                    title=f"{unit.name}：{kind}",
                    detail=note,
                    unit_id=unit.id,
                    township_id=unit.township_id,
                    grid_id=unit.grid_id,
                    due_date=due,
                    state=TaskState.DISPATCHED,
                    assignee_ids=json.dumps([me] if me else []),
                    history=json.dumps(
                        [_entry(TaskState.DISPATCHED, s, me, "自行安排", now.isoformat())],
                        ensure_ascii=False,
                    ),
                    created_by=me,
                    created_at=now,
                    updated_at=now,
                )
                s.add(task)
                s.flush()
                self._journal_own(s, task, me)
        return done(Changes(reference=True))

    def take_step(
        self,
        task_id: str,
        step: str,
        note: str = "",
        *,
        inspection_id: str | None = None,
    ) -> Done[None]:
        """Take the next step on a task (offline; the server moves a township task when the step
        arrives). Refused when the signed-in person may not take it now."""
        note = clean_text("说明", note, max_chars=500)
        with self.ctx.store.write() as s:
            task = s.get(Task, task_id)
            if task is None:
                raise UserError("找不到该任务。")
            me = current_user_id(s)
            role = _role(s)
            allowed = next_steps(task.state, role, from_report=task.report_id is not None)
            if step == TaskState.CLOSED and task.report_id and task.state == TaskState.FEEDBACK:
                raise UserError("网格上报的问题须先由网格员到现场核查确认，才能结案。")
            if step not in allowed:
                label = TaskState(task.state).label if task.state in set(TaskState) else task.state
                raise UserError(
                    f"该任务现在处于“{label}”，不能进行“{STEP_ACTIONS.get(step, step)}”。"
                )
            now = self.ctx.clock.now()
            task.state = step
            if step == TaskState.DISPATCHED and me:
                assignees = json.loads(task.assignee_ids)
                if me not in assignees:
                    task.assignee_ids = json.dumps([*assignees, me])
            if inspection_id:
                task.inspection_id = inspection_id
            history = json.loads(task.history)
            text = note or STEP_ACTIONS.get(step, step)
            history.append(_entry(step, s, me, text, now.isoformat()))
            task.history = json.dumps(history, ensure_ascii=False)
            task.updated_at = now
            s.add(task)
            s.flush()
            if task.origin == "self":
                self._journal_own(s, task, me)
            else:
                row = TaskStep(
                    id=uuid7(),
                    task_id=task.id,
                    step=step,
                    note=note,
                    inspection_id=inspection_id,
                    assignee_id=me if step == TaskState.DISPATCHED else None,
                    actor_id=me,
                    at=now,
                )
                s.add(row)
                s.flush()
                payload = row_payload(row)
                queue(s, self.ctx.clock, "taskstep", row.id, payload)
                audit(s, self.ctx.clock, "task.step", "task", task.id, me, payload)
        return done(Changes(reference=True))

    def _journal_own(self, s: Session, task: Task, me: str | None) -> None:
        payload = to_jsonable(row_payload(task))
        queue(s, self.ctx.clock, "owntask", task.id, payload)
        audit(s, self.ctx.clock, "task.own", "task", task.id, me, payload)


def _role(s: Session) -> str:
    me = current_user_id(s)
    user = s.get(User, me) if me else None
    return user.role if user is not None and user.role else "inspector"


def _entry(state: str, s: Session, me: str | None, note: str, at: str) -> dict[str, Any]:
    user = s.get(User, me) if me else None
    return {"state": state, "at": at, "by": user.name if user else "", "note": note, "moved": True}


def _row(task: Task, unit_name: str, today: date, role: str, mine: bool) -> TaskRow:
    from_report = task.report_id is not None
    state = task.state if task.state in set(TaskState) else "accepted"
    days = (task.due_date - today).days if task.due_date else None
    steps = [(st, STEP_ACTIONS[st]) for st in next_steps(state, role, from_report=from_report)]
    history = json.loads(task.history)
    for h in history:
        at = h.get("at")
        try:
            h["at_local"] = moment_text(datetime.fromisoformat(at))
        except (TypeError, ValueError):
            h["at_local"] = ""
    return TaskRow(
        id=task.id,
        origin=task.origin,
        kind=task.kind,
        title=task.title,
        detail=task.detail,
        unit_id=task.unit_id,
        unit_name=unit_name,
        due_date=task.due_date,
        days_left=days,
        state=state,
        state_label="待检查"
        if task.origin == "self" and state == TaskState.DISPATCHED
        else TaskState(state).label,
        next_steps=steps,
        inspection_kind=INSPECTION_KIND_FOR.get(task.kind, "日常检查"),
        history=history,
        mine=mine or task.origin == "self",
    )
