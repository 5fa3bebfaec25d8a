"""Evidence photos: the original kept byte for byte (addressed by SHA-256), an upright display copy
with a legible evidence watermark, and a thumbnail.

`prepare()` is CPU work with no database access (run it on a worker pool); `commit()` writes the
files durably and then the rows, outbox entry and audit event in one transaction.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError
from sqlmodel import Session

from inspector.domain.errors import UserError
from inspector.fonts import font_files
from inspector.services.blob_rows import ensure_blob_row
from inspector.services.changes import Changes, Done
from inspector.services.context import Context
from inspector.services.journal import audit, queue, row_payload
from inspector.store.blobs import sha256_bytes
from inspector.store.models import Hazard, Inspection, Photo
from inspector.util.ids import uuid7

# Our own size check runs before decoding; Pillow's bomb guard stays as a second line.
Image.MAX_IMAGE_PIXELS = 180_000_000

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825
_DATETIME_ORIGINAL = 36867
_DATETIME = 306
_ORIENTATION = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class PreparedPhoto:
    original: bytes
    original_sha256: str
    display: bytes
    thumb: bytes
    original_name: str
    width: int
    height: int
    exif_time: str | None
    gps_lat: float | None
    gps_lon: float | None
    watermark: str
    media_type: str = "image/jpeg"  # of the original


def read_image_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"找不到文件：{path}（可能已被移动、删除，或存储卡已拔出）。") from None
    except IsADirectoryError:
        raise UserError(f"{path.name} 是文件夹，不是照片文件。") from None
    except PermissionError:
        raise UserError(f"没有权限读取文件：{path}。") from None
    except OSError as exc:
        raise UserError(f"读取文件失败：{path.name}（{exc.strerror or exc}）。") from None


def prepare(
    data: bytes,
    *,
    name: str,
    watermark: str,
    max_megapixels: float = 90.0,
    long_edge: int = 2560,
    thumb_edge: int = 320,
    quality: int = 85,
) -> PreparedPhoto:
    """Decode, check, orient, scale and watermark one photo. Raises UserError on bad input."""
    if not data:
        raise UserError(f"{name} 是空文件，不是照片。")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            w, h = img.size
            if w * h > max_megapixels * 1_000_000:
                raise UserError(
                    f"{name} 的像素过大（{w}×{h}，约 {w * h / 1e6:.0f} 百万像素），超过上限 "
                    f"{max_megapixels:.0f} 百万像素。请在相机中选择较低的分辨率后重新拍摄或导入。"
                )
            img.load()
            media_type = Image.MIME.get(img.format or "", "application/octet-stream")
    except UserError:
        raise
    except UnidentifiedImageError:
        raise UserError(f"{name} 不是可识别的图片文件（支持 JPEG、PNG 等常见格式）。") from None
    except Image.DecompressionBombError:
        raise UserError(f"{name} 的像素过大，已拒绝导入。") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise UserError(
            f"{name} 图片数据不完整或已损坏，无法读取（{_short(exc)}）。请从相机重新复制该照片。"
        ) from None
    exif = img.getexif()
    exif_time, lat, lon = _exif_facts(exif)
    orientation = exif.get(_ORIENTATION, 1)
    upright: Image.Image = img if img.mode in ("RGB", "L") else img.convert("RGB")
    if max(upright.size) > long_edge:
        # Scale first, then turn: rotating the small image is ~4x cheaper than the original.
        scale = long_edge / max(upright.size)
        size = (max(1, round(upright.width * scale)), max(1, round(upright.height * scale)))
        upright = upright.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    method = _TRANSPOSE.get(orientation)
    if method is not None:
        upright = upright.transpose(method)
    _draw_watermark(upright, watermark)
    display = _jpeg(upright, quality)
    thumb_img = upright.copy()
    thumb_img.thumbnail((thumb_edge, thumb_edge), Image.Resampling.BILINEAR, reducing_gap=2.0)
    thumb = _jpeg(thumb_img, 80)
    return PreparedPhoto(
        original=data,
        original_sha256=sha256_bytes(data),
        display=display,
        thumb=thumb,
        original_name=name,
        width=w,
        height=h,
        exif_time=exif_time,
        gps_lat=lat,
        gps_lon=lon,
        watermark=watermark,
        media_type=media_type,
    )


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 60 else text[:57] + "…"


def _jpeg(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality, optimize=False)
    return buf.getvalue()


def _watermark_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    files = font_files()
    if files:
        return ImageFont.truetype(str(files[0][1]), size)
    return ImageFont.load_default(size)


def _draw_watermark(img: Image.Image, text: str) -> None:
    """White text on a dark band along the bottom: legible on any photo."""
    if not text:
        return
    size = max(14, img.width // 55)
    font = _watermark_font(size)
    lines = text.split("\n")
    pad = size // 2
    band_h = len(lines) * (size + pad // 2) + pad
    overlay = Image.new("RGBA", (img.width, band_h), (0, 0, 0, 150))
    draw = ImageDraw.Draw(overlay)
    y = pad // 2
    for line in lines:
        draw.text((pad, y), line, font=font, fill=(255, 255, 255, 255))
        y += size + pad // 2
    base = img if img.mode == "RGB" else img.convert("RGB")
    region = (0, img.height - band_h, img.width, img.height)
    cropped = base.crop(region).convert("RGBA")
    cropped.alpha_composite(overlay)
    img.paste(cropped.convert(img.mode), region[:2])


def _exif_facts(exif: Image.Exif) -> tuple[str | None, float | None, float | None]:
    when: str | None = None
    try:
        sub = exif.get_ifd(_EXIF_IFD)
        raw = sub.get(_DATETIME_ORIGINAL) or exif.get(_DATETIME)
        if isinstance(raw, str) and raw.strip():
            when = raw.strip()
    except Exception:
        when = None
    lat = lon = None
    try:
        gps = exif.get_ifd(_GPS_IFD)
        if gps:
            lat = _dms(gps.get(2), gps.get(1))
            lon = _dms(gps.get(4), gps.get(3))
    except Exception:
        lat = lon = None
    return when, lat, lon


def _dms(value: Any, ref: Any) -> float | None:
    if not value or len(value) != 3:
        return None
    deg = float(value[0]) + float(value[1]) / 60 + float(value[2]) / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if ref in ("S", "W"):
        deg = -deg
    return round(deg, 7)


def watermark_text(unit_name: str, when: datetime, inspectors: list[str]) -> str:
    stamp = when.strftime("%Y-%m-%d %H:%M")
    return f"{unit_name}\n{stamp}  检查人员：{'、'.join(inspectors)}"


class PhotoService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def prepare_file(self, path: Path, watermark: str) -> PreparedPhoto:
        s = self.ctx.settings
        return prepare(
            read_image_file(path),
            name=path.name,
            watermark=watermark,
            max_megapixels=s.photo_max_megapixels,
            long_edge=s.photo_display_long_edge,
            thumb_edge=s.photo_thumb_long_edge,
            quality=s.photo_jpeg_quality,
        )

    def commit(
        self, inspection_id: str, photo: PreparedPhoto, hazard_id: str | None = None
    ) -> Done[str]:
        """Write the three files durably, then the row + outbox + audit in one transaction."""
        shas = self.store_files(photo)
        with self.ctx.store.write() as s:
            insp = s.get(Inspection, inspection_id)
            if insp is None:
                raise UserError("检查记录不存在，照片未保存。")
            if insp.status == "finished":
                raise UserError("该检查已完成，记录已固定，不能再添加照片。")
            if hazard_id is not None:
                hazard = s.get(Hazard, hazard_id)
                if hazard is None or hazard.inspection_id != inspection_id:
                    raise UserError("所选隐患不属于本次检查。")
                if hazard.status == "withdrawn":
                    raise UserError("所选隐患已撤销，照片未保存。请选择其他隐患或不选隐患。")
            row = self.add_row(
                s, photo, shas, insp.created_by, inspection_id=inspection_id, hazard_id=hazard_id
            )
        return Done(
            row.id,
            Changes(
                inspections=frozenset({inspection_id}),
                photos=frozenset({row.id}),
                hazards=frozenset({hazard_id}) if hazard_id else frozenset(),
            ),
        )

    def store_files(self, photo: PreparedPhoto) -> dict[str, str]:
        """The photo's three files, written durably before any row names them."""
        return {
            "original": self.ctx.blobs.put(photo.original, photo.original_sha256),
            "display": self.ctx.blobs.put(photo.display),
            "thumb": self.ctx.blobs.put(photo.thumb),
        }

    def add_row(
        self,
        s: Session,
        photo: PreparedPhoto,
        shas: dict[str, str],
        actor_id: str | None,
        *,
        inspection_id: str | None = None,
        hazard_id: str | None = None,
        visit_id: str | None = None,
        report_id: str | None = None,
        aspect: str = "",
    ) -> Photo:
        """The photo row (owned by an inspection, patrol visit or report: `owner`), its blob
        rows, outbox entry and audit event, in the caller's transaction."""
        files = {
            "original": (len(photo.original), photo.media_type),
            "display": (len(photo.display), "image/jpeg"),
            "thumb": (len(photo.thumb), "image/jpeg"),
        }
        for key, sha in shas.items():
            ensure_blob_row(s, self.ctx.clock, sha, *files[key])
        row = Photo(
            id=uuid7(),
            original_sha256=shas["original"],
            display_sha256=shas["display"],
            thumb_sha256=shas["thumb"],
            original_name=photo.original_name,
            width=photo.width,
            height=photo.height,
            exif_time=photo.exif_time,
            gps_lat=photo.gps_lat,
            gps_lon=photo.gps_lon,
            captured_at=self.ctx.clock.now(),
            clock_offset_s=self.ctx.clock.offset_s,
            watermark=photo.watermark,
            created_by=actor_id,
            inspection_id=inspection_id,
            hazard_id=hazard_id,
            visit_id=visit_id,
            report_id=report_id,
            aspect=aspect,
        )
        s.add(row)
        s.flush()
        payload = row_payload(row)
        queue(s, self.ctx.clock, "photo", row.id, payload, blob_refs=list(shas.values()))
        audit(s, self.ctx.clock, "photo.added", "photo", row.id, actor_id, payload)
        return row

    def add_file(
        self, inspection_id: str, path: Path, watermark: str, hazard_id: str | None = None
    ) -> Done[str]:
        return self.commit(inspection_id, self.prepare_file(path, watermark), hazard_id)

    def image_bytes(self, sha256: str) -> bytes:
        return self.ctx.blobs.read(sha256)


# The photo files a person may choose or import, in one place: every file dialog and the folder
# import use these (all decode with Pillow as installed; HEIC would need a plugin we do not ship).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp")
IMAGE_FILTER = "图片 (" + " ".join(f"*{suffix}" for suffix in IMAGE_SUFFIXES) + ")"


def photos_in_folder(folder: Path) -> list[Path]:
    """Image files in a folder and its subfolders (a camera card's DCIM), in name order."""
    try:
        return sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
        )
    except OSError as exc:
        raise UserError(f"无法读取文件夹 {folder}：{exc.strerror or exc}。") from None
