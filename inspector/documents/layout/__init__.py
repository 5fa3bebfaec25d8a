"""Reusable building blocks for the 安全生产行政执法文书 PDFs (ReportLab platypus).

Every document is built the same way: a list of flowables (header block, field grid, boxed sections,
signature block) handed to :func:`build_pdf` together with the document's template dict (the JSON file
under ``forms/documents/``). :func:`build_pdf` lays the flowables out on A4 pages, repeats a short header
("<title>（续页）" + 文号) on continuation pages, prints "第 X 页 共 Y 页" on every page and, on every
page that does not carry the final signature block, a signature strip so each sheet can be signed.

All text goes through :func:`inspector.fonts.markup_with_fallback`, so characters missing from the
primary CJK font (rare name characters such as 𠀀) are drawn from the fallback font instead of boxes.

The package holds one seam a module: ``styles`` (page geometry, paragraph styles), ``text``
(paragraphs and lines with font fallback, Chinese dates), ``blocks`` (header, field grid, boxed
sections), ``signatures`` (the signature block) and ``pages`` (page decoration and :func:`build_pdf`);
callers import the names from here.
"""

from inspector.documents.layout.blocks import (
    CELL_PAD,
    BoxedTable,
    boxed_section,
    document_number,
    field_grid,
    header_block,
    label_markup,
)
from inspector.documents.layout.pages import (
    PageDecor,
    Story,
    build_pdf,
)
from inspector.documents.layout.signatures import (
    SignatureAnchor,
    SignatureRow,
    signature_block,
    signature_image,
)
from inspector.documents.layout.styles import (
    BODY_SIZE,
    CONTENT_WIDTH,
    CONTINUATION_HEADER_HEIGHT,
    CREATOR,
    DRAFT_WATERMARK,
    FOOTER_BASELINE,
    LINE_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_STRIP_HEIGHT,
    PAGE_WIDTH,
    SIGNATURE_HEIGHT,
    SMALL_SIZE,
    Styles,
    Template,
    styles,
)
from inspector.documents.layout.text import (
    TextLine,
    chinese_clock,
    chinese_date,
    draw_text,
    keep_blanks,
    note_lines,
    para,
    text_runs,
)

__all__ = [
    "BODY_SIZE",
    "CELL_PAD",
    "CONTENT_WIDTH",
    "CONTINUATION_HEADER_HEIGHT",
    "CREATOR",
    "DRAFT_WATERMARK",
    "FOOTER_BASELINE",
    "LINE_WIDTH",
    "MARGIN_BOTTOM",
    "MARGIN_LEFT",
    "MARGIN_RIGHT",
    "MARGIN_TOP",
    "PAGE_HEIGHT",
    "PAGE_STRIP_HEIGHT",
    "PAGE_WIDTH",
    "SIGNATURE_HEIGHT",
    "SMALL_SIZE",
    "BoxedTable",
    "PageDecor",
    "SignatureAnchor",
    "SignatureRow",
    "Story",
    "Styles",
    "Template",
    "TextLine",
    "boxed_section",
    "build_pdf",
    "chinese_clock",
    "chinese_date",
    "document_number",
    "draw_text",
    "field_grid",
    "header_block",
    "keep_blanks",
    "label_markup",
    "note_lines",
    "para",
    "signature_block",
    "signature_image",
    "styles",
    "text_runs",
]
