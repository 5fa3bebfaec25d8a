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
callers import the names from here (each re-exported explicitly, ``name as name``).
"""

from inspector.documents.layout.blocks import CELL_PAD as CELL_PAD
from inspector.documents.layout.blocks import BoxedTable as BoxedTable
from inspector.documents.layout.blocks import boxed_section as boxed_section
from inspector.documents.layout.blocks import document_number as document_number
from inspector.documents.layout.blocks import field_grid as field_grid
from inspector.documents.layout.blocks import header_block as header_block
from inspector.documents.layout.blocks import label_markup as label_markup
from inspector.documents.layout.pages import PageDecor as PageDecor
from inspector.documents.layout.pages import Story as Story
from inspector.documents.layout.pages import build_pdf as build_pdf
from inspector.documents.layout.signatures import SignatureAnchor as SignatureAnchor
from inspector.documents.layout.signatures import SignatureRow as SignatureRow
from inspector.documents.layout.signatures import signature_block as signature_block
from inspector.documents.layout.signatures import signature_image as signature_image
from inspector.documents.layout.styles import BODY_SIZE as BODY_SIZE
from inspector.documents.layout.styles import CONTENT_WIDTH as CONTENT_WIDTH
from inspector.documents.layout.styles import (
    CONTINUATION_HEADER_HEIGHT as CONTINUATION_HEADER_HEIGHT,
)
from inspector.documents.layout.styles import CREATOR as CREATOR
from inspector.documents.layout.styles import DRAFT_WATERMARK as DRAFT_WATERMARK
from inspector.documents.layout.styles import FOOTER_BASELINE as FOOTER_BASELINE
from inspector.documents.layout.styles import LINE_WIDTH as LINE_WIDTH
from inspector.documents.layout.styles import MARGIN_BOTTOM as MARGIN_BOTTOM
from inspector.documents.layout.styles import MARGIN_LEFT as MARGIN_LEFT
from inspector.documents.layout.styles import MARGIN_RIGHT as MARGIN_RIGHT
from inspector.documents.layout.styles import MARGIN_TOP as MARGIN_TOP
from inspector.documents.layout.styles import PAGE_HEIGHT as PAGE_HEIGHT
from inspector.documents.layout.styles import PAGE_STRIP_HEIGHT as PAGE_STRIP_HEIGHT
from inspector.documents.layout.styles import PAGE_WIDTH as PAGE_WIDTH
from inspector.documents.layout.styles import SIGNATURE_HEIGHT as SIGNATURE_HEIGHT
from inspector.documents.layout.styles import SMALL_SIZE as SMALL_SIZE
from inspector.documents.layout.styles import Styles as Styles
from inspector.documents.layout.styles import Template as Template
from inspector.documents.layout.styles import styles as styles
from inspector.documents.layout.text import TextLine as TextLine
from inspector.documents.layout.text import chinese_clock as chinese_clock
from inspector.documents.layout.text import chinese_date as chinese_date
from inspector.documents.layout.text import draw_text as draw_text
from inspector.documents.layout.text import keep_blanks as keep_blanks
from inspector.documents.layout.text import note_lines as note_lines
from inspector.documents.layout.text import para as para
from inspector.documents.layout.text import text_runs as text_runs
