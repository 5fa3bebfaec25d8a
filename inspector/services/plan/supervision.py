"""The inspector's plan: which units are due by supervision level (分级分类监管), and the warnings
before a visit — a second inspection of the same unit today, or the yearly cap (reached or near).

Frequencies and caps are county configuration (`Settings.inspections_per_year`, `yearly_cap`,
`cap_exempt_kinds`). A unit's year count is every inspection started this local calendar year
whose kind is not exempt, finished or not; "last inspection" is the last finished one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from inspector.domain.enums import InspectionStatus, RiskColour, UnitStatus
from inspector.domain.errors import UserError
from inspector.services.context import Context
from inspector.store.models import Inspection, InspectionInspector, Township, Unit, User
from inspector.util.clock import local_midnight_utc, to_local

# at equal days overdue, higher risk first (red, orange before yellow, blue)
_COLOUR_RANK = {c.value: n for n, c in enumerate(RiskColour)}


@dataclass(frozen=True)
class DueUnit:
    unit_id: str
    name: str
    address: str
    level: str
    risk_colour: str
    township: str  # the township's name ("" when the unit has none)
    last_inspection: date | None  # local date of the last finished inspection
    due_date: date | None  # None for a "random selection only" level
    days_overdue: int
    year_count: int  # inspections counted towards this year's cap
    cap: int | None  # None when the level has no configured cap
    reason: str  # why it is proposed, for the inspector

    @property
    def random_only(self) -> bool:
        return self.due_date is None

    @property
    def at_cap(self) -> bool:
        return self.cap is not None and self.year_count >= self.cap


@dataclass(frozen=True)
class TodayVisit:
    inspection_id: str
    started_at: datetime  # local wall time
    inspector_name: str  # the first inspector named on it
    status: str
    kind: str


@dataclass(frozen=True)
class VisitCheck:
    unit_id: str
    unit_name: str
    level: str
    today: list[TodayVisit]
    year_count: int
    cap: int | None
    warnings: list[str]  # for the person, in order of weight; empty when nothing to say
    needs_acknowledgement: bool  # a duplicate visit or a reached cap: ask before starting

    @property
    def at_cap(self) -> bool:
        return self.cap is not None and self.year_count >= self.cap


def level_label(level: str) -> str:
    return f"{level}级"


class PlanService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- the plan ------------------------------------------------------------------------------
    def propose(
        self,
        today: date | None = None,
        township_id: str | None = None,
        include_random_only: bool = False,
    ) -> list[DueUnit]:
        """Units due for an inspection on `today`, most overdue first.

        One grouped query over inspections gives every unit's last finished inspection and this
        year's count; units of a level with no yearly minimum (D: 双随机 only) are left out
        unless `include_random_only`.
        """
        today = today or self.ctx.clock.today()
        per_year = self.ctx.settings.inspections_per_year
        caps = self.ctx.settings.yearly_cap
        levels = [lv for lv, n in per_year.items() if n > 0 or include_random_only]
        if not levels:
            return []
        stats = (
            select(
                col(Inspection.unit_id).label("unit_id"),
                func.max(
                    case(
                        (
                            col(Inspection.status) == InspectionStatus.FINISHED.value,
                            col(Inspection.started_at),
                        )
                    )
                ).label("last_at"),
                func.sum(case((self._counted(today), 1), else_=0)).label("year_count"),
            )
            .group_by(col(Inspection.unit_id))
            .subquery()
        )
        query = (
            select_columns(
                col(Unit.id),
                col(Unit.name),
                col(Unit.address),
                col(Unit.supervision_level),
                col(Unit.risk_colour),
                col(Township.name),
                stats.c.last_at,
                stats.c.year_count,
            )
            .outerjoin(stats, stats.c.unit_id == Unit.id)
            .outerjoin(Township, col(Township.id) == Unit.township_id)
            .where(
                col(Unit.deleted).is_(False),
                col(Unit.status) == UnitStatus.ACTIVE.value,
                col(Unit.supervision_level).in_(levels),
            )
        )
        if township_id is not None:
            query = query.where(col(Unit.township_id) == township_id)
        out: list[DueUnit] = []
        with self.ctx.store.read() as s:
            rows = s.connection().execute(query).all()
        for uid, name, address, level, colour, township, last_at, n in rows:
            due = _due(
                today,
                per_year[level],
                _local_date(last_at),
                int(n or 0),
                caps.get(level),
            )
            if due is None:
                continue
            last, due_date, overdue, reason = due
            out.append(
                DueUnit(
                    unit_id=uid,
                    name=name,
                    address=address,
                    level=level,
                    risk_colour=colour,
                    township=township or "",
                    last_inspection=last,
                    due_date=due_date,
                    days_overdue=overdue,
                    year_count=int(n or 0),
                    cap=caps.get(level),
                    reason=f"{level_label(level)}，{reason}",
                )
            )
        out.sort(
            key=lambda d: (
                -d.days_overdue,
                d.random_only,
                _COLOUR_RANK.get(d.risk_colour, len(_COLOUR_RANK)),
                d.level,
                d.name,
            )
        )
        return out

    # -- before a visit ------------------------------------------------------------------------
    def visit_check(self, unit_id: str, today: date | None = None) -> VisitCheck:
        """Inspections of this unit already started today, this year's count against the cap,
        and the warnings to show before another inspection starts."""
        today = today or self.ctx.clock.today()
        with self.ctx.store.read() as s:
            unit = s.get(Unit, unit_id)
            if unit is None or unit.deleted:
                raise UserError("找不到该单位，请刷新单位列表后重试。")
            visits = _visits_on(s, unit_id, today)
            year_count = int(
                s.exec(
                    select(func.count())
                    .select_from(Inspection)
                    .where(Inspection.unit_id == unit_id, self._counted(today))
                ).one()
            )
        level = unit.supervision_level
        cap = self.ctx.settings.yearly_cap.get(level)
        warnings: list[str] = []
        if visits:
            seen = "；".join(
                f"{v.started_at:%H:%M}，{v.inspector_name}"
                + (f"，{InspectionStatus.IN_PROGRESS.label}" if v.status != "finished" else "")
                for v in visits
            )
            warnings.append(f"该单位今天已有 {len(visits)} 次检查（{seen}）")
        at_cap = cap is not None and year_count >= cap
        if cap is not None and at_cap:
            reached = "已达" if year_count == cap else "已超过"
            warnings.append(
                f"今年已检查 {year_count} 次，{reached}{level_label(level)}年度上限 {cap} 次，"
                "如确需检查请在检查小结中注明理由"
            )
        elif cap is not None and year_count >= max(1, cap - 1):
            warnings.append(
                f"今年已检查 {year_count} 次，{level_label(level)}年度上限 {cap} 次，接近上限"
            )
        return VisitCheck(
            unit_id=unit.id,
            unit_name=unit.name,
            level=level,
            today=visits,
            year_count=year_count,
            cap=cap,
            warnings=warnings,
            needs_acknowledgement=bool(visits) or at_cap,
        )

    # -- helpers -------------------------------------------------------------------------------
    def _counted(self, today: date) -> ColumnElement[bool]:
        """An inspection that counts towards `today`'s year: started this local year, kind not
        exempt from the cap."""
        year_start = local_midnight_utc(date(today.year, 1, 1))
        return and_(
            col(Inspection.started_at) >= year_start,
            col(Inspection.kind).not_in(self.ctx.settings.cap_exempt_kinds),
        )


def _local_date(moment: Any) -> date | None:
    if moment is None:
        return None
    if isinstance(moment, str):  # an aggregate may come back as the stored text
        moment = datetime.fromisoformat(moment)
    return to_local(moment).date()


def _due(
    today: date, per_year: int, last: date | None, year_count: int, cap: int | None
) -> tuple[date | None, date | None, int, str] | None:
    """(last, due date, days overdue, reason) when the unit is due on `today`, else None."""
    capped = (
        "" if cap is None or year_count < cap else f"；今年已检查 {year_count} 次，已达年度上限"
    )
    last_text = f"上次检查 {last.isoformat()}" if last else "从未检查"
    if per_year <= 0:
        return last, None, 0, f"仅双随机抽查；{last_text}{capped}"
    rule = f"每年至少{per_year}次"
    if last is None:
        return None, today, 0, f"{rule}；从未检查{capped}"
    due_date = last + timedelta(days=365 // per_year)
    if due_date > today:
        return None
    overdue = (today - due_date).days
    when = f"已超期 {overdue} 天" if overdue else "今天到期"
    return last, due_date, overdue, f"{rule}；{last_text}，{when}{capped}"


def _visits_on(s: Session, unit_id: str, day: date) -> list[TodayVisit]:
    """Inspections of the unit started on the local date `day`, each with its first inspector."""
    start = local_midnight_utc(day)
    end = local_midnight_utc(day + timedelta(days=1))
    rows = s.exec(
        select(Inspection)
        .where(
            Inspection.unit_id == unit_id,
            col(Inspection.started_at) >= start,
            col(Inspection.started_at) < end,
        )
        .order_by(col(Inspection.started_at))
    ).all()
    if not rows:
        return []
    first: dict[str, str] = {}
    for inspection_id, name in s.exec(
        select(InspectionInspector.inspection_id, User.name)
        .join(User, col(User.id) == InspectionInspector.user_id)
        .where(col(InspectionInspector.inspection_id).in_([r.id for r in rows]))
        .order_by(col(InspectionInspector.seq))
    ):
        first.setdefault(inspection_id, name)
    out = []
    for r in rows:
        creator = s.get(User, r.created_by) if r.created_by and r.id not in first else None
        name = first.get(r.id) or (creator.name if creator else "检查人员未记录")
        out.append(TodayVisit(r.id, to_local(r.started_at), name, r.status, r.kind))
    return out
