"""PDF pages to images and text (pypdfium2), for the preview, for printing through Qt, and checks.

PDFium is not thread-safe: every call into it holds one process-wide lock.
"""

from __future__ import annotations

import threading

from PIL import Image

PDFIUM_LOCK = threading.Lock()


def render_pages(pdf: bytes, dpi: float = 110.0) -> list[Image.Image]:
    import pypdfium2

    with PDFIUM_LOCK:
        doc = pypdfium2.PdfDocument(pdf)
        try:
            return [
                doc[i].render(scale=dpi / 72.0).to_pil().convert("RGB") for i in range(len(doc))
            ]
        finally:
            doc.close()


def page_texts(pdf: bytes) -> list[str]:
    import pypdfium2

    with PDFIUM_LOCK:
        doc = pypdfium2.PdfDocument(pdf)
        try:
            return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
        finally:
            doc.close()
