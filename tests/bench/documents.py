"""Issuing a 责令限期整改指令书 with 10 items against its floor.

Ours: `render_document` of the 10-item order, then sha256 and `BlobStore.put` (durable store), and
the full `DocumentService.issue` (rules, number, render, store, one DB transaction with audit and
outbox). Floor: the same page content (header, 10 numbered items, the order clauses, the rights
notice, the signature table, "第 X 页 共 Y 页") built with plain ReportLab platypus and the same
embedded TrueType font, then sha256 and write + fsync to a temp file.

`python tests/bench/documents.py [--profile]`, or `python tests/bench/run.py documents`.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from benchlib import ROOT, emit, median, ms, note, percentile, scratch
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from sqlmodel import func, select

from inspector.documents.examples import example
from inspector.documents.form_document import render_document
from inspector.documents.model import DocItem, DocumentData
from inspector.domain.numbering import number_for
from inspector.services.demo.county import load_demo
from inspector.services.documents.numbering import series_for
from inspector.services.facade import Services
from inspector.services.inspections.recording import HazardInput, StartInspection
from inspector.services.setting_rows import current_agency_id
from inspector.store.blobs import BlobStore
from inspector.store.models import Agency, AuditEvent

KIND = "rectification_order"
RUNS = 40
WARMUP = 3
PROFILE_RUNS = 5
GOAL_MEDIAN_S = 0.150

# (problem, legal basis, days to the deadline, measure): ten findings of a dust-explosion check;
# several share a basis and deadline, so the order clauses group them as on a real order.
HAZARDS: tuple[tuple[str, str, int, str], ...] = (
    (
        "打磨车间除尘系统未采取防爆泄爆措施",
        "《中华人民共和国安全生产法》第一百零二条",
        15,
        "加装泄爆装置并委托有资质单位检测",
    ),
    (
        "粉尘清扫制度未落实，作业现场积尘严重",
        "《中华人民共和国安全生产法》第四十一条第二款",
        7,
        "立即清扫积尘，建立并落实清扫制度",
    ),
    (
        "车间安全出口被成品堆放堵塞",
        "《中华人民共和国安全生产法》第四十二条第二款",
        7,
        "清除堆放物，保持出口畅通",
    ),
    (
        "除尘器灰斗未设置锁气卸灰装置",
        "《中华人民共和国安全生产法》第一百零二条",
        15,
        "加装锁气卸灰装置",
    ),
    (
        "喷漆房内使用非防爆型照明灯具",
        "《中华人民共和国安全生产法》第三十六条第一款",
        10,
        "更换为防爆型灯具并经检测合格",
    ),
    (
        "部分新入职员工未经安全生产教育和培训即上岗作业",
        "《中华人民共和国安全生产法》第二十八条第一款",
        10,
        "对未培训人员停岗补训，考核合格后上岗",
    ),
    (
        "砂光机传动部位防护罩缺失",
        "《中华人民共和国安全生产法》第三十六条第一款",
        10,
        "恢复防护罩",
    ),
    (
        "配电箱前堆放木料，未保持操作通道畅通",
        "《中华人民共和国安全生产法》第四十一条第二款",
        7,
        "清除堆放物，划定禁放区域",
    ),
    (
        "未按规定对粉尘防爆安全设施进行经常性维护保养",
        "《中华人民共和国安全生产法》第三十六条第二款",
        10,
        "制定维护保养计划并做好记录",
    ),
    (
        "生产安全事故应急救援预案未组织演练",
        "《中华人民共和国安全生产法》第八十一条",
        30,
        "组织一次粉尘爆炸事故专项应急演练",
    ),
)


def ten_items(today: date) -> list[DocItem]:
    return [
        DocItem(text, basis, today + timedelta(days=days), measure)
        for text, basis, days, measure in HAZARDS
    ]


def order_data(serial: int) -> DocumentData:
    """The example order with the ten items; a serial per run so every PDF is new bytes."""
    data = example(KIND)
    return replace(
        data,
        number=number_for(KIND, data.agency.short_name, data.issued_on.year, serial),
        items=ten_items(data.issued_on),
    )


# --- the floor: plain ReportLab, none of our code -----------------------------------------------

FLOOR_FONT = "FloorSerif"
FLOOR_FALLBACK = "FloorFallback"
BODY = 10.5


@dataclass(frozen=True)
class FloorStyles:
    body: ParagraphStyle
    indented: ParagraphStyle
    numbered: ParagraphStyle
    agency: ParagraphStyle
    header_line: ParagraphStyle
    title: ParagraphStyle
    number: ParagraphStyle
    small: ParagraphStyle
    small_right: ParagraphStyle
    label: ParagraphStyle
    date: ParagraphStyle


class FloorFonts:
    """The shipped TTF files registered with ReportLab's TTFont under names of their own."""

    def __init__(self) -> None:
        fonts = ROOT / "resources" / "fonts"
        primary = TTFont(FLOOR_FONT, str(fonts / "NotoSerifSC-Inspector.ttf"))
        pdfmetrics.registerFont(primary)
        self.primary_cmap = primary.face.charToGlyph
        fallback_file = fonts / "HanaMinB-Inspector.ttf"
        self.has_fallback = fallback_file.is_file()
        if self.has_fallback:
            pdfmetrics.registerFont(TTFont(FLOOR_FALLBACK, str(fallback_file)))

    def markup(self, text: str) -> str:
        """Escaped text; a character the primary font lacks is drawn from the fallback."""
        out = []
        for ch in text:
            if self.has_fallback and ch not in " \n" and not self.primary_cmap.get(ord(ch)):
                out.append(f'<font name="{FLOOR_FALLBACK}">{escape(ch)}</font>')
            else:
                out.append(escape(ch))
        return "".join(out)


