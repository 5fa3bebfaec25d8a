"""月度统计 over the whole jurisdiction: the client's own pure function
(inspector.domain.monthly.monthly_figures) run over every inspection, hazard and document that
devices have pushed for units in the caller's scope.

Only records near the month are read: the JSON time field's text must start with a date from two
days before the month to two days after it (a time written with any UTC offset lies within a day
of its local date); the pure function then applies the exact local month. A device writes these
times already corrected by the clock offset its last sync measured (inspector.util.clock; the
record names it in `clock_offset_s`), so a device with a wrong clock is counted in the right month.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import col, select

from inspector.domain.monthly import (
    MonthlyFigures,
    StatsRows,
    month_bounds,
    monthly_figures,
    tally_of,
)
from sync.contract import MonthlyStats
from sync.server.auth import Caller
from sync.server.db import (
    Agency,
    HazardFold,
    Record,
    Township,
    Unit,
    read_session,
    utcnow,
)

log = logging.getLogger("inspector.server.stats")

# entity → the payload field that places it in a month
MONTH_FIELD = {"inspection": "started_at", "hazard": "created_at", "document": "issued_at"}


class NotInScope(Exception):
    """The township asked for is not in the caller's jurisdiction (or does not exist)."""


def monthly_stats(
    engine: Engine,
    who: Caller,
    year: int,
    month: int,
    township_id: str | None,
    today: date,
) -> MonthlyStats:
    first, last = month_bounds(year, month)
    lo, hi = (first - timedelta(days=2)).isoformat(), (last + timedelta(days=3)).isoformat()
    with read_session(engine) as s:
        township_name = ""
        if township_id is not None:
            town = s.get(Township, township_id)
            if town is None or not who.sees_area(town.agency_id, town.id, None):
                raise NotInScope(township_id)
            township_name = town.name
        payloads: dict[str, list[dict[str, Any]]] = {}
        units: dict[str, str | None] = {}
        for entity, field in MONTH_FIELD.items():
            moment = col(Record.data)[field].as_string()
            if entity == "document":  # a site record from an older client: see issue_time
                moment = func.coalesce(moment, col(Record.data)["created_at"].as_string())
            query = (
                select(Record.data, Unit.id, Unit.township_id)
                .join(Unit, col(Unit.id) == col(Record.unit_id))
                .where(Record.entity == entity, moment >= lo, moment < hi, who.unit_scope())
            )
            if township_id is not None:
                query = query.where(Unit.township_id == township_id)
            payloads[entity] = []
            for data, unit_id, unit_township in s.exec(query):
                # the server's unit decides where a record lies, not what the device wrote
                payloads[entity].append({**data, "unit_id": unit_id})
                units[unit_id] = unit_township
        _fold_hazards(s, payloads["hazard"])
        agency = s.get(Agency, who.agency_id)
        agency_name = agency.name if agency else ""
        scope_label = _scope_label(s, who, agency_name)
    rows = StatsRows.from_payloads(
        payloads["inspection"],
        payloads["hazard"],
        payloads["document"],
        [{"id": uid, "township_id": tid} for uid, tid in units.items()],
    )
    if rows.skipped:
        log.warning(
            "monthly stats %d-%02d: %d unreadable records left out", year, month, rows.skipped
        )
    figures = monthly_figures(rows, year, month, today, township_id)
    figures = replace(figures, agency_name=agency_name, township_name=township_name)
    return stats_of(figures, utcnow(), scope_label, rows.skipped)


def stats_of(
    figures: MonthlyFigures, as_of: datetime, scope_label: str, skipped: int = 0
) -> MonthlyStats:
    """The figures as the server sends them (sync.contract.MonthlyStats)."""
    return MonthlyStats(**tally_of(figures), as_of=as_of, scope_label=scope_label, skipped=skipped)


def _fold_hazards(s: Any, hazards: list[dict[str, Any]]) -> None:
    """A hazard stepped on several devices counts by the server's fold of all their steps
    (sync.server.hazard_fold), not by whichever device's snapshot came last."""
    ids = [h["id"] for h in hazards if isinstance(h.get("id"), str)]
    if not ids:
        return
    folded = {
        f.id: f
        for f in s.exec(
            select(HazardFold).where(col(HazardFold.id).in_(ids), col(HazardFold.seq) > 0)
        )
    }
    for h in hazards:
        f = folded.get(h.get("id"))
        if f is not None:
            h["status"] = f.status
            h["deadline"] = f.deadline.isoformat() if f.deadline else None


def _scope_label(s: Any, who: Caller, agency_name: str) -> str:
    """Whose records these are, in words: the agency's whole area or the caller's townships and
    grids."""
    if who.agency_wide:
        return f"{agency_name}（全辖区）"
    names = list(
        s.exec(
            select(Township.name)
            .where(col(Township.id).in_(who.township_ids))
            .order_by(Township.name)
        )
    )
    if who.grid_ids:
        names.append(f"{len(who.grid_ids)} 个网格")
    return "、".join(names) or "本人辖区"


def local_today() -> date:
    """The server's calendar day in its local time zone (the agency's)."""
    return datetime.now().astimezone().date()
