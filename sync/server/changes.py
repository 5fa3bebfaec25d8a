"""The pull: server-owned rows changed since a cursor, in change-number order, in the caller's scope.

Every row carries the change number (``seq``) of its last write; a row written again moves to its
new number, so each state of a row is delivered once. The page and the counter are read in one
snapshot: every number up to the counter is committed in that snapshot, so ``next`` never skips a
late commit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Engine, and_, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from inspector.domain.search_text import name_syllables
from sync.contract import UNIT_NAME_SYLLABLES, Change, ChangesPage
from sync.server import hazard_fold
from sync.server.auth import Caller
from sync.server.db import (
    Agency,
    Checklist,
    Grid,
    HazardFold,
    NumberBlock,
    ServerModel,
    Task,
    Township,
    Unit,
    User,
    counter,
    read_session,
)
from sync.server.push_units import unit_row
from sync.server.tasks import task_row


class Gone(Exception):
    """The cursor is older than the tombstone horizon: re-pull from 0 (HTTP 410)."""

    def __init__(self, horizon: int) -> None:
        super().__init__(horizon)
        self.horizon = horizon


def _agency_data(a: Agency) -> dict[str, Any]:
    return {**a.data, "id": a.id, "name": a.name, "short_name": a.short_name}


def _user_data(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "agency_id": u.agency_id,
        "name": u.name,
        "cert_no": u.cert_no,
        "role": u.role,
        "phone": u.phone,
        "active": u.active,
    }


def _township_data(t: Township) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "county": t.county}


def _grid_data(g: Grid) -> dict[str, Any]:
    return {"id": g.id, "township_id": g.township_id, "name": g.name, "code": g.code}


def _checklist_data(c: Checklist) -> dict[str, Any]:
    return {**c.data, "id": c.id, "code": c.code, "version": c.label}


@functools.lru_cache(maxsize=1 << 17)
def _spoken(name: str) -> str:
    """A name's pinyin syllables, worked out once per server process (about 40 µs a name)."""
    return " ".join(name_syllables(name))


def _unit_data(u: Any) -> dict[str, Any]:
    row = unit_row(u)
    row[UNIT_NAME_SYLLABLES] = _spoken(row["name"])
    return row


def _task_scope(c: Caller) -> ColumnElement[bool]:
    """Tasks of the caller's area, and the tasks opened by the caller's own reports. A grid worker
    sees only grid reports: a 双随机 or 专项 inspection is not announced (四不两直)."""
    mine = col(Task.reporter_id) == c.user_id
    area = c.area_scope(Task.agency_id, Task.township_id, Task.grid_id, walk_seq=True)
    if c.role == "grid_worker":
        return or_(mine, and_(area, col(Task.source) == "report"))
    return or_(mine, area)


def _block_data(b: NumberBlock) -> dict[str, Any]:
    return {
        "id": b.id,
        "agency_id": b.agency_id,
        "series": b.series,
        "year": b.year,
        "first": b.first,
        "last": b.last,
        "device_id": b.device_id,
    }


@dataclass(frozen=True)
class _Feed:
    entity: str
    model: type[ServerModel]
    scope: Callable[[Caller], ColumnElement[bool]]
    data: Callable[[Any], dict[str, Any]]
    deleted: Callable[[Any], bool] = lambda _row: False


FEEDS: tuple[_Feed, ...] = (
    _Feed("agency", Agency, lambda c: col(Agency.id) == c.agency_id, _agency_data),
    _Feed("user", User, lambda c: col(User.agency_id) == c.agency_id, _user_data),
    _Feed("township", Township, lambda c: col(Township.agency_id) == c.agency_id, _township_data),
    _Feed("grid", Grid, lambda c: col(Grid.agency_id) == c.agency_id, _grid_data),
    _Feed(
        "unit",
        Unit,
        lambda c: c.unit_scope(walk_seq=True),
        _unit_data,
        lambda u: u.deleted_at is not None,
    ),
    _Feed(
        "checklist",
        Checklist,
        lambda c: or_(col(Checklist.agency_id).is_(None), col(Checklist.agency_id) == c.agency_id),
        _checklist_data,
        lambda c: c.deleted_at is not None,
    ),
    _Feed(
        "numberblock",
        NumberBlock,
        lambda c: (
            (col(NumberBlock.agency_id) == c.agency_id)
            & (col(NumberBlock.device_id) == c.device_id)
        ),
        _block_data,
    ),
    _Feed("task", Task, _task_scope, task_row),
    _Feed(
        hazard_fold.ENTITY,
        HazardFold,
        lambda c: c.area_scope(
            HazardFold.agency_id, HazardFold.township_id, HazardFold.grid_id, walk_seq=True
        ),
        hazard_fold.state_row,
    ),
)


def changes_page(engine: Engine, caller: Caller, since: int, limit: int) -> ChangesPage:
    with read_session(engine) as s:
        last, horizon = counter(s)
        if 0 < since < horizon:
            raise Gone(horizon)
        found: list[tuple[int, Change]] = []
        for feed in FEEDS:
            seq_col = col(feed.model.seq)  # type: ignore[attr-defined]
            # plain rows, not ORM objects: a page of units is built in a third of the time
            rows = (
                s.connection()
                .execute(
                    sa_select(feed.model.__table__)  # type: ignore[attr-defined]
                    .where(seq_col > since, feed.scope(caller))
                    .order_by(seq_col)
                    .limit(limit + 1)
                )
                .all()
            )
            for row in rows:
                r: Any = row
                found.append(
                    (
                        r.seq,
                        Change(
                            seq=r.seq,
                            entity=feed.entity,
                            id=r.id,
                            version=r.version,
                            deleted=feed.deleted(r),
                            data=feed.data(r),
                        ),
                    )
                )
    found.sort(key=lambda x: x[0])
    page = [c for _, c in found[:limit]]
    more = len(found) > limit
    nxt = page[-1].seq if more else max(since, last, page[-1].seq if page else 0)
    return ChangesPage(changes=page, next=nxt, more=more)


def scope_counts(s: Session, caller: Caller) -> dict[str, int]:
    """Live (not deleted) rows per pulled entity in the caller's scope (the sanity check)."""
    out: dict[str, int] = {}
    for feed in FEEDS:
        stmt = select(func.count()).select_from(feed.model).where(feed.scope(caller))
        if feed.model in (Unit, Checklist):
            stmt = stmt.where(col(feed.model.deleted_at).is_(None))
        out[feed.entity] = int(s.exec(stmt).one())
    return out
