"""月度统计, the pure part: one local calendar month's figures of inspections, hazards, documents
and fines computed from plain rows (no SQL), and how they read (the 统计表's lines, its scope line).

The device computes them over its own tables (inspector.services.overview) and the reference server
over the JSON records devices push (:meth:`StatsRows.from_payloads`, sync.server.stats); their Excel
and PDF renderings are in inspector.documents.monthly_xlsx and monthly_pdf. "In the month" always
means the stored UTC time converted to local wall time (``to_local``) falls in that calendar month.
With a township filter, only rows of units in that township count.

Definitions (the page shows the same text, in Chinese, as tooltips — see ``DEFINITIONS``):

* units inspected — distinct units with a finished inspection started in the month;
* inspections — finished inspections started in the month (unfinished ones are not counted),
  also per ``kind`` (日常检查, 专项检查, …);
* hazards found — hazards created in the month whose status is neither draft (the inspection is
  still running) nor withdrawn; split into general (一般) and major (重大) by ``grade``;
* rectified — of the hazards found, those whose status is now reviewed_ok or closed;
* rectification rate — rectified / found; ``None`` (shown "—") when nothing was found;
* overdue — of the hazards found, those not rectified whose deadline is before today (the same
  rule as the hazard list's 逾期: pending, rectifying or failed review, deadline passed);
* documents — documents with status ``issued`` and issued in the month, per kind; a document
  issued and later voided is not counted (its status is ``voided``);
* fines — the sum, in whole yuan, of the fines decided by the issued 行政（当场）处罚决定书 of the
  month (``data.input_fields.fine_yuan`` when ``penalty_type`` is ``fine``). A 行政处罚告知书 only
  announces an intended penalty and adds nothing;
* per day — finished inspections started that day; hazards found that day, general and major.
"""

from __future__ import annotations

import calendar
import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from typing import Any

from inspector.domain.document_kinds import SPECS, fine_of
from inspector.domain.enums import (
    INSPECTION_KINDS,
    SITE_RECORD,
    HazardGrade,
    HazardStatus,
    InspectionStatus,
)
from inspector.domain.hazard_loop import LoopState
from inspector.util.clock import format_cn_date, to_local

RECTIFIED_STATES = (HazardStatus.REVIEWED_OK.value, HazardStatus.CLOSED.value)
NOT_FOUND_STATES = (HazardStatus.DRAFT.value, HazardStatus.WITHDRAWN.value)
PENALTY_KINDS = ("onsite_penalty_unit", "onsite_penalty_person")
SCOPE_NOTE = "统计范围：本机记录（仅本设备数据库中的检查、隐患和文书）"

DEFINITIONS: dict[str, str] = {
    "units_inspected": "本月开始且已完成的检查所涉及的单位数（同一单位多次检查只计一次）。",
    "inspections": "本月开始且已完成的检查次数；未完成的检查不计。",
    "hazards_found": "本月登记的隐患数（不含检查未完成时的草稿和已撤销的隐患）。",
    "hazards_general": "本月发现的隐患中，一般隐患的数量。",
    "hazards_major": "本月发现的隐患中，重大隐患的数量。",
    "rectified": "本月发现的隐患中，目前已复查合格或已销号的数量。",
    "rectification_rate": "已整改 ÷ 发现隐患；本月未发现隐患时显示“—”。",
    "overdue": "本月发现的隐患中，尚未整改且整改期限早于今天的数量。",
    "documents": "本月签发且目前仍有效的文书份数（签发后又作废的不计）。",
    "penalties": "本月签发的行政（当场）处罚决定书中，决定罚款的份数。",
    "fines_yuan": "本月签发的行政（当场）处罚决定书的罚款金额之和（元）；处罚告知书不计。",
}


# --- rows ----------------------------------------------------------------------------------------


