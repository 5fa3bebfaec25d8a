"""Supervised units: search, browse, the unit page, and adding units (credit code checked)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from inspector.domain import creditcode
from inspector.domain.enums import SUPERVISION_LEVELS, RiskColour
from inspector.domain.errors import UserError
from inspector.domain.search_text import unit_search_text
from inspector.services.changes import Changes, Done
from inspector.services.context import Context
from inspector.services.counts import hazard_counts
from inspector.services.hazards.filters import HazardQuery, where_of
from inspector.services.journal import queue, to_jsonable
from inspector.services.people.role import identity, read_identity, scoped_filters
from inspector.services.textcheck import clean_text
from inspector.services.units.field_edit import UnitEdit, edit_unit
from inspector.store import unit_search
from inspector.store.models import Grid, Hazard, Inspection, Township, Unit
from inspector.store.unit_search import UnitFilters, insert_units_indexed
from inspector.util.ids import uuid7

__all__ = ["UnitEdit", "UnitFilters", "UnitRow", "UnitService"]


@dataclass(frozen=True)
class UnitRow:
    id: str
    credit_code: str | None
    name: str
    address: str
    industry: str
    level: str
    risk_colour: str
    township_id: str | None
    grid_id: str | None
    status: str
    tags: tuple[str, ...]

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> UnitRow:
        return cls(
            id=row[0],
            credit_code=row[1],
            name=row[2],
            address=row[3],
            industry=row[4],
            level=row[5],
            risk_colour=row[6],
            township_id=row[7],
            grid_id=row[8],
            status=row[9],
            tags=tuple(json.loads(row[10] or "[]")),
        )


@dataclass(frozen=True)
class FilterOptions:
    industries: list[str]
    townships: list[tuple[str, str]]  # (id, name)
    grids: list[tuple[str, str, str]]  # (id, township_id, name)


@dataclass(frozen=True)
class InspectionSummary:
    id: str
    started_at: str
    kind: str
    status: str
    hazard_count: int


@dataclass(frozen=True)
class HazardSummary:
    id: str
    grade: str
    description: str
    deadline: str | None
    status: str


@dataclass(frozen=True)
class UnitDetail:
    unit: dict[str, Any]
    township: str
    grid: str
    inspections: list[InspectionSummary] = field(default_factory=list)
    open_hazards: list[HazardSummary] = field(default_factory=list)


@dataclass(frozen=True)
class NewUnit:
    name: str
    address: str = ""
    credit_code: str | None = None
    township_id: str | None = None
    grid_id: str | None = None
    industry: str = ""
    supervision_level: str = "D"
    risk_colour: str = "blue"
    tags: tuple[str, ...] = ()
    legal_rep: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    lat: float | None = None
    lon: float | None = None
    id: str | None = None


class UnitService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- reads ---------------------------------------------------------------------------------
    def search(
        self, query: str, filters: UnitFilters | None = None, *, limit: int = 200, offset: int = 0
    ) -> list[UnitRow]:
        scoped = scoped_filters(read_identity(self.ctx), filters or UnitFilters())
        with self.ctx.store.reader.connect() as conn:
            rows = unit_search.search_ids(conn, query, scoped, limit, offset)
        return [UnitRow.from_row(r) for r in rows]

    def count(self, query: str, filters: UnitFilters | None = None) -> int:
        scoped = scoped_filters(read_identity(self.ctx), filters or UnitFilters())
        with self.ctx.store.reader.connect() as conn:
            return unit_search.count(conn, query, scoped)

    def filter_options(self) -> FilterOptions:
        with self.ctx.store.read() as s:
            industries = [
                i for i in s.exec(select(Unit.industry).distinct().order_by(Unit.industry)) if i
            ]
            towns = [(t.id, t.name) for t in s.exec(select(Township).order_by(Township.name))]
            who = identity(s)
            grids = [
                (g.id, g.township_id, g.name)
                for g in s.exec(select(Grid).order_by(Grid.name))
                if scoped_filters(who, UnitFilters(grid_id=g.id)).grid_id == g.id
            ]
        return FilterOptions(industries, towns, grids)

    def detail(self, unit_id: str) -> UnitDetail:
        with self.ctx.store.read() as s:
            unit = s.get(Unit, unit_id)
            if unit is None:
                raise UserError("找不到该单位（可能已被删除）。")
            town = s.get(Township, unit.township_id) if unit.township_id else None
            grid = s.get(Grid, unit.grid_id) if unit.grid_id else None
            rows = s.exec(
                select(Inspection)
                .where(Inspection.unit_id == unit_id)
                .order_by(col(Inspection.started_at).desc())
            ).all()
            counts = hazard_counts(s, (i.id for i in rows))  # the one count (services/counts.py)
            inspections = [
                InspectionSummary(
                    i.id, i.started_at.isoformat(), i.kind, i.status, counts.get(i.id, 0)
                )
                for i in rows
            ]
            hazards = [
                HazardSummary(
                    h.id,
                    h.grade,
                    h.description,
                    h.deadline.isoformat() if h.deadline else None,
                    h.status,
                )
                for h in s.exec(
                    select(Hazard)
                    .where(Hazard.unit_id == unit_id)
                    .where(where_of(HazardQuery()))  # 未销号 as the 隐患 page means it
                    .order_by(col(Hazard.created_at).desc())
                )
            ]
            data = unit.model_dump(exclude={"search_name", "search_addr", "search_pyfull"})
        return UnitDetail(
            unit=data,
            township=town.name if town else "",
            grid=grid.name if grid else "",
            inspections=inspections,
            open_hazards=hazards,
        )

    # -- writes --------------------------------------------------------------------------------
    def add(self, new: NewUnit) -> Done[str]:
        """Add one unit typed in by a person (validated, queued for the server)."""
        name = clean_text("单位名称", new.name, max_chars=200, required=True)
        address = clean_text("地址", new.address, max_chars=300)
        legal_rep = clean_text("法定代表人（负责人）", new.legal_rep, max_chars=50)
        phone = clean_text("联系电话", new.contact_phone, max_chars=30)
        industry = clean_text("行业", new.industry, max_chars=30)
        contact = clean_text("联系人", new.contact_name, max_chars=50)
        tags = tuple(clean_text("标签", t, max_chars=20) for t in new.tags if t.strip())
        if new.supervision_level not in SUPERVISION_LEVELS:
            raise UserError("监管分级应为 A、B、C、D 之一。")
        code = None
        if new.credit_code and new.credit_code.strip():
            code = creditcode.validate(new.credit_code).code
        if new.risk_colour not in {c.value for c in RiskColour}:
            raise UserError("风险等级应为红、橙、黄、蓝之一。")
        with self.ctx.store.write() as s:
            grid = s.get(Grid, new.grid_id) if new.grid_id else None
            if new.grid_id and (grid is None or grid.township_id != new.township_id):
                raise UserError("所选网格不属于所选乡镇（街道）。")
            if new.township_id and s.get(Township, new.township_id) is None:
                raise UserError("所选乡镇（街道）不在本机名单中。")
            if code and s.exec(select(Unit.id).where(Unit.credit_code == code)).first():
                raise UserError(f"统一社会信用代码 {code} 已登记在另一个单位名下。")
            clean = replace(
                new,
                name=name,
                address=address,
                credit_code=code,
                legal_rep=legal_rep,
                contact_phone=phone,
                industry=industry,
                contact_name=contact,
                tags=tags,
            )
            [row] = insert_units(s, [clean], self.ctx)
            payload = {k: v for k, v in row.items() if not k.startswith("search_")}
            queue(s, self.ctx.clock, "unit", row["id"], to_jsonable(payload))
        return Done(row["id"], Changes(units=frozenset({row["id"]})))

    def edit(self, unit_id: str, edit: UnitEdit) -> Done[list[str]]:
        """Correct a unit's address, 负责人, contact and location in the field (`field_edit`)."""
        return edit_unit(self.ctx, unit_id, edit)


