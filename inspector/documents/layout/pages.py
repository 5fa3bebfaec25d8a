"""Laying a story out on A4: continuation headers, "第 X 页 共 Y 页", the per-page signature strip
and the draft watermark; :func:`build_pdf` returns the PDF bytes."""

from __future__ import annotations

import copy
import dataclasses
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
)

from inspector.documents.layout.signatures import SignatureAnchor
from inspector.documents.layout.styles import (
    CONTENT_WIDTH,
    CONTINUATION_HEADER_HEIGHT,
    CREATOR,
    FOOTER_BASELINE,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_STRIP_HEIGHT,
    PAGE_WIDTH,
    Template,
    styles,
)
from inspector.documents.layout.text import draw_text

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
