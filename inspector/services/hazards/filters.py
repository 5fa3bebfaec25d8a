"""What the 隐患 page asks for: a state, a grade, a unit, a deadline window and free text.

`HazardQuery` is the question; `where_of` turns its state, grade, unit and text into SQL, and
`due_matches` applies the deadline window (overdue depends on the loop state, so it is judged on
the read row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement
from sqlmodel import and_, col, or_

from inspector.domain.enums import UNDONE_HAZARD_STATES, HazardGrade, HazardStatus
from inspector.store.models import Hazard, Unit

State = Literal["open", "pending", "rectifying", "reviewed", "closed", "all"]
Due = Literal["all", "overdue", "week"]

# (value, what a person reads), in the order the page offers them
STATE_CHOICES: tuple[tuple[State, str], ...] = (
    ("open", "未销号"),
    ("pending", HazardStatus.PENDING.label),
    ("rectifying", HazardStatus.RECTIFYING.label),
    ("reviewed", "已复查"),
    ("closed", HazardStatus.CLOSED.label),
    ("all", "全部状态"),
)
GRADE_CHOICES: tuple[tuple[str, str], ...] = (
    ("", "全部等级"),
    (HazardGrade.GENERAL.value, "一般"),
    (HazardGrade.MAJOR.value, "重大"),
)
DUE_CHOICES: tuple[tuple[Due, str], ...] = (
    ("all", "全部期限"),
    ("overdue", "已逾期"),
    ("week", "7 日内到期"),
)
DUE_WITHIN_DAYS = 7

_STATES: dict[str, tuple[str, ...]] = {
    "open": UNDONE_HAZARD_STATES,
    "pending": (HazardStatus.PENDING.value,),
    "rectifying": (HazardStatus.RECTIFYING.value,),
    "reviewed": (HazardStatus.REVIEWED_OK.value, HazardStatus.REVIEWED_FAILED.value),
    "closed": (HazardStatus.CLOSED.value,),
    "all": (*UNDONE_HAZARD_STATES, HazardStatus.CLOSED.value),
}


@dataclass(frozen=True)
class HazardQuery:
    state: State = "open"
    grade: str = ""  # "" = both grades
    unit_text: str = ""
    due: Due = "all"
    text: str = ""  # in the description, the place or the unit's name


def where_of(q: HazardQuery) -> Any:
    """The SQL condition for everything but the deadline window. A hazard the server flagged
    (steps of several devices that do not fit) is shown under 未销号 whatever its status."""
    state: ColumnElement[bool] = col(Hazard.status).in_(_STATES[q.state])
    if q.state == "open":
        state = or_(state, col(Hazard.conflict) != "")
    parts: list[ColumnElement[bool]] = [state]
    if q.grade:
        parts.append(col(Hazard.grade) == q.grade)
    if q.unit_text.strip():
        parts.append(col(Unit.name).contains(q.unit_text.strip()))
    for word in q.text.split():
        parts.append(
            or_(
                col(Hazard.description).contains(word),
                col(Hazard.location).contains(word),
                col(Unit.name).contains(word),
            )
        )
    return and_(*parts)


def due_matches(q: HazardQuery, deadline: date | None, overdue: bool, today: date) -> bool:
    if q.due == "overdue":
        return overdue
    if q.due == "week":
        return (
            not overdue
            and deadline is not None
            and today <= deadline <= today + timedelta(days=DUE_WITHIN_DAYS)
        )
    return True
