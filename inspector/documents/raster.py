"""PDF pages to images (pypdfium2) for the on-screen preview and for printing through Qt."""

from __future__ import annotations

from PIL import Image


def render_pages(pdf: bytes, dpi: float = 110.0) -> list[Image.Image]:
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [doc[i].render(scale=dpi / 72.0).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()


def page_texts(pdf: bytes) -> list[str]:
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()
