"""Hazards across inspections: the lists, their filters and a hazard's steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, or_, select

from inspector.domain.enums import (
    UNDONE_HAZARD_STATES,
    HazardStatus,
)
from inspector.domain.hazard_loop import LoopState
from inspector.services.context import Context
from inspector.services.hazards.filters import HazardQuery, due_matches, where_of
from inspector.store.models import Hazard, Inspection, Unit
from inspector.util.clock import to_local


@dataclass(frozen=True)
class HazardRow:
    id: str
    inspection_id: str
    unit_name: str
    grade: str
    description: str
    deadline: date | None
    status: str
    overdue: bool
    supervised: bool = False
    conflict: str = ""  # the server's flag: steps of several devices that do not fit
    found_on: date | None = None  # 发现日期: the day it was recorded (local)
    inspected_on: date | None = None  # the day its inspection started (local)

    @property
    def status_label(self) -> str:
        return "逾期" if self.overdue else HazardStatus(self.status).label

    @property
    def conflict_label(self) -> str:
        return conflict_label(self.conflict)


def conflict_label(conflict: str) -> str:
    """The marker a person sees on a flagged hazard ("" when there is no flag)."""
    if not conflict:
        return ""
    return f"⚠ 状态冲突：{conflict}。请核实后按实际情况处理。"


class HazardService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def open_hazards(self, limit: int = 1000) -> list[HazardRow]:
        return self._hazards(col(Hazard.status).in_(UNDONE_HAZARD_STATES), limit)

    def listed_hazards(self, limit: int = 1000) -> list[HazardRow]:
        """The 隐患 page: the open hazards and, whatever their status, the flagged ones (their
        steps from several devices do not fit), flagged first."""
        rows = self._hazards(
            or_(col(Hazard.status).in_(UNDONE_HAZARD_STATES), col(Hazard.conflict) != ""), limit
        )
        return sorted(rows, key=lambda h: not h.conflict)

    def find(self, query: HazardQuery, limit: int = 2000) -> list[HazardRow]:
        """The 隐患 page's table: the hazards that answer the query, flagged ones first, then by
        deadline."""
        today = self.ctx.clock.today()
        rows = self._hazards(where_of(query), limit)
        rows = [h for h in rows if due_matches(query, h.deadline, h.overdue, today)]
        return sorted(rows, key=lambda h: not h.conflict)

    def _hazards(self, where: Any, limit: int) -> list[HazardRow]:
        today = self.ctx.clock.today()
        with self.ctx.store.read() as s:
            rows = s.exec(
                select(Hazard, Unit.name, Inspection.started_at)
                .join(Unit, col(Unit.id) == Hazard.unit_id)
                .join(Inspection, col(Inspection.id) == Hazard.inspection_id)
                .where(where)
                .order_by(col(Hazard.deadline), col(Hazard.created_at))
                .limit(limit)
            ).all()
        return [
            HazardRow(
                h.id,
                h.inspection_id,
                name,
                h.grade,
                h.description,
                h.deadline,
                h.status,
                LoopState(HazardStatus(h.status), h.deadline).overdue(today),
                h.supervised,
                h.conflict,
                to_local(h.created_at).date(),
                to_local(started).date(),
            )
            for h, name, started in rows
        ]
