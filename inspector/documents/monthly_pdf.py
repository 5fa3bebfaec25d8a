"""The 月度统计 统计表 as an A4 PDF in the shipped font (ReportLab)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from inspector.domain.monthly import MonthlyFigures, scope_text


def pdf_bytes(figures: MonthlyFigures) -> bytes:
    """The 统计表 on A4: title, agency, scope, the figures with their definitions, documents by
    kind and the per-day table (two columns of days), page numbers at the foot."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import (
        Flowable,
        KeepTogether,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from inspector.documents import layout as L

    st = L.styles()

    def table(rows: list[list[Any]], widths: list[float], small_last: bool = False) -> Table:
        """Numbers right-aligned, text left; the last column small (the definitions)."""

        def cell(value: Any, last: bool) -> Flowable:
            if isinstance(value, int) or value in ("—",) or str(value).endswith("%"):
                return L.para(str(value), st.right)
            return L.para(str(value), st.small if small_last and last else st.value)

        cells = [[cell(c, n == len(row) - 1) for n, c in enumerate(row)] for row in rows]
        return Table(
            cells,
            colWidths=widths,
            repeatRows=1,
            hAlign="LEFT",
            style=TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), L.LINE_WIDTH, colors.black),
                    ("FONTNAME", (0, 0), (-1, -1), st.font),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ]
            ),
        )

    lines = figures.lines()
    story: list[Flowable] = [
        L.TextLine(figures.title, 16, fake_bold=True, space_after=4),
        L.TextLine(figures.agency_name, 12, space_after=2),
        L.para(scope_text(figures), st.small),
        Spacer(1, 4 * mm),
        table(
            [["项目", "数值", "单位", "口径说明"]]
            + [
                [
                    ("　" if x.part_of else "") + x.label,
                    x.text if x.value is None or isinstance(x.value, float) else x.value,
                    x.unit,
                    x.definition,
                ]
                for x in lines
            ],
            [40 * mm, 20 * mm, 13 * mm, L.CONTENT_WIDTH - 73 * mm],
            small_last=True,
        ),
        Spacer(1, 5 * mm),
        L.para("文书签发情况", st.heading),
        table(
            [["文书种类", "份数"]]
            + [[k.label, k.count] for k in figures.documents_by_kind]
            + [["合计", figures.documents]],
            [L.CONTENT_WIDTH - 30 * mm, 30 * mm],
        ),
        Spacer(1, 5 * mm),
    ]
    head = ["日期", "检查", "一般隐患", "重大隐患"]
    half = (len(figures.daily) + 1) // 2
    left, right = figures.daily[:half], figures.daily[half:]
    rows: list[list[Any]] = [head + head]
    for n, d in enumerate(left):
        cells: list[Any] = [_md(d.day), d.inspections, d.hazards_general, d.hazards_major]
        if n < len(right):
            e = right[n]
            cells += [_md(e.day), e.inspections, e.hazards_general, e.hazards_major]
        else:
            cells += ["", "", "", ""]
        rows.append(cells)
    daily = table(rows, [L.CONTENT_WIDTH / 8] * 8)
    story.append(KeepTogether([L.para("每日检查和隐患情况", st.heading), daily]))

    def footer(canvas: Canvas, doc: Any) -> None:
        L.draw_text(
            canvas,
            f"第 {doc.page} 页",
            L.PAGE_WIDTH / 2,
            L.FOOTER_BASELINE,
            font=st.font,
            size=L.SMALL_SIZE,
            align="center",
        )

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=(L.PAGE_WIDTH, L.PAGE_HEIGHT),
        leftMargin=L.MARGIN_LEFT,
        rightMargin=L.MARGIN_RIGHT,
        topMargin=L.MARGIN_TOP,
        bottomMargin=L.MARGIN_BOTTOM,
        title=figures.title,
        author=figures.agency_name,
        creator=L.CREATOR,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _md(day: date) -> str:
    return f"{day.month}月{day.day}日"
