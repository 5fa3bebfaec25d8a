"""The 案卷 PDF of one case: a cover, the 卷内文件目录 with the page on which each document starts,
then each issued document's frozen PDF followed by the photos of its signed paper copy; every page
carries its 案卷 page number. Cover, 目录 and photo pages are drawn with ReportLab; the documents'
own pages are imported unchanged with pypdfium2 (no re-rendering of what was issued)."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from inspector.documents.layout import chinese_date
from inspector.documents.raster import PDFIUM_LOCK
from inspector.fonts import register_reportlab_fonts

TOC_ROWS_PER_PAGE = 20
# 序号, 题名, 文号, 日期, 页号, 备注 (mm; 170 in all between 20 mm margins)
TOC_COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 10),
    ("题名", 46),
    ("文号", 50),
    ("日期", 30),
    ("页号", 12),
    ("备注", 22),
)
PAGE_MARK = "案卷第{n}页"


@dataclass(frozen=True)
class CaseCover:
    cause: str  # 案由
    party: str
    agency: str
    opened_on: date | None  # 立案
    closed_on: date | None  # 结案
    unit_address: str = ""


@dataclass(frozen=True)
class ArchivePart:
    """One issued document of the case: its frozen PDF and the photos of its signed copy."""

    title: str
    number: str
    issued_on: date | None
    pdf: bytes
    photos: list[bytes] = field(default_factory=list)


@dataclass(frozen=True)
class TocRow:
    seq: int
    title: str
    number: str
    issued_on: date | None
    start_page: int  # 1-based page of the 案卷 PDF
    note: str


def toc_pages(count: int) -> int:
    return max(1, math.ceil(count / TOC_ROWS_PER_PAGE))


def _fit(c: Canvas, font: str, text: str, x: float, y: float, width: float, size: float) -> None:
    """Draw *text* in the cell starting at x, shrinking the size until it fits the width."""
    while size > 5 and stringWidth(text, font, size) > width - 2 * mm:
        size -= 0.5
    c.setFont(font, size)
    c.drawString(x + 1 * mm, y, text)


def _cover(c: Canvas, font: str, cover: CaseCover, count: int) -> None:
    w, h = A4
    c.setFont(font, 26)
    c.drawCentredString(w / 2, h - 60 * mm, "安全生产行政执法案卷")
    rows = (
        ("案　　由", cover.cause),
        ("当 事 人", cover.party),
        ("地　　址", cover.unit_address),
        ("执法机关", cover.agency),
        ("立案日期", chinese_date(cover.opened_on) if cover.opened_on else "　　年　月　日"),
        ("结案日期", chinese_date(cover.closed_on) if cover.closed_on else "　　年　月　日"),
        ("卷内文件", f"{count}件"),
    )
    y = h - 100 * mm
    for label, value in rows:
        c.setFont(font, 14)
        c.drawString(35 * mm, y, f"{label}：")
        _fit(c, font, value, 62 * mm, y, 118 * mm, 14)
        c.line(62 * mm, y - 2 * mm, 180 * mm, y - 2 * mm)
        y -= 16 * mm
    c.showPage()


def _toc(c: Canvas, font: str, rows: Sequence[TocRow]) -> None:
    w, h = A4
    row_h = 10 * mm
    for page in range(toc_pages(len(rows))):
        chunk = rows[page * TOC_ROWS_PER_PAGE : (page + 1) * TOC_ROWS_PER_PAGE]
        c.setFont(font, 20)
        c.drawCentredString(w / 2, h - 25 * mm, "卷内文件目录")
        top = h - 35 * mm
        x0 = 20 * mm
        cells = [
            [label for label, _ in TOC_COLUMNS],
            *[
                [
                    str(r.seq),
                    r.title,
                    r.number,
                    chinese_date(r.issued_on) if r.issued_on else "",
                    str(r.start_page),
                    r.note,
                ]
                for r in chunk
            ],
        ]
        for n, values in enumerate(cells):
            y = top - (n + 1) * row_h
            x = x0
            for (_label, width), value in zip(TOC_COLUMNS, values, strict=True):
                _fit(c, font, value, x, y + 3.5 * mm, width * mm, 10)
                x += width * mm
        table_w = sum(wd for _l, wd in TOC_COLUMNS) * mm
        bottom = top - len(cells) * row_h
        for n in range(len(cells) + 1):
            c.line(x0, top - n * row_h, x0 + table_w, top - n * row_h)
        x = x0
        for _label, width in (*TOC_COLUMNS, ("", 0)):
            c.line(x, top, x, bottom)
            x += width * mm
        c.showPage()


def _photo_pages(c: Canvas, font: str, part: ArchivePart) -> None:
    w, h = A4
    for n, photo in enumerate(part.photos, start=1):
        caption = f"{part.title}{part.number} 签字文书照片{n}"
        _fit(c, font, caption, 20 * mm, h - 20 * mm, w - 40 * mm, 12)
        image = ImageReader(io.BytesIO(photo))
        iw, ih = image.getSize()
        box_w, box_h = w - 40 * mm, h - 50 * mm
        scale = min(box_w / iw, box_h / ih)
        dw, dh = iw * scale, ih * scale
        c.drawImage(image, (w - dw) / 2, h - 30 * mm - dh, dw, dh)
        c.showPage()


def _drawn(draw: object, *args: object) -> bytes:
    font = register_reportlab_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4)
    draw(c, font, *args)  # type: ignore[operator]
    c.save()
    return buf.getvalue()


def _marks(count: int, sizes: Sequence[tuple[float, float]]) -> bytes:
    """One page per 案卷 page, holding only its page number at the top right."""
    font = register_reportlab_fonts()
    buf = io.BytesIO()
    c = Canvas(buf)
    for n in range(count):
        pw, ph = sizes[n]
        c.setPageSize((pw, ph))
        c.setFont(font, 10)
        c.drawRightString(pw - 12 * mm, ph - 10 * mm, PAGE_MARK.format(n=n + 1))
        c.showPage()
    c.save()
    return buf.getvalue()


def page_count(pdf: bytes) -> int:
    import pypdfium2

    with PDFIUM_LOCK:
        doc = pypdfium2.PdfDocument(pdf)
        try:
            return len(doc)
        finally:
            doc.close()


def build_case_pdf(cover: CaseCover, parts: Sequence[ArchivePart]) -> tuple[bytes, list[TocRow]]:
    """The 案卷 PDF and its 目录 rows (each with the page on which its document starts)."""
    import pypdfium2

    photo_pdfs = [_drawn(_photo_pages, p) if p.photos else b"" for p in parts]
    page = 1 + toc_pages(len(parts)) + 1  # after the cover and the 目录
    rows: list[TocRow] = []
    for n, (part, photos) in enumerate(zip(parts, photo_pdfs, strict=True), start=1):
        note = f"含签字照片{len(part.photos)}张" if part.photos else ""
        rows.append(TocRow(n, part.title, part.number, part.issued_on, page, note))
        page += page_count(part.pdf) + (len(part.photos) if photos else 0)
    blobs = [_drawn(_cover, cover, len(parts)), _drawn(_toc, rows)]
    for part, photos in zip(parts, photo_pdfs, strict=True):
        blobs += [part.pdf, photos]
    with PDFIUM_LOCK:
        out = pypdfium2.PdfDocument.new()
        opened: list[pypdfium2.PdfDocument] = []
        try:
            for blob in (b for b in blobs if b):
                src = pypdfium2.PdfDocument(blob)
                opened.append(src)
                out.import_pages(src, index=len(out))
            sizes = [out.get_page_size(i) for i in range(len(out))]
            marks = pypdfium2.PdfDocument(_marks(len(out), sizes))
            opened.append(marks)
            for i in range(len(out)):
                xobject = marks.page_as_xobject(i, out)
                target = out[i]
                target.insert_obj(xobject.as_pageobject())
                target.gen_content()
            buf = io.BytesIO()
            out.save(buf)
        finally:
            for src in opened:
                src.close()
            out.close()
    return buf.getvalue(), rows
