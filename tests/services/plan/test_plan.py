"""The inspector's plan by supervision level, and the warnings before a visit (same unit twice
today, yearly cap near or reached), on a real SQLite file with inspections at chosen dates."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from inspector.services.facade import Services
from inspector.services.plan.supervision import DueUnit
from inspector.util.settings import Settings
from tests.support.clock import FixedClock
from tests.support.plan import TODAY, inspect, local_moment, units_of


@pytest.fixture
def today(clock: FixedClock) -> date:
    clock.moment = local_moment(TODAY, time(10, 0))
    return TODAY


def by_id(services: Services, *, include_random_only: bool = False) -> dict[str, DueUnit]:
    return {d.unit_id: d for d in services.plan.propose(include_random_only=include_random_only)}


def test_due_by_level_and_last_finished_inspection(
    services: Services, clock: FixedClock, today: date
) -> None:
    late, recent, never = units_of(services, "A", 3)
    inspect(services, clock, late.id, today - timedelta(days=100))
    inspect(services, clock, recent.id, today - timedelta(days=10))
    # an unfinished inspection does not count as the last inspection
    inspect(services, clock, never.id, today - timedelta(days=3), finish=False)

    due = by_id(services)
    d = due[late.id]
    assert d.last_inspection == today - timedelta(days=100)
    assert d.due_date == today - timedelta(days=9)  # 365 // 4 = 91
    assert d.days_overdue == 9
    last = (today - timedelta(days=100)).isoformat()
    assert d.reason == f"A级，每年至少4次；上次检查 {last}，已超期 9 天"
    assert recent.id not in due

    n = due[never.id]
    assert n.last_inspection is None and n.due_date == today and n.days_overdue == 0
    assert n.reason == "A级，每年至少4次；从未检查"
    assert n.year_count == 1 and n.cap == 12

    # the most overdue first; at equal days overdue red and orange come before yellow and blue
    rows = services.plan.propose()
    assert rows[0].unit_id == late.id
    rest = [r for r in rows if r.days_overdue == 0]
    ranks = [0 if r.risk_colour in ("red", "orange") else 1 for r in rest]
    assert ranks == sorted(ranks) and 0 in ranks and 1 in ranks


def test_random_only_level_is_left_out_unless_asked(services: Services, today: date) -> None:
    d_units = {u.id for u in units_of(services, "D", 1000)}
    assert d_units
    assert not d_units & by_id(services).keys()
    with_random = by_id(services, include_random_only=True)
    assert d_units <= with_random.keys()
    one = with_random[next(iter(d_units))]
    assert one.due_date is None and one.random_only
    assert one.reason == "D级，仅双随机抽查；从未检查"
    # they come after every unit that is due by its level
    rows = services.plan.propose(include_random_only=True)
    flags = [r.random_only for r in rows]
    assert flags == sorted(flags)


def test_township_filter(services: Services, today: date) -> None:
    unit = units_of(services, "A")[0]
    rows = services.plan.propose(township_id=unit.township_id)
    assert unit.id in {r.unit_id for r in rows}
    assert len({r.township for r in rows}) == 1 and rows[0].township
    assert len(rows) < len(services.plan.propose())


def test_second_visit_today_names_the_time_and_inspector(
    services: Services, clock: FixedClock, today: date
) -> None:
    unit = units_of(services, "B")[0]
    inspect(services, clock, unit.id, today - timedelta(days=1))  # yesterday: not a duplicate
    check = services.plan.visit_check(unit.id)
    assert check.today == [] and check.warnings == [] and not check.needs_acknowledgement

    first = [p for p in services.inspections.people() if p.role == "inspector"][2]
    inspect(services, clock, unit.id, today, time(9, 30), inspectors=slice(2, 4))
    check = services.plan.visit_check(unit.id)
    assert [(v.started_at.strftime("%H:%M"), v.inspector_name) for v in check.today] == [
        ("09:30", first.name)
    ]
    assert check.warnings == [f"该单位今天已有 1 次检查（09:30，{first.name}）"]
    assert check.needs_acknowledgement
    assert check.year_count == 2 and check.cap == 6


def test_near_and_at_the_yearly_cap(services: Services, clock: FixedClock, today: date) -> None:
    unit = units_of(services, "B")[0]
    inspect(services, clock, unit.id, date(today.year - 1, 12, 20))  # last year: not counted
    inspect(services, clock, unit.id, date(today.year, 2, 1), kind="复查")  # exempt from the cap
    for month in (3, 4, 5, 6):
        inspect(services, clock, unit.id, date(today.year, month, 10))
    check = services.plan.visit_check(unit.id)
    assert check.year_count == 4 and check.warnings == []

    inspect(services, clock, unit.id, date(today.year, 7, 10))
    check = services.plan.visit_check(unit.id)
    assert check.warnings == ["今年已检查 5 次，B级年度上限 6 次，接近上限"]
    assert not check.needs_acknowledgement

    inspect(services, clock, unit.id, date(today.year, 8, 10))
    check = services.plan.visit_check(unit.id)
    assert check.at_cap and check.needs_acknowledgement
    assert check.warnings == [
        "今年已检查 6 次，已达B级年度上限 6 次，如确需检查请在检查小结中注明理由"
    ]
    inspect(services, clock, unit.id, date(today.year, 8, 20))
    assert "已超过B级年度上限 6 次" in services.plan.visit_check(unit.id).warnings[0]


def test_county_settings_change_the_plan_and_the_cap(
    services: Services, clock: FixedClock, today: date
) -> None:
    a = units_of(services, "A")[0]
    inspect(services, clock, a.id, today - timedelta(days=40))
    assert a.id not in by_id(services)
    settings = services.ctx.settings
    settings.inspections_per_year["A"] = 12  # monthly: every 30 days
    settings.yearly_cap["A"] = 2
    d = by_id(services)[a.id]
    assert d.days_overdue == 10 and d.cap == 2
    assert "每年至少12次" in d.reason
    assert services.plan.visit_check(a.id).warnings == [
        "今年已检查 1 次，A级年度上限 2 次，接近上限"
    ]
    # a level given a yearly minimum is planned like the others
    settings.inspections_per_year["D"] = 1
    d_unit = units_of(services, "D")[0]
    assert by_id(services)[d_unit.id].reason == "D级，每年至少1次；从未检查"


def test_settings_file_without_or_with_partial_tables(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"version": 1, "default_deadline_days": 10}), "utf-8")
    s = Settings.load(old)
    assert s.default_deadline_days == 10
    assert s.inspections_per_year == {"A": 4, "B": 2, "C": 1, "D": 0}
    assert s.yearly_cap == {"A": 12, "B": 6, "C": 4, "D": 2}

    county = tmp_path / "county.json"
    county.write_text(
        json.dumps({"yearly_cap": {"A": 8, "B": "many"}, "inspections_per_year": [1, 2]}),
        "utf-8",
    )
    s = Settings.load(county)
    assert s.yearly_cap == {"A": 8, "B": 6, "C": 4, "D": 2}  # bad entry ignored, others kept
    assert s.inspections_per_year == {"A": 4, "B": 2, "C": 1, "D": 0}
    s.save()
    assert Settings.load(county).yearly_cap["A"] == 8
