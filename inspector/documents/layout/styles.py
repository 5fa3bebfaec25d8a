"""Page geometry (A4, the forms' margins and rules) and the paragraph styles of every document."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from inspector.fonts import register_reportlab_fonts

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
