"""Tasks (工作任务) and the township event flow they follow.

A task is one piece of work for the township: a grid worker's hazard report (网格上报), a unit drawn
by 双随机抽查, a 专项整治 or 复查 assignment from the server, or an inspector's own plan entry. Every
task moves along one ladder, never backwards:

    受理 accepted → 分拨 dispatched → 处置 handling → 反馈 feedback → 核查 verified → 结案 closed

Steps are recorded on devices (offline) and applied by the server in arrival order; a step that is
not ahead of the task's state is kept in the history but does not move it (like the hazard status,
the state merges by its order). Who may take which step is `may_take`.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class TaskState(StrEnum):
    ACCEPTED = "accepted"
    DISPATCHED = "dispatched"
    HANDLING = "handling"
    FEEDBACK = "feedback"
    VERIFIED = "verified"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self.value]

    @property
    def rank(self) -> int:
        return _ORDER.index(self.value)


_ORDER = ("accepted", "dispatched", "handling", "feedback", "verified", "closed")
_STATE_LABELS = {
    "accepted": "受理",
    "dispatched": "分拨",
    "handling": "处置",
    "feedback": "反馈",
    "verified": "核查",
    "closed": "结案",
}
# what the person taking each step is said to do (buttons, history lines)
STEP_ACTIONS = {
    "dispatched": "接收任务",
    "handling": "开始处置",
    "feedback": "反馈处置结果",
    "verified": "核查确认",
    "closed": "结案",
}


class TaskKind(StrEnum):
    GRID_REPORT = "网格上报"
    ROUTINE = "日常检查"
    CAMPAIGN = "专项整治"
    RANDOM = "双随机抽查"
    REVIEW = "复查"
    COMPLAINT = "举报核查"


# the inspection kind (INSPECTION_KINDS) an inspector starts for a task of each kind
INSPECTION_KIND_FOR = {
    "网格上报": "举报核查",
    "日常检查": "日常检查",
    "专项整治": "专项检查",
    "双随机抽查": "双随机抽查",
    "复查": "复查",
    "举报核查": "举报核查",
}

URGENCIES = {"normal": "一般", "urgent": "紧急"}
# days the township has to settle a grid report, by urgency (configurable on the server later)
REPORT_DAYS = {"normal": 5, "urgent": 1}


def report_due(reported_on: date, urgency: str) -> date:
    return reported_on + timedelta(days=REPORT_DAYS.get(urgency, REPORT_DAYS["normal"]))


def state_rank(state: str) -> int:
    """Position on the ladder; an unknown state counts as the start."""
    return _ORDER.index(state) if state in _ORDER else 0


def is_ahead(step: str, state: str) -> bool:
    return step in _ORDER and state_rank(step) > state_rank(state)


def may_take(step: str, role: str, *, from_report: bool) -> bool:
    """Whether a person of `role` may take `step`. The 核查 of a grid report is the grid worker's (or
    an admin's); inspectors take the other steps. Closing a grid report needs that verification
    first (checked by `next_steps`)."""
    if step not in _ORDER or step == "accepted":
        return False
    if role == "grid_worker":
        return step == "verified" and from_report
    if role == "inspector":
        return step != "verified"
    return role == "admin"


def may_move(role: str, user_id: str | None, assignee_ids: list[str]) -> bool:
    """Whether a person may take steps on a township task at all: once it is assigned, an
    inspector who is not one of its assignees may not (an admin may; a grid worker's 核查 of a
    report is `may_take`'s business)."""
    return role != "inspector" or not assignee_ids or user_id in assignee_ids


def next_steps(state: str, role: str, *, from_report: bool) -> list[str]:
    """The steps a person may take next from `state`, in ladder order (the buttons to offer)."""
    rank = state_rank(state)
    out: list[str] = []
    for step in _ORDER[rank + 1 :]:
        if not may_take(step, role, from_report=from_report):
            continue
        if step == "verified" and not from_report:
            continue  # only grid reports go back to the grid worker for 核查
        if step == "closed" and from_report and rank < state_rank("verified"):
            continue
        out.append(step)
        break  # one step at a time: the ladder is walked in order
    return out


def is_open(state: str) -> bool:
    return state != "closed"


# -- grid patrols (网格巡查, "六个一") -------------------------------------------------------------
ASPECTS: dict[str, str] = {
    "walk": "走一走",
    "look": "看一看",
    "smell": "闻一闻",
    "listen": "听一听",
    "talk": "讲一讲",
    "record": "记一记",
}
ASPECT_HINTS: dict[str, str] = {
    "walk": "走遍场所：通道、楼梯、仓库、后院、屋顶",
    "look": "看：消防设施、电线插座、燃气瓶、堆放物、安全出口",
    "smell": "闻：燃气、油漆、焦糊等异味",
    "listen": "听：设备异响、漏气声，听取员工和群众反映",
    "talk": "讲：宣传安全常识，告知问题和整改要求",
    "record": "记：记录问题、处置情况和整改期限",
}
PLACE_KINDS = ("企业", "九小场所", "三合一", "出租房", "自建房", "工地")
PROBLEM_CLASSES = ("消防", "燃气", "用电", "通道", "危化", "其他")
ACTIONS = ("劝导", "制止", "报告", "跟踪")