def floor_styles() -> FloorStyles:
    base = ParagraphStyle(
        "floor-body",
        fontName=FLOOR_FONT,
        fontSize=BODY,
        leading=BODY * 1.5,
        wordWrap="CJK",
        alignment=TA_JUSTIFY,
        bulletFontName=FLOOR_FONT,
        bulletFontSize=BODY,
    )

    def derive(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return FloorStyles(
        body=base,
        indented=derive("floor-indented", firstLineIndent=2 * BODY),
        numbered=derive("floor-numbered", leftIndent=2 * BODY, bulletIndent=0),
        agency=derive("floor-agency", fontSize=18, leading=24, alignment=TA_CENTER),
        header_line=derive("floor-header", fontSize=12, leading=15, alignment=TA_CENTER),
        title=derive("floor-title", fontSize=22, leading=30, alignment=TA_CENTER),
        number=derive("floor-number", alignment=TA_RIGHT),
        small=derive("floor-small", fontSize=8.5, leading=12),
        small_right=derive("floor-small-right", fontSize=8.5, leading=12, alignment=TA_RIGHT),
        label=derive("floor-label", alignment=TA_CENTER, leading=BODY * 1.35),
        date=derive("floor-date", alignment=TA_RIGHT, rightIndent=3 * BODY),
    )


def _floor_canvas(font: str, pattern: str) -> type[Canvas]:
    """The usual ReportLab recipe for "page X of Y": hold the pages, draw the footers at save."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("initialFontName", font)
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for n, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(font, 10.5)
                self.drawCentredString(
                    A4[0] / 2 + 2.5 * mm, 11 * mm, pattern.format(page=n, pages=total)
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def floor_pdf(data: DocumentData, tpl: dict[str, Any], fonts: FloorFonts, st: FloorStyles) -> bytes:
    """The order built with SimpleDocTemplate, Paragraph and Table only."""
    m = fonts.markup
    width = A4[0] - 45 * mm
    vals = {
        "agency": data.agency.name,
        "government": data.agency.review_government,
        "court": data.agency.court,
    }

    def date_text(d: date) -> str:
        return f"{d.year}年{d.month}月{d.day}日"

    blocks = tpl["blocks"]
    body: list[Any] = [
        Paragraph(m(f"{data.party.name}："), st.body),
        Paragraph(m(blocks[1]["text"]), st.body),
    ]
    groups: dict[tuple[str, str], list[str]] = {}
    for n, item in enumerate(data.items, start=1):
        body.append(Paragraph(m(item.text.rstrip("。") + "。"), st.numbered, bulletText=f"{n}."))
        deadline = date_text(item.deadline) if item.deadline else "立即"
        groups.setdefault((item.legal_basis, deadline), []).append(str(n))
    for (basis, deadline), nums in groups.items():
        clause = blocks[3]["pattern"].format(nums="、".join(nums), basis=basis, deadline=deadline)
        body.append(Paragraph(m(clause), st.indented))
    body.append(Paragraph(m(blocks[4]["text"]), st.indented))
    body.append(Paragraph(m(blocks[5]["text"].format(**vals)), st.indented))
    body.append(Paragraph(m(tpl["continuation_note"]), st.small_right))
    box = Table(
        [[p] for p in body],
        colWidths=[width],
        style=TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.75, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        ),
    )

    label_w = 31 / 159 * width
    slot_w = (width - label_w) / 2
    sigs = tpl["signatures"]

    def slot(caption: str) -> list[Any]:
        return [Spacer(1, 10 * mm), Paragraph(m(caption), st.small_right)]

    officers = [slot(f"{o.name}　执法证号：{o.cert_no}") for o in data.officers[:2]]
    rows: list[list[Any]] = [
        [Paragraph(m(sigs["rows"][0]["label"]), st.label), *officers],
        [Paragraph(m(sigs["rows"][1]["label"]), st.label), slot(data.party.legal_rep), ""],
        [Paragraph(m(sigs["rows"][2]["label"]), st.label), slot(""), ""],
        [
            [
                Paragraph(m(sigs["refusal"]), st.small),
                Spacer(1, 9 * mm - BODY * 1.5),
                Paragraph(m(sigs["seal"].format(**vals)), st.date),
                Spacer(1, 6 * mm),
                Paragraph(m(date_text(data.issued_on)), st.date),
            ],
            "",
            "",
        ],
    ]
    signatures = Table(
        rows,
        colWidths=[label_w, slot_w, slot_w],
        style=TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.75, colors.black),
                ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
                ("VALIGN", (1, 0), (-1, -1), "BOTTOM"),
                ("SPAN", (1, 1), (2, 1)),
                ("SPAN", (1, 2), (2, 2)),
                ("SPAN", (0, 3), (2, 3)),
            ]
        ),
    )
    copies = Paragraph(m(tpl["copies_footer"].format(**vals)), st.small)
    story: list[Any] = [
        Paragraph(m(data.agency.name), st.agency),
        Paragraph(m(tpl["header_line"]), st.header_line),
        Paragraph(m(tpl["title"]), st.title),
        Paragraph(m(data.number or ""), st.number),
        Spacer(1, 1.5 * mm),
        box,
        KeepTogether([signatures, Spacer(1, 1 * mm), copies]),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"{tpl['title']} {data.party.name}",
        author=data.agency.name,
    )
    doc.build(story, canvasmaker=_floor_canvas(FLOOR_FONT, tpl["page_footer"]))
    return buf.getvalue()


def write_fsync(path: Path, data: bytes) -> None:
    with path.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


# --- the issue path's data: a finished inspection with ten findings per run ---------------------


def _load_block(services: Services, work: Path, count: int) -> None:
    with services.ctx.store.read() as s:
        agency_id = current_agency_id(s)
        agency = s.get(Agency, agency_id) if agency_id else None
        assert agency is not None, "the demo data sets the device's agency"
        series = series_for(KIND, agency.numbers_per_case)
    year = services.ctx.clock.today().year
    block = {
        "id": f"bench-{series}-{year}",
        "agency_id": agency.id,
        "series": series,
        "year": year,
        "first": 1,
        "last": count + 10,
    }
    path = work / "blocks.json"
    path.write_text(json.dumps({"blocks": [block]}, ensure_ascii=False), "utf-8")
    services.numbering.load_block_file(path)


def _drafts(services: Services, count: int) -> list[Any]:
    """One issuable draft per run, each from its own finished inspection with ten findings."""
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    units = services.units.search("", limit=count)
    checklists = [c.id for c in services.inspections.checklists()][:1]
    today = services.ctx.clock.today()
    drafts = []
    for i in range(count):
        iid = services.inspections.start(
            StartInspection(
                unit_id=units[i % len(units)].id,
                inspector_ids=people,
                checklist_ids=checklists,
                place="打磨车间、喷漆房、成品仓库",
                representative="陈喆",
            )
        ).value
        for text, basis, days, measure in HAZARDS:
            services.inspections.add_hazard(
                iid,
                HazardInput(
                    text, legal_basis=basis, measure=measure, deadline=today + timedelta(days=days)
                ),
            )
        services.inspections.finish(iid, "对粉尘涉爆作业场所、除尘系统和安全管理资料进行了检查。")
        draft = services.documents.draft_from_inspection(KIND, iid)
        assert len([it for it in draft.items if it.include]) == len(HAZARDS)
        found = services.documents.problems(draft)
        assert not found, found
        drafts.append(draft)
    return drafts


def _audit_events(services: Services) -> int:
    with services.ctx.store.read() as s:
        return int(s.exec(select(func.count()).select_from(AuditEvent)).one())


# --- the run ------------------------------------------------------------------------------------


def run(*, profile: bool = False) -> None:
    with scratch("inspector-bench-doc-") as work:
        _run(work, profile)


def _run(work: Path, profile: bool) -> None:
    total = WARMUP + RUNS
    extra = PROFILE_RUNS if profile else 0
    t0 = time.perf_counter()
    services = Services.open(work / "data")
    try:
        load_demo(services.ctx, n_units=200, seed=7)
        _load_block(services, work, total + extra)
        drafts = _drafts(services, total + extra)
        note(
            f"{total + extra} finished inspections with 10 findings each made in {time.perf_counter() - t0:.1f} s"
        )

        blobs = BlobStore(work / "blobs")
        tpl = json.loads((ROOT / "forms" / "documents" / f"{KIND}.json").read_text("utf-8"))
        fonts = FloorFonts()
        fst = floor_styles()
        floor_dir = work / "floor"
        floor_dir.mkdir()
        sizes: dict[str, int] = {}

        def do_render(i: int) -> float:
            data = order_data(100 + i)
            t = time.perf_counter()
            pdf = render_document(data)
            dt = time.perf_counter() - t
            sizes["render"] = len(pdf)
            return dt

        def do_store(i: int) -> float:
            data = order_data(200 + i)
            t = time.perf_counter()
            pdf = render_document(data)
            sha = hashlib.sha256(pdf).hexdigest()
            blobs.put(pdf, sha)
            return time.perf_counter() - t

        def do_issue(i: int) -> float:
            t = time.perf_counter()
            services.documents.issue(drafts[i])
            return time.perf_counter() - t

        def do_floor(i: int) -> float:
            data = order_data(300 + i)
            dst = floor_dir / f"{i}.pdf"
            t = time.perf_counter()
            pdf = floor_pdf(data, tpl, fonts, fst)
            hashlib.sha256(pdf).hexdigest()
            write_fsync(dst, pdf)
            dt = time.perf_counter() - t
            sizes["floor"] = len(pdf)
            dst.unlink()
            return dt

        events_before = _audit_events(services)
        times: dict[str, list[float]] = {"render": [], "store": [], "issue": [], "floor": []}
        steps: list[tuple[Callable[[int], float], list[float]]] = [
            (do_render, times["render"]),
            (do_store, times["store"]),
            (do_issue, times["issue"]),
            (do_floor, times["floor"]),
        ]
        for i in range(total):
            # Rotate the order each round so no variant always runs first (or after the fsyncs).
            for k in range(len(steps)):
                fn, bucket = steps[(i + k) % len(steps)]
                dt = fn(i)
                if i >= WARMUP:
                    bucket.append(dt)

        note(
            f"audit events in the data dir: {events_before} before the runs,"
            f" {_audit_events(services)} after (issue appends 11 each)"
        )
        note(
            f"{RUNS} runs each after {WARMUP} warm-up; PDF {sizes['render'] / 1e3:.0f} kB ours,"
            f" {sizes['floor'] / 1e3:.0f} kB floor; min/max: "
            + ", ".join(f"{k} {ms(min(v))}/{ms(max(v))} ms" for k, v in times.items())
        )
        med = {k: median(v) for k, v in times.items()}
        p95 = {k: percentile(v, 95) for k, v in times.items()}
        for key, label in (
            ("render", "doc-render"),
            ("store", "doc-render-store"),
            ("issue", "doc-render-issue"),
            ("floor", "doc-floor"),
        ):
            emit(f"{label}: median={ms(med[key])} ms p95={ms(p95[key])} ms")
        emit(
            f"ratio={med['store'] / med['floor']:.2f} (render-store/floor)"
            f" issue/floor={med['issue'] / med['floor']:.2f}"
        )
        verdict = (
            "met" if med["issue"] <= GOAL_MEDIAN_S and med["store"] <= GOAL_MEDIAN_S else "NOT met"
        )
        emit(f"doc goal median<={GOAL_MEDIAN_S * 1000:.0f} ms: {verdict}")

        if profile:
            prof = cProfile.Profile()
            for i in range(total, total + extra):
                prof.enable()
                services.documents.issue(drafts[i])
                prof.disable()
            stats = pstats.Stats(prof, stream=sys.stderr)
            stats.sort_stats("tottime").print_stats(20)
            stats.sort_stats("cumulative").print_stats(40)
    finally:
        services.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--profile", action="store_true", help="profile the document issue (cProfile, stderr)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    run(profile=args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
