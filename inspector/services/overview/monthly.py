"""月度统计 on the device: the month's figures over this device's tables (the pure computation is
inspector.domain.monthly), the server's figures for the whole jurisdiction (kept for when the
server is out of reach), and their export to Excel and PDF (inspector.documents.monthly_*)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

from inspector.documents.monthly_pdf import pdf_bytes
from inspector.documents.monthly_xlsx import xlsx_bytes
from inspector.domain.errors import UserError
from inspector.domain.monthly import (
    DocRow,
    HazardRow,
    InspectionRow,
    MonthlyFigures,
    StatsRows,
    UnitRow,
    month_bounds,
    monthly_figures,
    tally_of,
)
from inspector.services.context import Context
from inspector.services.documents.site_record import export_file
from inspector.services.overview.home import HomeSummary, home_summary
from inspector.services.setting_rows import (
    STATS_CACHE,
    USERNAME,
    current_agency_id,
    get_setting,
    set_setting,
)
from inspector.store.models import Agency, Document, Hazard, Inspection, Township, Unit
from inspector.util.clock import local_midnight_utc, to_local
from sync.contract import MONTHLY_STATS, MonthlyStats

log = logging.getLogger("inspector.overview")


def figures_of(stats: MonthlyStats) -> MonthlyFigures:
    """The server's figures as the page, Excel and PDF show them."""
    return MonthlyFigures(
        **tally_of(stats),
        source="server",
        as_of=stats.as_of,
        scope_label=stats.scope_label,
        skipped=stats.skipped,
    )


# --- service -------------------------------------------------------------------------------------


FetchMonthly = Callable[[int, int, str | None], MonthlyStats]


class OverviewService:
    def __init__(self, ctx: Context, fetch: FetchMonthly | None = None) -> None:
        self.ctx = ctx
        self.fetch = fetch  # the server's figures (SyncService.fetch_monthly); None: no server

    def home_summary(self, due_within_days: int = 7) -> HomeSummary:
        """The home page's figures (services/overview/home.py)."""
        return home_summary(self.ctx, due_within_days)

    def server_figures(
        self, year: int, month: int, township_id: str | None = None
    ) -> MonthlyFigures:
        """The jurisdiction's figures from the server (network: call off the GUI thread). Each
        answer is kept, so with the server out of reach the last one comes back with
        `stale_reason`; with none kept, UserError says why and points to 本机记录."""
        with self.ctx.store.read() as s:
            user = get_setting(s, USERNAME) or ""
            suffix = f"{user}:{year}-{month:02d}:{township_id or '*'}"
            key = STATS_CACHE.at(suffix)
        try:
            if self.fetch is None:
                raise UserError("本机没有配置同步服务器。")
            stats = self.fetch(year, month, township_id)
        except UserError as err:
            with self.ctx.store.read() as s:
                kept = get_setting(s, key)
            if kept is None:
                raise UserError(
                    f"{err}无法显示全辖区统计，可在“数据来源”中选择“本机记录”。"
                ) from None
            try:
                old = MONTHLY_STATS.validate_json(kept)
            except ValueError:
                raise UserError(f"{err}无法显示全辖区统计。") from None
            log.warning("server statistics not reached, showing the kept ones: %s", err)
            return replace(figures_of(old), stale_reason=str(err))
        # kept for a day the server cannot be reached (this runs on the pool: the writer keeps it)
        self.ctx.run_on_writer(lambda: self._keep(suffix, MONTHLY_STATS.dump_json(stats).decode()))
        return figures_of(stats)

    def _keep(self, suffix: str, value: str) -> None:
        with self.ctx.store.write() as s:
            set_setting(s, STATS_CACHE.at(suffix), value)

    def recent_months(self, count: int = 12) -> list[tuple[int, int]]:
        """The current month and the `count` - 1 before it, newest first (the server's figures
        cover months this device has no record of)."""
        today = self.ctx.clock.today()
        out, year, month = [], today.year, today.month
        for _ in range(count):
            out.append((year, month))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return out

    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month with an inspection, hazard or issued document, newest
        first; the current month is always there."""
        today = self.ctx.clock.today()
        found = {(today.year, today.month)}
        with self.ctx.store.read() as s:
            moments: list[datetime | None] = [
                *s.exec(select(Inspection.started_at)).all(),
                *s.exec(select(Hazard.created_at)).all(),
                *s.exec(select(Document.issued_at)).all(),
            ]
        for moment in moments:
            if moment is not None:
                local = to_local(moment)
                found.add((local.year, local.month))
        return sorted(found, reverse=True)

    def townships(self) -> list[tuple[str, str]]:
        """(id, name) of every township, by name."""
        with self.ctx.store.read() as s:
            rows = s.exec(select(Township.id, Township.name).order_by(Township.name)).all()
        return [(tid, name) for tid, name in rows]

    def figures(self, year: int, month: int, township_id: str | None = None) -> MonthlyFigures:
        first, last = month_bounds(year, month)
        # a day's margin each side; the pure function applies the exact local month
        lo, hi = (
            local_midnight_utc(first - timedelta(days=1)),
            local_midnight_utc(last + timedelta(days=2)),
        )
        with self.ctx.store.read() as s:
            inspections = [
                InspectionRow(i.id, i.unit_id, i.kind, i.status, i.started_at)
                for i in s.exec(
                    select(Inspection).where(
                        Inspection.started_at >= lo, Inspection.started_at < hi
                    )
                )
            ]
            hazards = [
                HazardRow(h.id, h.unit_id, h.grade, h.status, h.created_at, h.deadline)
                for h in s.exec(
                    select(Hazard).where(Hazard.created_at >= lo, Hazard.created_at < hi)
                )
            ]
            documents = [
                DocRow(d.id, d.unit_id, d.kind, d.status, d.issued_at, d.data)
                for d in s.exec(
                    select(Document).where(
                        Document.status == "issued",
                        col(Document.issued_at) >= lo,
                        col(Document.issued_at) < hi,
                    )
                )
            ]
            units: list[UnitRow] = []
            township_name = ""
            if township_id is not None:
                units = [
                    UnitRow(uid, township_id)
                    for uid in s.exec(select(Unit.id).where(Unit.township_id == township_id))
                ]
                township = s.get(Township, township_id)
                township_name = township.name if township else ""
            agency_id = current_agency_id(s)
            agency = s.get(Agency, agency_id) if agency_id else s.exec(select(Agency)).first()
            agency_name = agency.name if agency else ""
        figures = monthly_figures(
            StatsRows(inspections, hazards, documents, units),
            year,
            month,
            self.ctx.clock.today(),
            township_id,
        )
        return replace(figures, agency_name=agency_name, township_name=township_name)

    # -- export --------------------------------------------------------------------------------
    def export_xlsx(self, figures: MonthlyFigures, path: Path) -> Path:
        """The 统计表 as an .xlsx workbook: 月度统计, 文书, 每日."""
        return export_file(path, xlsx_bytes(figures))

    def export_pdf(self, figures: MonthlyFigures, path: Path) -> Path:
        """The 统计表 as an A4 PDF in the shipped font."""
        return export_file(path, pdf_bytes(figures))
