"""A generated month of work for the overview figures, and China local time for a test (as
fixtures too: `china_time` for every test of a module that imports it, `data`)."""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from inspector.domain.enums import INSPECTION_KINDS
from inspector.services.facade import Services
from inspector.store.models import Agency, Document, Hazard, Inspection, Township, Unit
from tests.support.clock import FixedClock
from tests.support.writer import writes

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 2026-11-20 10:00 in China


@contextmanager
def china_local_time() -> Iterator[None]:
    """The device's local time is China's (UTC+8), so local months differ from UTC months."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


@pytest.fixture(autouse=True)
def china_time() -> Iterator[None]:
    with china_local_time():
        yield


@dataclass
class Generated:
    township_a: str
    township_b: str
    unit_township: dict[str, str | None]
    inspections: list[Inspection] = field(default_factory=list)
    hazards: list[Hazard] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


@writes
def generate(services: Services, seed: int = 11) -> Generated:
    """~45 units (20 + 20 in two townships, 5 elsewhere), ~120 inspections over three months with
    unfinished ones, hazards of both grades in every status, issued/voided/draft documents."""
    with services.ctx.store.read() as s:
        agency_id = s.exec(select(Agency.id)).one()
        towns = list(s.exec(select(Township.id).order_by(Township.name)))
        by_town = {t: list(s.exec(select(Unit.id).where(Unit.township_id == t))) for t in towns}
    a, b, *others = sorted(towns, key=lambda t: -len(by_town[t]))
    chosen = {u: a for u in by_town[a][:20]} | {u: b for u in by_town[b][:20]}
    chosen |= {u: others[0] for u in by_town[others[0]][:5]}
    gen = make_rows(a, b, chosen, agency_id, seed)
    with services.ctx.store.write() as s:
        for row in [*gen.inspections, *gen.hazards, *gen.documents]:
            s.add(row)
            s.flush()
        gen.inspections = list(s.exec(select(Inspection)))
        gen.hazards = list(s.exec(select(Hazard)))
        gen.documents = list(s.exec(select(Document)))
        for row in [*gen.inspections, *gen.hazards, *gen.documents]:
            s.expunge(row)
    return gen


def make_rows(
    township_a: str, township_b: str, chosen: dict[str, str], agency_id: str, seed: int = 11
) -> Generated:
    """Inspections, hazards and documents (not stored) for the chosen units (unit → township)."""
    rng = random.Random(seed)
    gen = Generated(township_a, township_b, dict(chosen))
    units = sorted(chosen)
    moments = [_moment(rng) for _ in range(118)]
    # two inspections on either side of local midnight at the October/November boundary
    moments += [
        datetime(2026, 10, 31, 16, 30, tzinfo=UTC),  # 1 November 00:30 in China
        datetime(2026, 10, 31, 15, 30, tzinfo=UTC),  # 31 October 23:30 in China
    ]
    for n, started in enumerate(moments):
        finished = n >= 118 or rng.random() < 0.85
        insp = Inspection(
            id=f"insp-{n:04d}",
            unit_id=rng.choice(units),
            agency_id=agency_id,
            kind=rng.choice(INSPECTION_KINDS),
            started_at=started,
            ended_at=started + timedelta(hours=1) if finished else None,
            status="finished" if finished else "in_progress",
            updated_at=started,
        )
        gen.inspections.append(insp)
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            created = started + timedelta(minutes=rng.randint(1, 50))
            status = rng.choice(HAZARD_STATES[1:]) if finished else "draft"
            deadline = (
                None
                if rng.random() < 0.1
                else to_china(created).date() + timedelta(days=rng.randint(3, 40))
            )
            gen.hazards.append(
                Hazard(
                    id=f"haz-{len(gen.hazards):04d}",
                    inspection_id=insp.id,
                    unit_id=insp.unit_id,
                    grade="major" if rng.random() < 0.25 else "general",
                    description="配电箱前堆放杂物",
                    deadline=deadline,
                    status=status,
                    created_at=created,
                    updated_at=created,
                )
            )
        if finished:
            for _ in range(rng.choice((0, 1, 1, 2))):
                issued = started + timedelta(hours=rng.uniform(1, 30))
                gen.documents.append(_document(rng, insp, issued, len(gen.documents) + 1))
    return gen


HAZARD_STATES = (
    "draft",
    "pending",
    "rectifying",
    "reviewed_ok",
    "reviewed_failed",
    "closed",
    "withdrawn",
)


def _moment(rng: random.Random) -> datetime:
    """A time between 1 September and now (China time), stored as UTC."""
    start = datetime(2026, 9, 1, tzinfo=CHINA)
    span = (NOW - start).total_seconds()
    return (start + timedelta(seconds=rng.uniform(0, span))).astimezone(UTC)


def _document(rng: random.Random, insp: Inspection, moment: datetime, n: int) -> Document:
    kind = rng.choice(DOC_KINDS)
    status = rng.choices(("issued", "voided", "draft"), (0.7, 0.15, 0.15))[0]
    data: dict[str, Any] = {"fields": {}}
    if kind.startswith("onsite_penalty"):
        fine = rng.random() < 0.7
        data["input_fields"] = {
            "penalty_type": "fine" if fine else "warning",
            "fine_yuan": str(rng.choice((100, 200, 500, 1000, 2000, 3000))) if fine else "",
        }
    if kind == "penalty_notice":  # an intended penalty: no fine decided yet
        data["fields"] = {"penalty": "罚款人民币3万元"}
        data["input_fields"] = {"penalty": "罚款人民币3万元"}
    return Document(
        id=f"doc-{n:04d}",
        inspection_id=insp.id,
        unit_id=insp.unit_id,
        kind=kind,
        title=DOC_TITLES[kind],
        number=None if status == "draft" else f"（岚）应急〔2026〕{n}号",
        status=status,
        data=json.dumps(data, ensure_ascii=False),
        created_at=moment,
        issued_at=None if status == "draft" else moment,
        voided_at=moment + timedelta(days=1) if status == "voided" else None,
    )


def to_china(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CHINA)


CHINA = ZoneInfo("Asia/Shanghai")


DOC_KINDS = (
    "site_record",
    "rectification_order",
    "hazard_notice",
    "onsite_penalty_unit",
    "onsite_penalty_person",
    "penalty_notice",
)


DOC_TITLES = {
    "site_record": "现场检查记录",
    "rectification_order": "责令限期整改指令书",
    "hazard_notice": "安全隐患整改通知书",
    "onsite_penalty_unit": "行政（当场）处罚决定书（单位）",
    "onsite_penalty_person": "行政（当场）处罚决定书（个人）",
    "penalty_notice": "行政处罚告知书",
}


TODAY = date(2026, 11, 20)


def expected(gen: Generated, year: int, month: int, township: str | None = None) -> dict[str, Any]:
    """The figures counted the plain way from the raw rows."""

    def mine(unit_id: str, moment: datetime | None) -> bool:
        if moment is None or (township is not None and gen.unit_township[unit_id] != township):
            return False
        local = to_china(moment)
        return (local.year, local.month) == (year, month)

    units, kinds, per_day = set(), Counter(), Counter()
    for i in gen.inspections:
        if i.status == "finished" and mine(i.unit_id, i.started_at):
            units.add(i.unit_id)
            kinds[i.kind] += 1
            per_day[to_china(i.started_at).day, "inspections"] += 1
    found = general = major = rectified = overdue = 0
    for h in gen.hazards:
        if h.status in ("draft", "withdrawn") or not mine(h.unit_id, h.created_at):
            continue
        found += 1
        if h.grade == "major":
            major += 1
        else:
            general += 1
        per_day[to_china(h.created_at).day, h.grade] += 1
        if h.status in ("reviewed_ok", "closed"):
            rectified += 1
        elif h.deadline is not None and h.deadline < TODAY:
            overdue += 1
    docs: Counter[str] = Counter()
    penalties = fines = 0
    for d in gen.documents:
        if d.status != "issued" or not mine(d.unit_id, d.issued_at):
            continue
        docs[DOC_TITLES[d.kind]] += 1
        body = json.loads(d.data).get("input_fields", {})
        if d.kind.startswith("onsite_penalty") and body.get("penalty_type") == "fine":
            penalties += 1
            fines += int(body["fine_yuan"])
    return {
        "units_inspected": len(units),
        "inspections": sum(kinds.values()),
        "by_kind": {k: kinds[k] for k in INSPECTION_KINDS},
        "hazards_found": found,
        "hazards_general": general,
        "hazards_major": major,
        "rectified": rectified,
        "rate": rectified / found if found else None,
        "overdue": overdue,
        "documents": dict(docs),
        "penalties": penalties,
        "fines_yuan": fines,
        "daily": per_day,
    }


def actual(f: Any) -> dict[str, Any]:
    daily: Counter[Any] = Counter()
    for d in f.daily:
        for key, n in (
            ("inspections", d.inspections),
            ("general", d.hazards_general),
            ("major", d.hazards_major),
        ):
            if n:
                daily[d.day.day, key] = n
    return {
        "units_inspected": f.units_inspected,
        "inspections": f.inspections,
        "by_kind": {k.kind: k.count for k in f.inspections_by_kind},
        "hazards_found": f.hazards_found,
        "hazards_general": f.hazards_general,
        "hazards_major": f.hazards_major,
        "rectified": f.rectified,
        "rate": f.rectification_rate,
        "overdue": f.overdue,
        "documents": {k.label: k.count for k in f.documents_by_kind},
        "penalties": f.penalties,
        "fines_yuan": f.fines_yuan,
        "daily": daily,
    }


@pytest.fixture
def data(services: Services, clock: FixedClock) -> Generated:
    """The generated months, with the clock at NOW."""
    clock.moment = NOW
    return generate(services)
