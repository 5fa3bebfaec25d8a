"""Tasks an administrator gives out: a 专项整治 campaign over the units a filter picks, a 举报核查
or 复查 of one unit, a day's 日常检查 — one task per unit, each flowing to the devices of its area —
and the 分拨 of any open task (a grid report, say) to named inspectors.

An assignee must be an active inspector of the agency whose jurisdiction covers the unit, so a
task never lands on a device that cannot see the unit. With assignees a task starts 分拨; without,
受理 (the township's inspectors take it from their due list).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from inspector.domain.tasks import TaskKind, TaskState, is_ahead
from inspector.util.ids import uuid7
from sync.server.admin import AdminError, find_place
from sync.server.db import Agency, Task, Township, Unit, User, write_session
from sync.server.draw import DrawFilter, check_filter, covers
from sync.server.tasks import history_entry, new_task, touch

# what an administrator may hand out (grid reports and draws open their own tasks)
ADMIN_KINDS = (TaskKind.CAMPAIGN, TaskKind.ROUTINE, TaskKind.COMPLAINT, TaskKind.REVIEW)
MAX_TASKS = 5000  # one command; a larger campaign is given out township by township


class TaskAdminError(AdminError):
    """A refusal to show the administrator (in Chinese)."""


@dataclass(frozen=True)
class TaskOrder:
    """What the administrator asked for: the kind and wording, which units (by id or credit
    code, or by filter), who does it and by when."""

    agency_id: str
    kind: str
    title: str
    detail: str = ""
    due: date | None = None
    units: tuple[str, ...] = ()  # ids or credit codes; empty: every unit the filter admits
    filter: DrawFilter = field(default_factory=DrawFilter)
    assignees: tuple[str, ...] = ()  # user names


def _inspectors(s: Session, agency_id: str, usernames: tuple[str, ...]) -> list[User]:
    found = {
        u.username: u
        for u in s.exec(select(User).where(col(User.username).in_(usernames)))
        if u.agency_id == agency_id
    }
    unknown = [n for n in usernames if n not in found]
    if unknown:
        raise TaskAdminError(f"本机关没有用户：{'、'.join(unknown)}。")
    not_inspectors = [n for n in usernames if found[n].role != "inspector" or not found[n].active]
    if not_inspectors:
        raise TaskAdminError(
            f"只能分派给在职的执法人员，{'、'.join(not_inspectors)} 不是（网格员不接执法任务）。"
        )
    return [found[n] for n in usernames]


def _units(s: Session, order: TaskOrder) -> list[Unit]:
    live = [
        u
        for u in s.exec(select(Unit).where(Unit.agency_id == order.agency_id))
        if order.filter.admits(u)
    ]
    if not order.units:
        return sorted(live, key=lambda u: u.id)
    by_key = {u.id: u for u in live} | {u.credit_code: u for u in live if u.credit_code}
    missing = [k for k in order.units if k not in by_key]
    if missing:
        raise TaskAdminError(
            f"没有这些单位（或已删除、不符合筛选条件）：{'、'.join(missing[:10])}"
            + ("等。" if len(missing) > 10 else "。")
        )
    return list({by_key[k].id: by_key[k] for k in order.units}.values())


def give_tasks(engine: Engine, order: TaskOrder, made_by: str = "") -> list[Task]:
    """Open one task per chosen unit (in one transaction: all or none)."""
    if order.kind not in ADMIN_KINDS:
        raise TaskAdminError(f"任务类型应为 {'、'.join(ADMIN_KINDS)} 之一，不认识：{order.kind}。")
    title = order.title.strip()
    if not title or len(title) > 100:
        raise TaskAdminError("任务名称不能为空，且不超过100个字符。")
    check_filter(order.filter)
    with write_session(engine) as s:
        if s.get(Agency, order.agency_id) is None:
            raise TaskAdminError(f"没有机关 {order.agency_id}。")
        towns = list(s.exec(select(Township).where(Township.agency_id == order.agency_id)))
        order = replace(
            order,
            filter=replace(
                order.filter,
                township_ids=tuple(
                    find_place(towns, t, "乡镇（街道）") for t in order.filter.township_ids
                ),
            ),
        )
        units = _units(s, order)
        if not units:
            raise TaskAdminError("没有符合条件的单位，请检查筛选条件。")
        if len(units) > MAX_TASKS:
            raise TaskAdminError(
                f"一次最多下达 {MAX_TASKS} 项任务（符合条件的单位有 {len(units)} 家），"
                "请按乡镇分批下达。"
            )
        people = _inspectors(s, order.agency_id, order.assignees)
        for unit in units:
            away = [p.name for p in people if not covers(p, unit)]
            if away:
                raise TaskAdminError(
                    f"“{unit.data.get('name', unit.id)}”不在{'、'.join(away)}的辖区内，"
                    "无法分派给其办理。"
                )
        note = f"{made_by}下达" if made_by else "下达任务"
        tasks = [
            new_task(
                s,
                task_id=uuid7(),
                agency_id=order.agency_id,
                unit=unit,
                kind=order.kind,
                title=f"{unit.data.get('name', '')}：{title}",
                detail=order.detail.strip(),
                source="admin",
                due=order.due,
                assignee_ids=[p.id for p in people],
                state=TaskState.DISPATCHED if people else TaskState.ACCEPTED,
                note=note + (f"，分拨给{'、'.join(p.name for p in people)}" if people else ""),
            )
            for unit in units
        ]
        s.flush()  # every task inserted before it leaves the session
        for t in tasks:
            s.expunge(t)
    return tasks


def dispatch(engine: Engine, task_id: str, usernames: tuple[str, ...], by: str = "") -> Task:
    """分拨 an open task to named inspectors (added to any it has); a closed task is refused."""
    if not usernames:
        raise TaskAdminError("请用 --to 指定至少一名执法人员。")
    with write_session(engine) as s:
        task = s.get(Task, task_id)
        if task is None:
            raise TaskAdminError(f"没有任务 {task_id}。")
        if task.state == TaskState.CLOSED:
            raise TaskAdminError("该任务已结案，不能再分拨。")
        people = _inspectors(s, task.agency_id, usernames)
        unit = s.get(Unit, task.unit_id) if task.unit_id else None
        if unit is not None:
            away = [p.name for p in people if not covers(p, unit)]
            if away:
                raise TaskAdminError(f"该单位不在{'、'.join(away)}的辖区内，无法分派给其办理。")
        moved = is_ahead(TaskState.DISPATCHED, task.state)
        if moved:
            task.state = TaskState.DISPATCHED
        task.assignee_ids = list(dict.fromkeys([*task.assignee_ids, *(p.id for p in people)]))
        names = "、".join(p.name for p in people)
        task.history = [
            *task.history,
            history_entry(TaskState.DISPATCHED, by or "管理员", f"分拨给{names}", moved=moved),
        ]
        touch(s, task)
        s.flush()
        s.expunge(task)
    return task
