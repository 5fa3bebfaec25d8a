"""Real JPEG bytes for photo tests."""

from __future__ import annotations

import io

from PIL import Image


def jpeg_bytes(
    width: int,
    height: int,
    *,
    orientation: int | None = None,
    colour: tuple[int, int, int] = (200, 60, 40),
) -> bytes:
    """A real JPEG whose top-left quarter is red and the rest grey (so rotation is visible)."""
    img = Image.new("RGB", (width, height), (128, 128, 128))
    img.paste(Image.new("RGB", (width // 2, height // 2), colour), (0, 0))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    exif[0x0132] = "2026:11:20 09:30:00"
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()