def insert_units(session: Session, units: Iterable[NewUnit], ctx: Context) -> list[dict[str, Any]]:
    """Insert prepared units inside a write transaction (search text and sn derived here).

    Uses one executemany, so a 100,000-unit load stays fast; returns the rows as dicts."""
    next_sn = (
        int(
            session.connection().execute(text("SELECT COALESCE(MAX(sn), 0) FROM unit")).scalar_one()
        )
        + 1
    )
    now = ctx.clock.now()
    rows: list[dict[str, Any]] = []
    for new in units:
        st = unit_search_text(new.name, new.address)
        rows.append(
            {
                "id": new.id or uuid7(),
                "sn": next_sn,
                "credit_code": new.credit_code,
                "name": new.name,
                "address": new.address,
                "township_id": new.township_id,
                "grid_id": new.grid_id,
                "industry": new.industry,
                "supervision_level": new.supervision_level,
                "risk_colour": new.risk_colour,
                "tags": json.dumps(list(new.tags), ensure_ascii=False),
                "legal_rep": new.legal_rep,
                "contact_name": new.contact_name,
                "contact_phone": new.contact_phone,
                "lat": new.lat,
                "lon": new.lon,
                "status": "active",
                "name_pinyin": st.name_pinyin,
                "name_initials": st.name_initials,
                "search_name": st.search_name,
                "search_addr": st.search_addr,
                "search_pyfull": st.search_pyfull,
                "version": 0,
                "updated_at": now,
                "deleted": False,
            }
        )
        next_sn += 1
    insert_units_indexed(session.connection(), Unit.__table__, rows)  # type: ignore[attr-defined]
    return rows
