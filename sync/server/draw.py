"""双随机抽查: a random draw of units to inspect, and of inspectors for each, that anyone can redo.

The rule, simple enough to check by hand or in a spreadsheet: every candidate unit gets the rank
SHA-256(`<seed>:<unit id>`) in hex, and the `n` lowest ranks are drawn; for each drawn unit, every
eligible inspector gets SHA-256(`<seed>:<unit id>:<user id>`) and the `k` lowest are drawn. The
order the database returns rows in plays no part, and neither does the language or version of
the tool that redoes it. The seed is chosen before the candidates are read (from the system's
random source unless given) and is recorded with the filter, the whole candidate list and the
result (`Draw`), so the draw can be published and verified later (`verify_draw`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from inspector.domain.enums import SUPERVISION_LEVELS
from inspector.domain.tasks import TaskKind, TaskState
from inspector.util.ids import uuid7
from sync.server.admin import AdminError, find_place
from sync.server.db import Agency, Draw, Township, Unit, User, read_session, write_session
from sync.server.tasks import new_task

COLOURS = ("red", "orange", "yellow", "blue")
COLOUR_NAMES = {"red": "红", "orange": "橙", "yellow": "黄", "blue": "蓝"}


class DrawError(AdminError):
    """A refusal to show the administrator (in Chinese)."""


@dataclass(frozen=True)
class DrawFilter:
    """Which units may be drawn; an empty field does not filter."""

    township_ids: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()  # supervision levels A–D
    colours: tuple[str, ...] = ()  # red / orange / yellow / blue
    industries: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in vars(self).items() if v}

    def admits(self, unit: Unit) -> bool:
        d = unit.data
        return (
            unit.deleted_at is None
            and (not self.township_ids or unit.township_id in self.township_ids)
            and (not self.levels or d.get("supervision_level") in self.levels)
            and (not self.colours or d.get("risk_colour") in self.colours)
            and (not self.industries or d.get("industry") in self.industries)
        )


@dataclass
class DrawResult:
    draw_id: str
    seed: str
    candidates: int
    units: list[Unit]
    inspectors: dict[str, list[User]] = field(default_factory=dict)
    short: bool = False  # fewer candidates than asked for: every candidate was drawn


def rank(seed: str, *ids: str) -> str:
    return hashlib.sha256(":".join((seed, *ids)).encode("utf-8")).hexdigest()


def pick(seed: str, ids: Sequence[str], n: int, *prefix: str) -> list[str]:
    """The n ids of lowest rank, lowest first."""
    return sorted(ids, key=lambda i: rank(seed, *prefix, i))[:n]


def check_filter(flt: DrawFilter) -> None:
    bad_levels = set(flt.levels) - set(SUPERVISION_LEVELS)
    if bad_levels:
        raise DrawError(
            f"监管级别应为 {'、'.join(SUPERVISION_LEVELS)}，不认识：{'、'.join(bad_levels)}。"
        )
    bad_colours = set(flt.colours) - set(COLOURS)
    if bad_colours:
        raise DrawError(f"风险颜色应为 {'、'.join(COLOURS)}，不认识：{'、'.join(bad_colours)}。")


def _eligible_inspectors(s: Session, agency_id: str) -> list[User]:
    return list(
        s.exec(
            select(User).where(
                User.agency_id == agency_id,
                User.role == "inspector",
                col(User.active).is_(True),
            )
        )
    )


def covers(user: User, unit: Unit) -> bool:
    return user.agency_wide or (
        unit.township_id is not None and unit.township_id in user.township_ids
    )


def draw_units(
    engine: Engine,
    agency_id: str,
    n: int,
    flt: DrawFilter = DrawFilter(),
    *,
    inspectors_per_unit: int = 0,
    seed: str | None = None,
    made_by: str = "",
    due: date | None = None,
) -> DrawResult:
    """Draw n units of the agency that pass the filter (and k inspectors whose jurisdiction
    covers each), record the draw, and open a 双随机抽查 task for each drawn unit (dispatched to
    its drawn inspectors), which flows to the devices of the unit's area."""
    if not 1 <= n <= 100_000 or not 0 <= inspectors_per_unit <= 10:
        raise DrawError("抽取单位数应为1–100000，每家单位的执法人员数应为0–10。")
    check_filter(flt)
    seed = seed.strip() if seed is not None else secrets.token_hex(16)
    if not seed or len(seed) > 200:
        raise DrawError("随机种子不能为空，且不超过200个字符。")
    with write_session(engine) as s:
        if s.get(Agency, agency_id) is None:
            raise DrawError(f"没有机关 {agency_id}。")
        towns = list(s.exec(select(Township).where(Township.agency_id == agency_id)))
        flt = replace(
            flt, township_ids=tuple(find_place(towns, t, "乡镇（街道）") for t in flt.township_ids)
        )
        units = [
            u for u in s.exec(select(Unit).where(Unit.agency_id == agency_id)) if flt.admits(u)
        ]
        if not units:
            raise DrawError("没有符合条件的单位，请放宽筛选条件。")
        by_id = {u.id: u for u in units}
        candidates = sorted(by_id)
        drawn = pick(seed, candidates, n)
        people = _eligible_inspectors(s, agency_id)
        chosen: dict[str, list[str]] = {}
        pools: dict[str, list[str]] = {}
        if inspectors_per_unit:
            for uid in drawn:
                ok = sorted(p.id for p in people if covers(p, by_id[uid]))
                pools[uid] = ok
                if len(ok) < inspectors_per_unit:
                    name = by_id[uid].data.get("name", uid)
                    raise DrawError(
                        f"“{name}”所在乡镇只有 {len(ok)} 名执法人员，不够每家 {inspectors_per_unit} 名。"
                    )
                chosen[uid] = pick(seed, ok, inspectors_per_unit, uid)
        record = Draw(
            id=uuid7(),
            agency_id=agency_id,
            seed=seed,
            filter=flt.as_dict(),
            candidates=candidates,
            drawn=drawn,
            inspectors=chosen,
            inspector_pools=pools,
            made_by=made_by,
        )
        s.add(record)
        for uid in drawn:
            assigned = chosen.get(uid, [])
            new_task(
                s,
                task_id=uuid7(),
                agency_id=agency_id,
                unit=by_id[uid],
                kind=TaskKind.RANDOM,
                title=f"{by_id[uid].data.get('name', '')}：双随机抽查",
                source="draw",
                due=due,
                assignee_ids=assigned,
                state=TaskState.DISPATCHED if assigned else TaskState.ACCEPTED,
                note=f"双随机抽取（种子 {seed}，抽取记录 {record.id}）",
            )
        users = {p.id: p for p in people}
    return DrawResult(
        draw_id=record.id,
        seed=seed,
        candidates=len(candidates),
        units=[by_id[i] for i in drawn],
        inspectors={uid: [users[p] for p in ps] for uid, ps in chosen.items()},
        short=len(candidates) < n,
    )


def verify_draw(engine: Engine, draw_id: str) -> list[str]:
    """Redo a recorded draw from its seed and candidate list; the differences found (empty: the
    record is what the rule gives)."""
    with read_session(engine) as s:
        d = s.get(Draw, draw_id)
        if d is None:
            raise DrawError(f"没有抽取记录 {draw_id}。")
        problems = []
        if sorted(d.candidates) != d.candidates or len(set(d.candidates)) != len(d.candidates):
            problems.append("候选单位名单不是按编号排列的不重复名单。")
        expected = pick(d.seed, d.candidates, len(d.drawn))
        if expected != d.drawn:
            problems.append("抽中的单位与按种子重算的结果不符。")
        for uid, people in d.inspectors.items():
            pool = d.inspector_pools.get(uid, [])
            if uid not in d.drawn or pick(d.seed, pool, len(people), uid) != people:
                problems.append(f"单位 {uid} 的执法人员与按种子重算的结果不符。")
        return problems
