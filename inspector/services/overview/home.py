"""The figures on the home page (首页): today's inspections, open and overdue hazards, what is
waiting to sync, the inspections in progress and the hazards due soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import col, func, select

from inspector.domain.enums import OPEN_HAZARD_STATES, HazardGrade, InspectionStatus
from inspector.services.context import Context
from inspector.services.hazards.listing import HazardRow, HazardService
from inspector.services.inspections.views import InspectionRow
from inspector.store.models import Hazard, Inspection, Outbox, Unit
from inspector.util.clock import local_midnight_utc


@dataclass(frozen=True)
class HomeSummary:
    today: date
    units: int
    inspections_today: int
    open_hazards: int
    major_open: int
    overdue: int
    unsynced: int
    in_progress: list[InspectionRow]
    due: list[HazardRow]


def home_summary(ctx: Context, due_within_days: int = 7) -> HomeSummary:
    """Today's figures, the inspections in progress and the hazards due within the days."""
    today = ctx.clock.today()
    start_utc = local_midnight_utc(today)
    open_rows = HazardService(ctx).open_hazards()
    with ctx.store.read() as s:
        units = s.exec(
            select(func.count()).select_from(Unit).where(col(Unit.deleted).is_(False))
        ).one()
        today_n = s.exec(
            select(func.count()).select_from(Inspection).where(Inspection.started_at >= start_utc)
        ).one()
        unsynced = s.exec(
            select(func.count()).select_from(Outbox).where(Outbox.state == "pending")
        ).one()
        running = s.exec(
            select(Inspection, Unit.name)
            .join(Unit, col(Unit.id) == Inspection.unit_id)
            .where(Inspection.status == InspectionStatus.IN_PROGRESS.value)
            .order_by(col(Inspection.started_at).desc())
        ).all()
        in_progress = []
        for insp, name in running:
            n = s.exec(
                select(func.count())
                .select_from(Hazard)
                .where(Hazard.inspection_id == insp.id, col(Hazard.status).in_(OPEN_HAZARD_STATES))
            ).one()
            in_progress.append(
                InspectionRow(insp.id, insp.unit_id, name, insp.started_at, insp.status, int(n))
            )
    horizon = today + timedelta(days=due_within_days)
    due = [h for h in open_rows if h.deadline is not None and h.deadline <= horizon]
    return HomeSummary(
        today=today,
        units=int(units),
        inspections_today=int(today_n),
        open_hazards=len(open_rows),
        major_open=sum(1 for h in open_rows if h.grade == HazardGrade.MAJOR),
        overdue=sum(1 for h in open_rows if h.overdue),
        unsynced=int(unsynced),
        in_progress=in_progress,
        due=due,
    )
