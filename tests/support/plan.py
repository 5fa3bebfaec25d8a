"""Units, local moments and inspections for the supervision-plan tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlmodel import col, select

from inspector.services.facade import Services
from inspector.services.inspections.recording import StartInspection
from inspector.store.models import Unit
from tests.support.clock import FixedClock
from tests.support.writer import writes

# a fixed mid-September day, so "this year" never crosses New Year's Day in these tests
TODAY = date(2026, 9, 15)


def local_moment(day: date, at: time) -> datetime:
    """The aware UTC instant of a local wall time (what the device clock would say)."""
    return datetime.combine(day, at).astimezone().astimezone(UTC)


def units_of(services: Services, level: str, n: int = 1) -> list[Unit]:
    with services.ctx.store.read() as s:
        return list(
            s.exec(
                select(Unit)
                .where(Unit.supervision_level == level, Unit.status == "active")
                .order_by(col(Unit.sn))
                .limit(n)
            )
        )


@writes
def inspect(
    services: Services,
    clock: FixedClock,
    unit_id: str,
    day: date,
    at: time = time(9, 30),
    *,
    kind: str = "日常检查",
    finish: bool = True,
    inspectors: slice = slice(0, 2),
) -> str:
    """An inspection of the unit started on `day` at local `at` (the clock is put back after)."""
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][inspectors]
    saved = clock.moment
    clock.moment = local_moment(day, at)
    try:
        iid = services.inspections.start(StartInspection(unit_id, people, [], kind=kind)).value
        if finish:
            services.inspections.finish(iid)
    finally:
        clock.moment = saved
    return iid
