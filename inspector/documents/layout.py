"""Reusable building blocks for the 安全生产行政执法文书 PDFs (ReportLab platypus).

Every document is built the same way: a list of flowables (header block, field grid, boxed sections,
signature block) handed to :func:`build_pdf` together with the document's template dict (the JSON file
under ``forms/documents/``). :func:`build_pdf` lays the flowables out on A4 pages, repeats a short header
("<title>（续页）" + 文号) on continuation pages, prints "第 X 页 共 Y 页" on every page and, on every
page that does not carry the final signature block, a signature strip so each sheet can be signed.

All text goes through :func:`inspector.fonts.markup_with_fallback`, so characters missing from the
primary CJK font (rare name characters such as 𠀀) are drawn from the fallback font instead of boxes.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import io
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from inspector.fonts import coverage, markup_with_fallback, register_reportlab_fonts

# --- page geometry -------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT = A4
DRAFT_WATERMARK = "草稿（未签发）"  # across every page of a print without a 文号 (a preview)
MARGIN_LEFT = 25 * mm
MARGIN_RIGHT = 20 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
FOOTER_BASELINE = 11 * mm  # "第 X 页 共 Y 页", inside the bottom margin
CONTINUATION_HEADER_HEIGHT = 17 * mm  # reserved at the top of continuation pages
PAGE_STRIP_HEIGHT = 13 * mm  # reserved at the bottom for the per-page signature strip
SIGNATURE_HEIGHT = 10 * mm  # blank height for a pen signature
LINE_WIDTH = 0.75  # all form rules

BODY_SIZE = 10.5  # 五号, as on the printed forms
SMALL_SIZE = 8.5
CREATOR = "安全生产现场执法检查终端"

Template = Mapping[str, Any]


# --- fonts and styles ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Styles:
    """Paragraph styles shared by all enforcement documents (one CJK font, several sizes)."""

    font: str
    body: ParagraphStyle
    indented: ParagraphStyle  # first line indented by two characters
    numbered: ParagraphStyle  # hanging indent for "1." lists (use bulletText)
    label: ParagraphStyle  # field labels in the grid, centred
    value: ParagraphStyle
    heading: ParagraphStyle
    right: ParagraphStyle
    small: ParagraphStyle
    small_right: ParagraphStyle
    header_line: ParagraphStyle  # "安全生产行政执法文书"
    number: ParagraphStyle  # the 文号, right-aligned


# Chinese punctuation that must not start a line. ReportLab's CJK wrap (textsplit.dumbSplit for a
# one-font paragraph, paragraph.cjkFragSplit otherwise) hangs such a character at the end of the
# previous line, but its list is Japanese-oriented and lacks the full-width comma, semicolon,
# colon etc., so "，" could start a line. Both modules read their own global at call time.
_CANNOT_START_EXTRA = "，；：！？）》」』”’、。．％〕】〉…—·"


def _extend_cjk_line_rules() -> None:
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        current: str = module.ALL_CANNOT_START
        missing = "".join(c for c in _CANNOT_START_EXTRA if c not in current)
        if missing:
            module.ALL_CANNOT_START = current + missing


@functools.cache
def styles() -> Styles:
    """Register the shipped fonts (once per process) and return the document styles."""
    font = register_reportlab_fonts()
    _extend_cjk_line_rules()
    leading = BODY_SIZE * 1.5
    base = ParagraphStyle(
        "doc-body",
        fontName=font,
        fontSize=BODY_SIZE,
        leading=leading,
        wordWrap="CJK",
        alignment=TA_JUSTIFY,
        bulletFontName=font,
        bulletFontSize=BODY_SIZE,
    )

    def derive(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return Styles(
        font=font,
        body=base,
        indented=derive("doc-indented", firstLineIndent=2 * BODY_SIZE),
        numbered=derive("doc-numbered", leftIndent=2 * BODY_SIZE, bulletIndent=0),
        label=derive("doc-label", alignment=TA_CENTER, leading=BODY_SIZE * 1.35),
        value=derive("doc-value", alignment=TA_LEFT, leading=BODY_SIZE * 1.35),
        heading=derive("doc-heading", alignment=TA_LEFT),
        right=derive("doc-right", alignment=TA_RIGHT),
        small=derive("doc-small", fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.4, alignment=TA_LEFT),
        small_right=derive(
            "doc-small-right", fontSize=SMALL_SIZE, leading=SMALL_SIZE * 1.4, alignment=TA_RIGHT
        ),
        header_line=derive("doc-header-line", fontSize=12, leading=15, alignment=TA_CENTER),
        number=derive("doc-number", alignment=TA_RIGHT, leading=BODY_SIZE * 1.4),
    )


@functools.cache
def _nbsp_per_em(font: str) -> int:
    nbsp = stringWidth("\xa0", font, 10) or 2.5
    return max(1, round(10 / nbsp))


def keep_blanks(text: str, font: str) -> str:
    """Paragraphs collapse whitespace, including the ideographic spaces (U+3000) that make the
    blanks of a form ("（　　）应急检记〔　　〕　号"); no-break spaces survive, so each U+3000 becomes
    as many of them as make up its width."""
    if "\u3000" not in text:
        return text
    return text.replace("\u3000", "\xa0" * _nbsp_per_em(font))


def para(text: str, style: ParagraphStyle, *, bullet: str | None = None) -> Paragraph:
    """A wrapping paragraph of plain text (escaped; rare characters drawn from the fallback font;
    ideographic spaces kept as blanks)."""
    return Paragraph(
        markup_with_fallback(keep_blanks(text, style.fontName)), style, bulletText=bullet
    )


def text_runs(text: str, font: str) -> list[tuple[str, str]]:
    """Split one line of plain text into (font name, text) runs: the fallback font for characters
    the primary lacks (as markup_with_fallback does), *font* for the rest."""
    cov = coverage()
    return [(font if name == cov.primary else name, run) for name, run in cov.runs(text)]


def draw_text(
    canvas: Canvas,
    text: str,
    x: float,
    y: float,
    *,
    font: str,
    size: float,
    align: str = "left",
    char_space: float = 0.0,
    fake_bold: bool = False,
    max_width: float | None = None,
) -> float:
    """Draw one line of text at baseline y with font fallback; returns the width drawn.

    align is "left" (x = left edge), "center" (x = centre) or "right" (x = right edge). char_space
    adds letter spacing; fake_bold strokes the outlines (the CJK font has one weight). The line is
    shrunk (spacing first, then size) to fit max_width.
    """
    runs = text_runs(text.replace("\n", " "), font)
    count = sum(len(t) for _, t in runs)

    def measure(sz: float, cs: float) -> float:
        return sum(stringWidth(t, f, sz) for f, t in runs) + cs * max(count - 1, 0)

    width = measure(size, char_space)
    if max_width is not None and width > max_width:
        char_space = 0.0
        width = measure(size, 0.0)
        if width > max_width:
            size = size * max_width / width
            width = measure(size, 0.0)
    if align == "center":
        x -= width / 2
    elif align == "right":
        x -= width
    canvas.saveState()
    tx = canvas.beginText(x, y)
    tx.setCharSpace(char_space)
    if fake_bold:
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(size * 0.035)
        tx.setTextRenderMode(2)
    for run_font, run_text in runs:
        tx.setFont(run_font, size)
        tx.textOut(run_text)
    canvas.drawText(tx)
    canvas.restoreState()
    return width


class TextLine(Flowable):
    """A single line of text (letter-spaced, optionally fake-bold), e.g. the document title."""

    def __init__(
        self,
        text: str,
        size: float,
        *,
        align: str = "center",
        char_space: float = 0.0,
        fake_bold: bool = False,
        space_before: float = 0.0,
        space_after: float = 0.0,
    ) -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.align = align
        self.char_space = char_space
        self.fake_bold = fake_bold
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.avail_width = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.avail_width = availWidth
        return availWidth, self.size * 1.35

    def draw(self) -> None:
        x = {"left": 0.0, "center": self.avail_width / 2, "right": self.avail_width}[self.align]
        draw_text(
            self.canv,
            self.text,
            x,
            self.size * 0.3,
            font=styles().font,
            size=self.size,
            align=self.align,
            char_space=self.char_space,
            fake_bold=self.fake_bold,
            max_width=self.avail_width,
        )


# --- dates ---------------------------------------------------------------------------------------


def chinese_date(d: date) -> str:
    """2026年11月22日 (no leading zeros, as written on the forms)."""
    return f"{d.year}年{d.month}月{d.day}日"


def note_lines(note: str) -> list[Flowable]:
    """A small note under the signature block (e.g. the clock correction), or nothing."""
    if not note.strip():
        return []
    return [Spacer(1, 1 * mm), para(note, styles().small)]


def chinese_clock(t: datetime) -> str:
    """9时05分."""
    return f"{t.hour}时{t.minute:02d}分"


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

_CELL_PAD = 4.0


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


def _label_markup(label: str, width: float, style: ParagraphStyle) -> str:
    """Escape a label for a cell of *width*; a label too wide for one line breaks before its first
    full-width bracket, and a still too wide head is cut into lines of equal length
    ("被检查单位现场负责人（签名）" → 被检查单位 / 现场负责人 / （签名）)."""
    inner = width - 2 * _CELL_PAD

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
        ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4.5),
    ]
    for r, pairs in enumerate(rows):
        if not pairs or 2 * len(pairs) > ncols:
            raise ValueError(f"grid row {r} has {len(pairs)} fields for {ncols} columns")
        cells: list[Any] = []
        for i, (label, value) in enumerate(pairs):
            col = 2 * i
            cells.append(Paragraph(_label_markup(label, col_widths[col], st.label), st.label))
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


@dataclasses.dataclass(frozen=True)
class SignatureRow:
    """One signature line of the block: a label and one blank per signer.

    captions: text printed small under each blank (e.g. "张三　执法证号：…"); use "" for an anonymous
    blank. At most ``per_row`` blanks share a table row; more signers continue on the next row.
    """

    label: str
    captions: Sequence[str]
    images: Sequence[bytes | None] = ()  # PNG signatures captured on screen, by caption position


class SignatureAnchor(Flowable):
    """Zero-size marker: the page it lands on carries the final signature block."""

    ATTR = "_inspector_signed_page"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        setattr(self.canv, self.ATTR, self.canv.getPageNumber())


def signature_image(png: bytes, max_width: float, height: float = SIGNATURE_HEIGHT) -> Flowable:
    """A captured signature scaled to the signature line's height (and the slot's width)."""
    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    scale = min(height / h, max_width / w) if w and h else 1.0
    return Image(io.BytesIO(png), width=w * scale, height=h * scale, hAlign="CENTER")


def _signature_cell(caption: str, image: bytes | None = None, width: float = 0.0) -> list[Flowable]:
    st = styles()
    cell: list[Flowable] = (
        [signature_image(image, max(width - 12, 10))] if image else [Spacer(1, SIGNATURE_HEIGHT)]
    )
    if caption:
        cell.append(para(caption, st.small_right))
    return cell


def signature_block(
    rows: Sequence[SignatureRow],
    *,
    label_width: float,
    per_row: int = 2,
    notes: Sequence[tuple[str, float]] = (),
    date_text: str = "",
    seal_text: str = "",
    after: Sequence[Flowable] = (),
    width: float = CONTENT_WIDTH,
    before: Sequence[Flowable] = (),
) -> KeepTogether:
    """The bordered signature table, kept on one page (with ``before``, e.g. a closing summary the
    signatures vouch for, and ``after``, e.g. the copies note; KeepTogether cannot be nested).

    notes: full-width rows of (small printed text, blank height below it for handwriting);
    date_text: printed right-aligned at the foot of the last note row (or in a row of its own);
    seal_text: the issuing body's name above the date, with room for its seal (印章).
    """
    st = styles()
    slot_width = (width - label_width) / per_row
    data: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), LINE_WIDTH, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), st.font),
        ("VALIGN", (0, 0), (0, -1), "MIDDLE"),
        ("VALIGN", (1, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for row in rows:
        captions = list(row.captions) or [""]
        first = len(data)
        for start in range(0, len(captions), per_row):
            group = captions[start : start + per_row]
            label: Any = (
                Paragraph(_label_markup(row.label, label_width, st.label), st.label)
                if start == 0
                else ""
            )
            images = list(row.images)[start : start + per_row]
            images += [None] * (len(group) - len(images))
            cells: list[Any] = [label] + [
                _signature_cell(c, img, slot_width) for c, img in zip(group, images, strict=True)
            ]
            cells.extend([""] * (per_row + 1 - len(cells)))
            r = len(data)
            data.append(cells)
            if len(group) < per_row:
                commands.append(("SPAN", (len(group), r), (per_row, r)))
        if len(data) - 1 > first:
            commands.append(("SPAN", (0, first), (0, len(data) - 1)))
    date_para = ParagraphStyle("doc-date", parent=st.right, rightIndent=3 * BODY_SIZE)

    def dated() -> list[Flowable]:
        lines = [para(date_text, date_para)]
        if seal_text:
            # the seal is pressed over the body's name: leave it room above the date
            lines = [para(seal_text, date_para), Spacer(1, 6 * mm), *lines]
        return lines

    for n, (text, blank) in enumerate(notes, start=1):
        r = len(data)
        cell: list[Flowable] = [para(text, st.small)]
        if date_text and n == len(notes):
            # the date sits at the foot of the last note's blank, right-aligned
            cell += [Spacer(1, max(blank - date_para.leading, 0)), *dated()]
        else:
            cell.append(Spacer(1, blank))
        data.append([cell] + [""] * per_row)
        commands.append(("SPAN", (0, r), (-1, r)))
    if date_text and not notes:
        r = len(data)
        data.append([dated()] + [""] * per_row)
        commands.append(("SPAN", (0, r), (-1, r)))
        commands.append(("TOPPADDING", (0, r), (-1, r), 5))
        commands.append(("BOTTOMPADDING", (0, r), (-1, r), 5))
    table = Table(
        data,
        colWidths=[label_width] + [slot_width] * per_row,
        style=TableStyle(commands),
        hAlign="LEFT",
    )
    return KeepTogether([*before, SignatureAnchor(), table, *after])


# --- page decoration and build -------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class PageDecor:
    """What every page gets besides the flowables."""

    font: str
    continuation_title: str
    number_text: str
    footer_pattern: str  # "第 {page} 页 共 {pages} 页"
    strip_labels: tuple[str, ...]  # per-page signature strip on pages before the signature block
    watermark: str = ""  # drawn diagonally across every page (an unnumbered draft)

    def draw_watermark(self, canvas: Canvas) -> None:
        """The watermark in light grey across the page's diagonal, over the content."""
        if not self.watermark:
            return
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.55, 0.55, 0.55, alpha=0.35))
        canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
        canvas.rotate(55)
        draw_text(
            canvas,
            self.watermark,
            0,
            -20,
            font=self.font,
            size=64,
            align="center",
            max_width=PAGE_HEIGHT * 0.8,
        )
        canvas.restoreState()

    def continuation_header(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        top = PAGE_HEIGHT - MARGIN_TOP
        draw_text(
            canvas,
            self.continuation_title,
            MARGIN_LEFT + CONTENT_WIDTH / 2,
            top - 6 * mm,
            font=self.font,
            size=15,
            align="center",
            char_space=2,
            fake_bold=True,
            max_width=CONTENT_WIDTH,
        )
        if self.number_text:
            draw_text(
                canvas,
                self.number_text,
                MARGIN_LEFT + CONTENT_WIDTH,
                top - 12.5 * mm,
                font=self.font,
                size=10.5,
                align="right",
                max_width=CONTENT_WIDTH,
            )

    def page_end(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        """Draw the signature strip unless the final signature block is already placed."""
        if not self.strip_labels or getattr(canvas, SignatureAnchor.ATTR, None) is not None:
            return
        size = 10.5
        y = MARGIN_BOTTOM + 3 * mm
        slot = CONTENT_WIDTH / len(self.strip_labels)
        canvas.saveState()
        canvas.setLineWidth(0.5)
        for i, label in enumerate(self.strip_labels):
            x = MARGIN_LEFT + i * slot
            used = draw_text(canvas, label, x, y, font=self.font, size=size)
            end = x + slot - 6 * mm
            if end > x + used + 10 * mm:
                canvas.line(x + used, y - 1.5, end, y - 1.5)
        canvas.restoreState()


def _numbered_canvas(decor: PageDecor, stats: dict[str, int]) -> Callable[..., Canvas]:
    """A canvas class that holds pages back until the end so the footer knows the page count.

    Writes the page count and the page of the final signature block (0: none) into *stats*.
    """

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # start pages in the embedded font, so no unembedded Helvetica is referenced
            kwargs["initialFontName"] = kwargs.get("initialFontName") or decor.font
            super().__init__(*args, **kwargs)
            self._held_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held_pages)
            stats["pages"] = total
            stats["signed_page"] = int(getattr(self, SignatureAnchor.ATTR, 0) or 0)
            for number, state in enumerate(self._held_pages, start=1):
                self.__dict__.update(state)
                decor.draw_watermark(self)
                self.setFont(decor.font, 10.5)
                self.setFillColor(colors.black)
                self.drawCentredString(
                    MARGIN_LEFT + CONTENT_WIDTH / 2,
                    FOOTER_BASELINE,
                    decor.footer_pattern.format(page=number, pages=total),
                )
                super().showPage()
            super().save()

    return NumberedCanvas


Story = Sequence[Flowable] | Callable[[], Sequence[Flowable]]


def build_pdf(
    story: Story,
    template: Template,
    *,
    number_text: str = "",
    title: str = "",
    author: str = "",
    subject: str = "",
    watermark: str = "",
) -> bytes:
    """Lay the flowables out on A4 and return the PDF bytes.

    story: the flowables, or a function returning fresh ones (preferred: a document that does not
    fit on one page is laid out twice, and flowables are otherwise deep-copied for that).
    From the template: "title", "continuation_title" (default "<title>（续页）"), "page_footer"
    (default "第 {page} 页 共 {pages} 页") and "signatures"."page_strip": labels of a signature strip
    printed at the foot of every page before the one carrying the final :func:`signature_block`.
    watermark: text drawn diagonally across every page ("草稿（未签发）" on an unnumbered draft).
    The strip needs room at the foot of each page, so a multi-page document is laid out again with
    that room reserved; a one-page document keeps the full height.
    """
    st = styles()
    signatures = template.get("signatures") or {}
    decor = PageDecor(
        font=st.font,
        continuation_title=str(
            template.get("continuation_title") or f"{template.get('title', '')}（续页）"
        ),
        number_text=number_text,
        footer_pattern=str(template.get("page_footer") or "第 {page} 页 共 {pages} 页"),
        strip_labels=tuple(str(s) for s in signatures.get("page_strip") or ()),
        watermark=watermark,
    )
    meta = {
        "title": title or str(template.get("title", "")),
        "author": author,
        "subject": subject,
    }
    if callable(story):
        flowables = list(story())
        spare: Callable[[], list[Flowable]] = lambda: list(story())  # noqa: E731
    else:
        flowables = list(story)
        pristine = copy.deepcopy(flowables) if decor.strip_labels else []
        spare = lambda: pristine  # noqa: E731
    no_strip = dataclasses.replace(decor, strip_labels=())
    pdf, stats = _build_once(flowables, no_strip, meta)
    if decor.strip_labels and (stats["pages"] > 1 or stats["signed_page"] == 0):
        pdf, stats = _build_once(spare(), decor, meta)
    return pdf


def _build_once(
    flowables: list[Flowable], decor: PageDecor, meta: Mapping[str, str]
) -> tuple[bytes, dict[str, int]]:
    bottom = MARGIN_BOTTOM + (PAGE_STRIP_HEIGHT if decor.strip_labels else 0)
    first_height = PAGE_HEIGHT - MARGIN_TOP - bottom
    frame_kw: dict[str, Any] = {
        "leftPadding": 0,
        "rightPadding": 0,
        "topPadding": 0,
        "bottomPadding": 0,
    }
    first_frame = Frame(MARGIN_LEFT, bottom, CONTENT_WIDTH, first_height, id="first", **frame_kw)
    later_frame = Frame(
        MARGIN_LEFT,
        bottom,
        CONTENT_WIDTH,
        first_height - CONTINUATION_HEADER_HEIGHT,
        id="later",
        **frame_kw,
    )
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        creator=CREATOR,
        producer=CREATOR,
        **meta,
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                id="first",
                frames=[first_frame],
                onPageEnd=decor.page_end,
                autoNextPageTemplate="later",
            ),
            PageTemplate(
                id="later",
                frames=[later_frame],
                onPage=decor.continuation_header,
                onPageEnd=decor.page_end,
            ),
        ]
    )
    stats: dict[str, int] = {"pages": 0, "signed_page": 0}
    doc.build(flowables, canvasmaker=_numbered_canvas(decor, stats))
    return buf.getvalue(), stats