def _when(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def issue_time(record: Mapping[str, Any]) -> datetime | None:
    """When a pushed document was issued: its ``issued_at``; a numbered 现场检查记录 from a client
    that left ``issued_at`` empty (before it was set on issue) was issued when it was created."""
    if record.get("issued_at"):
        return _when(record["issued_at"])
    if record.get("kind") == SITE_RECORD and record.get("number") and record.get("created_at"):
        return _when(record["created_at"])
    return None


@dataclass(frozen=True)
class UnitRow:
    id: str
    township_id: str | None


@dataclass(frozen=True)
class InspectionRow:
    id: str
    unit_id: str
    kind: str
    status: str
    started_at: datetime  # aware UTC (or naive meaning UTC)


@dataclass(frozen=True)
class HazardRow:
    id: str
    unit_id: str
    grade: str
    status: str
    created_at: datetime
    deadline: date | None


@dataclass(frozen=True)
class DocRow:
    """A row of the document table (not the register's DocumentRow of services.documents)."""

    id: str
    unit_id: str
    kind: str
    status: str
    issued_at: datetime | None
    data: str  # the document's frozen JSON (where a penalty decision keeps its fine)

    @property
    def fine_yuan(self) -> int:
        """The fine this document decides, in whole yuan (0 for anything but a fine decision)."""
        if self.kind not in PENALTY_KINDS:
            return 0
        try:
            body = json.loads(self.data)
        except ValueError:
            return 0
        fields = body.get("input_fields") if isinstance(body, dict) else None
        if not isinstance(fields, dict) or fields.get("penalty_type") != "fine":
            return 0
        fine = fine_of({k: str(v) for k, v in fields.items()})
        return fine if fine is not None and fine > 0 else 0


@dataclass(frozen=True)
class StatsRows:
    """What the figures are computed from: rows of the inspection, hazard, document and unit
    tables (units only matter for a township filter)."""

    inspections: list[InspectionRow]
    hazards: list[HazardRow]
    documents: list[DocRow]
    units: list[UnitRow]

    skipped: int = 0  # records left out because a field could not be read

    @classmethod
    def from_payloads(
        cls,
        inspections: Iterable[Mapping[str, Any]] = (),
        hazards: Iterable[Mapping[str, Any]] = (),
        documents: Iterable[Mapping[str, Any]] = (),
        units: Iterable[Mapping[str, Any]] = (),
    ) -> StatsRows:
        """Rows from JSON records (the row snapshots devices push, times as ISO strings). A
        record with a missing or unreadable field is left out and counted in `skipped`, so one
        bad record from an old or broken client cannot stop a leader's statistics."""
        skipped = 0

        def rows(records: Iterable[Mapping[str, Any]], make: Any) -> list[Any]:
            nonlocal skipped
            out = []
            for r in records:
                try:
                    out.append(make(r))
                except (KeyError, TypeError, ValueError, AttributeError, OverflowError):
                    skipped += 1
            return out

        return cls(
            inspections=rows(
                inspections,
                lambda r: InspectionRow(
                    str(r["id"]),
                    str(r["unit_id"]),
                    str(r["kind"]),
                    str(r["status"]),
                    _when(r["started_at"]),
                ),
            ),
            hazards=rows(
                hazards,
                lambda r: HazardRow(
                    str(r["id"]),
                    str(r["unit_id"]),
                    HazardGrade(r["grade"]).value,  # ValueError: not a grade we count
                    HazardStatus(r["status"]).value,
                    _when(r["created_at"]),
                    _day(r.get("deadline")),
                ),
            ),
            documents=rows(
                documents,
                lambda r: DocRow(
                    str(r["id"]),
                    str(r["unit_id"]),
                    str(r["kind"]),
                    str(r["status"]),
                    issue_time(r),
                    str(r.get("data") or "{}"),
                ),
            ),
            units=[UnitRow(str(r["id"]), r.get("township_id")) for r in units],
            skipped=skipped,
        )


# --- figures -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class DayCount:
    day: date
    inspections: int
    hazards_general: int
    hazards_major: int


@dataclass(frozen=True)
class FigureLine:
    """One row of the 统计表: what it counts, its value and how it is defined."""

    key: str
    label: str
    value: int | float | None
    unit: str
    definition: str
    part_of: str = ""  # key of the line this one breaks down ("其中")

    @property
    def text(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, float):
            return f"{self.value:.1%}"
        return str(self.value)


@dataclass(frozen=True)
class MonthTally:
    """What :func:`monthly_figures` counts, the same on a device and on the server: the server
    sends it with its own fields added (sync.contract.MonthlyStats), the device shows it as
    :class:`MonthlyFigures`."""

    year: int
    month: int
    today: date
    township_id: str | None
    units_inspected: int
    inspections: int
    inspections_by_kind: tuple[KindCount, ...]
    hazards_found: int
    hazards_general: int
    hazards_major: int
    rectified: int
    rectification_rate: float | None
    overdue: int
    documents_by_kind: tuple[KindCount, ...]
    penalties: int
    fines_yuan: int
    daily: tuple[DayCount, ...]
    agency_name: str = ""
    township_name: str = ""  # "" = every township


def tally_of(figures: MonthTally) -> dict[str, Any]:
    """The fields :class:`MonthTally` declares, by name (their values as they are): to make one
    kind of figures from another."""
    return {f.name: getattr(figures, f.name) for f in fields(MonthTally)}


@dataclass(frozen=True)
class MonthlyFigures(MonthTally):
    """A month's figures as the page, Excel and PDF show them: this device's or the server's."""

    source: str = "device"  # device: this device's records | server: the whole jurisdiction's
    as_of: datetime | None = None  # server figures: when the server computed them
    scope_label: str = ""  # server figures: whose records (the caller's jurisdiction)
    skipped: int = 0  # server figures: records left out because a field could not be read
    stale_reason: str = ""  # server figures kept from an earlier fetch: why the server was not
    # reached this time ("" = fresh)

    @property
    def documents(self) -> int:
        return sum(k.count for k in self.documents_by_kind)

    @property
    def title(self) -> str:
        where = f" {self.township_name}" if self.township_name else ""
        return f"{self.year}年{self.month}月{where} 安全生产检查统计表"

    def lines(self) -> list[FigureLine]:
        """The 统计表's rows, in order (the same rows in the page, Excel and PDF)."""

        def line(
            key: str, label: str, value: int | float | None, unit: str, part_of: str = ""
        ) -> FigureLine:
            return FigureLine(key, label, value, unit, DEFINITIONS[key], part_of)

        out = [
            line("units_inspected", "检查单位数", self.units_inspected, "家"),
            line("inspections", "检查次数", self.inspections, "次"),
        ]
        out += [
            FigureLine(
                f"inspections:{k.kind}",
                f"其中：{k.label}",
                k.count,
                "次",
                f"本月开始且已完成的{k.label}次数。",
                part_of="inspections",
            )
            for k in self.inspections_by_kind
        ]
        out += [
            line("hazards_found", "发现隐患", self.hazards_found, "项"),
            line("hazards_general", "其中：一般隐患", self.hazards_general, "项", "hazards_found"),
            line("hazards_major", "其中：重大隐患", self.hazards_major, "项", "hazards_found"),
            line("rectified", "已整改", self.rectified, "项"),
            line("rectification_rate", "整改率", self.rectification_rate, ""),
            line("overdue", "逾期未整改", self.overdue, "项"),
            line("documents", "签发文书", self.documents, "份"),
            line("penalties", "罚款决定", self.penalties, "份"),
            line("fines_yuan", "罚款金额", self.fines_yuan, "元"),
        ]
        return out


def month_bounds(year: int, month: int) -> tuple[date, date]:
    """First and last day of the month."""
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def document_kind_label(kind: str) -> str:
    if kind == SITE_RECORD:
        return "现场检查记录"
    spec = SPECS.get(kind)
    return spec.title if spec else kind


def monthly_figures(
    rows: StatsRows, year: int, month: int, today: date, township_id: str | None = None
) -> MonthlyFigures:
    """The month's figures (definitions in the module docstring), for one township or all."""
    first, last = month_bounds(year, month)
    allowed: set[str] | None = None
    if township_id is not None:
        allowed = {u.id for u in rows.units if u.township_id == township_id}

    def counts(unit_id: str, moment: datetime | None) -> date | None:
        """The local day of `moment` when the row is in the month and the filter."""
        if moment is None or (allowed is not None and unit_id not in allowed):
            return None
        day = to_local(moment).date()
        return day if first <= day <= last else None

    per_day_insp: Counter[date] = Counter()
    per_kind: Counter[str] = Counter()
    units: set[str] = set()
    for i in rows.inspections:
        day = counts(i.unit_id, i.started_at)
        if day is None or i.status != InspectionStatus.FINISHED.value:
            continue
        per_day_insp[day] += 1
        per_kind[i.kind] += 1
        units.add(i.unit_id)

    per_day_haz: Counter[tuple[date, str]] = Counter()
    found = rectified = overdue = 0
    for h in rows.hazards:
        day = counts(h.unit_id, h.created_at)
        if day is None or h.status in NOT_FOUND_STATES:
            continue
        found += 1
        per_day_haz[day, h.grade] += 1
        if h.status in RECTIFIED_STATES:
            rectified += 1
        elif LoopState(HazardStatus(h.status), h.deadline).overdue(today):
            overdue += 1

    per_doc: Counter[str] = Counter()
    penalties = fines = 0
    for d in rows.documents:
        day = counts(d.unit_id, d.issued_at)
        if day is None or d.status != "issued":
            continue
        per_doc[d.kind] += 1
        fine = d.fine_yuan
        if fine:
            penalties += 1
            fines += fine

    kinds = list(INSPECTION_KINDS) + sorted(set(per_kind) - set(INSPECTION_KINDS))
    doc_order = [SITE_RECORD, *SPECS]
    doc_kinds = [k for k in doc_order if per_doc[k]] + sorted(set(per_doc) - set(doc_order))
    general = sum(n for (_d, g), n in per_day_haz.items() if g == HazardGrade.GENERAL.value)
    major = sum(n for (_d, g), n in per_day_haz.items() if g == HazardGrade.MAJOR.value)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return MonthlyFigures(
        year=year,
        month=month,
        today=today,
        township_id=township_id,
        units_inspected=len(units),
        inspections=sum(per_kind.values()),
        inspections_by_kind=tuple(KindCount(k, k, per_kind[k]) for k in kinds),
        hazards_found=found,
        hazards_general=general,
        hazards_major=major,
        rectified=rectified,
        rectification_rate=rectified / found if found else None,
        overdue=overdue,
        documents_by_kind=tuple(
            KindCount(k, document_kind_label(k), per_doc[k]) for k in doc_kinds
        ),
        penalties=penalties,
        fines_yuan=fines,
        daily=tuple(
            DayCount(
                d,
                per_day_insp[d],
                per_day_haz[d, HazardGrade.GENERAL.value],
                per_day_haz[d, HazardGrade.MAJOR.value],
            )
            for d in days
        ),
    )


def scope_text(figures: MonthlyFigures) -> str:
    """The line under the title: what the figures cover and as of when."""
    if figures.source != "server":
        return f"{SCOPE_NOTE}；统计日期：{format_cn_date(figures.today)}"
    when = to_local(figures.as_of).strftime("%Y-%m-%d %H:%M") if figures.as_of else "—"
    text = (
        f"统计范围：{figures.scope_label or '本人辖区'}全部已同步到服务器的记录"
        f"（服务器汇总于 {when}）；统计日期：{format_cn_date(figures.today)}"
    )
    if figures.skipped:
        text += f"；另有 {figures.skipped} 条记录内容不完整，未计入"
    if figures.stale_reason:
        text += "；本次未能连接服务器，显示的是上次获取的结果"
    return text
