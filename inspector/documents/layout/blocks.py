"""The blocks of a form: the header (issuing body, title, 文号), the bordered label/value grid and
the boxed sections that may break across pages."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from inspector.documents.layout.styles import CONTENT_WIDTH, LINE_WIDTH, Template, styles
from inspector.documents.layout.text import TextLine, para
from inspector.fonts import markup_with_fallback

# --- header --------------------------------------------------------------------------------------


def document_number(number: str | None, template: Template) -> str:
    """The 文号 as printed: the given number, or the template's blank form to be filled by hand."""
    if number and number.strip():
        return number.strip()
    blank = str(template.get("number_blank", "（　　）{prefix}{code}〔　　　　〕　　号"))
    return blank.format(prefix=template.get("number_prefix", "应急"), code=template.get("code", ""))


def header_block(agency: str, template: Template, number_text: str) -> list[Flowable]:
    """Issuing body (large, centred), "安全生产行政执法文书" (small), the title, the 文号 (right)."""
    st = styles()
    return [
        TextLine(agency, 18, char_space=1.5, space_after=1 * mm),
        para(str(template.get("header_line", "安全生产行政执法文书")), st.header_line),
        TextLine(
            str(template["title"]),
            22,
            char_space=5 if len(str(template["title"])) <= 10 else 1,
            fake_bold=True,
            space_before=1.5 * mm,
            space_after=1 * mm,
        ),
        para(number_text, st.number),
        Spacer(1, 1.5 * mm),
    ]


# --- form tables ---------------------------------------------------------------------------------

CELL_PAD = 4.0


# words a two-line label may break after ("被检查单位|负责人", "被通知人或者|被通知单位负责人")
_BREAK_AFTER = ("单位", "或者", "人员", "检查")


def _natural_break(head: str, too_wide: Callable[[str], bool]) -> list[str] | None:
    """Two lines split after a word such as 单位, each fitting, as near the middle as possible."""
    found = (head.find(w) + len(w) for w in _BREAK_AFTER if w in head)
    cuts = sorted(
        {i for i in found if 0 < i < len(head)}, key=lambda i: (abs(len(head) / 2 - i), -i)
    )
    for i in cuts:
        if not too_wide(head[:i]) and not too_wide(head[i:]):
            return [head[:i], head[i:]]
    return None


def label_markup(label: str, width: float, style: ParagraphStyle) -> str:
    """Escape a label for a cell of *width*; a label too wide for one line breaks before its first
    full-width bracket, and a still too wide head is cut into lines of equal length
    ("被检查单位现场负责人（签名）" → 被检查单位 / 现场负责人 / （签名）)."""
    inner = width - 2 * CELL_PAD

    def too_wide(text: str) -> bool:
        return bool(stringWidth(text, style.fontName, style.fontSize) > inner + 0.01)

    if not too_wide(label):
        return markup_with_fallback(label)
    head, bracket, tail = label.partition("（") if "（" in label[1:] else (label, "", "")
    lines: list[str] = []
    parts = math.ceil(stringWidth(head, style.fontName, style.fontSize) / inner)
    natural = _natural_break(head, too_wide) if parts == 2 else None
    if natural is not None:
        lines.extend(natural)
    elif parts > 1:
        step = math.ceil(len(head) / parts)
        lines.extend(head[i : i + step] for i in range(0, len(head), step))
    else:
        lines.append(head)
    if bracket:
        lines.append(bracket + tail)
    return "<br/>".join(markup_with_fallback(line) for line in lines)


def field_grid(
    rows: Sequence[Sequence[tuple[str, str]]],
    col_widths: Sequence[float],
    *,
    full_rows: Sequence[Flowable | list[Flowable]] = (),
) -> Table:
    """A bordered grid of label/value pairs; each row's last value spans the remaining columns.

    rows: per grid row, its (label, value) pairs; col_widths: label, value, label, value, …;
    full_rows: extra rows spanning the whole width (e.g. an opening statement).
    """
    st = styles()
    ncols = len(col_widths)
    data: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), LINE_WIDTH, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), st.font),  # string cells too: no Helvetica reference
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4.5),
    ]
    for r, pairs in enumerate(rows):
        if not pairs or 2 * len(pairs) > ncols:
            raise ValueError(f"grid row {r} has {len(pairs)} fields for {ncols} columns")
        cells: list[Any] = []
        for i, (label, value) in enumerate(pairs):
            col = 2 * i
            cells.append(Paragraph(label_markup(label, col_widths[col], st.label), st.label))
            cells.append(para(value, st.value))
        cells.extend([""] * (ncols - len(cells)))
        data.append(cells)
        last_value_col = 2 * len(pairs) - 1
        if last_value_col < ncols - 1:
            commands.append(("SPAN", (last_value_col, r), (ncols - 1, r)))
    for extra in full_rows:
        r = len(data)
        data.append([extra] + [""] * (ncols - 1))
        commands.append(("SPAN", (0, r), (ncols - 1, r)))
        commands.append(("TOPPADDING", (0, r), (-1, r), 6))
        commands.append(("BOTTOMPADDING", (0, r), (-1, r), 8))
        commands.append(("LEFTPADDING", (0, r), (-1, r), 8))
        commands.append(("RIGHTPADDING", (0, r), (-1, r), 8))
    return Table(data, colWidths=list(col_widths), style=TableStyle(commands), hAlign="LEFT")


class BoxedTable(Table):
    """A Table whose outer border is closed on every page when it breaks across pages.

    ReportLab turns BOX into four edge lines tied to the first/last row, so after a split the first
    part has no bottom edge and the rest no top edge; each part gets its own box here."""

    box_width: float = LINE_WIDTH

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts: list[Flowable] = super().split(availWidth, availHeight)
        for part in parts:
            if isinstance(part, Table):
                part.setStyle([("BOX", (0, 0), (-1, -1), self.box_width, colors.black)])
        return parts


def boxed_section(flowables: Sequence[Flowable], width: float = CONTENT_WIDTH) -> Table:
    """Flowables stacked inside one bordered box that may break across pages between (and inside)
    rows; each page's part is closed with its own border."""
    n = len(flowables)
    commands: list[tuple[Any, ...]] = [
        ("BOX", (0, 0), (-1, -1), LINE_WIDTH, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), styles().font),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
        ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, 0), 6),
        ("BOTTOMPADDING", (0, n - 1), (-1, n - 1), 6),
    ]
    return BoxedTable(
        [[[f]] for f in flowables],  # cells as lists: needed for splitting inside a row
        colWidths=[width],
        style=TableStyle(commands),
        hAlign="LEFT",
        splitByRow=0,  # split inside the straddling row first: one box part per page
        splitInRow=1,
    )
