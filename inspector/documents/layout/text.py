"""Text on the page: paragraphs and single lines drawn with font fallback (rare characters from
the fallback font, ideographic blanks kept), and the Chinese way of writing dates and times."""

from __future__ import annotations

import functools
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Paragraph,
    Spacer,
)

from inspector.documents.layout.styles import styles
from inspector.fonts import coverage, markup_with_fallback


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
