"""The records of a patrol as the pages show them (grid, places, visits, reports) and the reads and
checks every patrol write shares: the open patrol, a visit's input cleaned, a patrol's view."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from inspector.domain.errors import UserError
from inspector.domain.tasks import ACTIONS, ASPECTS, PLACE_KINDS, PROBLEM_CLASSES
from inspector.services.evidence.photos import PreparedPhoto
from inspector.services.textcheck import clean_text
from inspector.store.models import (
    Grid,
    HazardReport,
    Patrol,
    PatrolVisit,
    Photo,
    Township,
    Unit,
    User,
)


@dataclass(frozen=True)
class GridInfo:
    id: str
    name: str
    code: str
    township_id: str
    township: str


@dataclass(frozen=True)
class Place:
    unit_id: str
    name: str
    address: str
    kind: str  # the unit's industry (a place kind for places without a code)
    credit_code: str | None
    lat: float | None
    lon: float | None


@dataclass(frozen=True)
class VisitInput:
    unit_id: str
    place_kind: str = "企业"
    observations: dict[str, str] = field(default_factory=dict)  # aspect → note
    problems: list[tuple[str, str]] = field(default_factory=list)  # (class, description)
    actions: list[str] = field(default_factory=list)
    fixed_on_spot: bool = False
    deadline: date | None = None
    party: str = ""
    party_signed: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class VisitView:
    id: str
    unit_id: str
    place_name: str
    address: str
    credit_code: str | None
    data: VisitInput
    visited_at: datetime
    photo_counts: dict[str, int]
    report_numbers: list[str]

    @property
    def has_content(self) -> bool:
        d = self.data
        return bool(
            any(v.strip() for v in d.observations.values())
            or d.problems
            or d.actions
            or any(self.photo_counts.values())
        )


@dataclass(frozen=True)
class PatrolView:
    id: str
    grid: GridInfo | None
    worker: str
    worker_phone: str
    companions: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    summary: str
    visits: list[VisitView]


@dataclass(frozen=True)
class ReportInput:
    unit_id: str
    category: str
    description: str
    urgency: str = "normal"
    lat: float | None = None
    lon: float | None = None
    location: str = ""
    photos: list[PreparedPhoto] = field(default_factory=list)
    visit_id: str | None = None


@dataclass(frozen=True)
class ReportRow:
    id: str
    number: str
    place_name: str
    category: str
    description: str
    urgency: str
    reported_at: datetime
    state: str  # a TaskState, or "" while the township has not received it
    state_label: str
    history: list[dict[str, Any]]


def report_number(at: datetime, report_id: str) -> str:
    return f"网报{at:%Y%m%d}-{report_id[-4:].upper()}"


def open_patrol(s: Session, patrol_id: str) -> Patrol:
    patrol = s.get(Patrol, patrol_id)
    if patrol is None:
        raise UserError("找不到这次巡查记录。")
    if patrol.status != "open":
        raise UserError("这次巡查已经结束，记录已固定，不能再修改。")
    return patrol


def clean_visit(d: VisitInput) -> VisitInput:
    if d.place_kind not in PLACE_KINDS:
        raise UserError(f"场所类型应为：{'、'.join(PLACE_KINDS)}。")
    obs = {}
    for aspect, note in d.observations.items():
        if aspect not in ASPECTS:
            raise UserError("“六个一”项目不认识。")
        text = clean_text(ASPECTS[aspect], note, max_chars=1000)
        if text:
            obs[aspect] = text
    problems = []
    for cls, text in d.problems:
        if cls not in PROBLEM_CLASSES:
            raise UserError(f"问题类别应为：{'、'.join(PROBLEM_CLASSES)}。")
        body = clean_text("问题描述", text, max_chars=500, required=True)
        problems.append((cls, body))
    bad = [a for a in d.actions if a not in ACTIONS]
    if bad:
        raise UserError(f"处置方式应为：{'、'.join(ACTIONS)}。")
    if d.party_signed not in ("", "signed", "refused"):
        raise UserError("现场人员签名情况不认识。")
    return VisitInput(
        unit_id=d.unit_id,
        place_kind=d.place_kind,
        observations=obs,
        problems=problems,
        actions=[a for a in ACTIONS if a in d.actions],
        fixed_on_spot=d.fixed_on_spot,
        deadline=d.deadline,
        party=clean_text("现场人员", d.party, max_chars=50),
        party_signed=d.party_signed,
        lat=d.lat,
        lon=d.lon,
    )


def patrol_view(s: Session, p: Patrol) -> PatrolView:
    grid = s.get(Grid, p.grid_id) if p.grid_id else None
    town = s.get(Township, grid.township_id) if grid else None
    worker = s.get(User, p.user_id) if p.user_id else None
    visits = []
    rows = s.exec(
        select(PatrolVisit, Unit)
        .join(Unit, col(Unit.id) == PatrolVisit.unit_id)
        .where(PatrolVisit.patrol_id == p.id)
        .order_by(col(PatrolVisit.seq))
    ).all()
    ids = [v.id for v, _ in rows]
    counts: dict[str, dict[str, int]] = {}
    for visit_id, aspect in s.exec(
        select(Photo.visit_id, Photo.aspect).where(
            col(Photo.visit_id).in_(ids), Photo.removed_reason == ""
        )
    ):
        per = counts.setdefault(str(visit_id), {})
        per[aspect] = per.get(aspect, 0) + 1
    numbers: dict[str, list[str]] = {}
    for visit_id, number in s.exec(
        select(HazardReport.visit_id, HazardReport.number)
        .where(col(HazardReport.visit_id).in_(ids))
        .order_by(col(HazardReport.reported_at))
    ):
        numbers.setdefault(str(visit_id), []).append(number)
    for v, u in rows:
        data = VisitInput(
            unit_id=v.unit_id,
            place_kind=v.place_kind,
            observations=json.loads(v.observations),
            problems=[(c, t) for c, t in json.loads(v.problems)],
            actions=json.loads(v.actions),
            fixed_on_spot=v.fixed_on_spot,
            deadline=v.deadline,
            party=v.party,
            party_signed=v.party_signed,
            lat=v.lat,
            lon=v.lon,
        )
        visits.append(
            VisitView(
                v.id,
                u.id,
                u.name,
                u.address,
                u.credit_code,
                data,
                v.visited_at,
                counts.get(v.id, {}),
                numbers.get(v.id, []),
            )
        )
    return PatrolView(
        id=p.id,
        grid=GridInfo(grid.id, grid.name, grid.code, grid.township_id, town.name if town else "")
        if grid
        else None,
        worker=worker.name if worker else "",
        worker_phone=worker.phone if worker else "",
        companions=p.companions,
        started_at=p.started_at,
        ended_at=p.ended_at,
        status=p.status,
        summary=p.summary,
        visits=visits,
    )
