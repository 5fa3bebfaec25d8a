"""What a person may do to a stored photo: turn its display copy, or remove it with a reason.

The original is never touched (its bytes and SHA-256 stay what was imported). Turning renders a new
display copy and thumbnail from the original, upright as imported and turned by the photo's total
`rotation`, with the same watermark along the bottom; the row names the new files and the earlier
ones stay stored (`verify` accepts a display copy or thumbnail an earlier event of the same photo
recorded). Removing sets `removed_reason`: the photo is no longer listed or printed, and all its
files stay for the audit. Each is a recorded write: the row, its outbox snapshot and an audit event
(`photo.rotated`, `photo.removed`) in one transaction.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps
from sqlmodel import Session

from inspector.domain.errors import UserError
from inspector.services.blob_rows import ensure_blob_row
from inspector.services.changes import Changes, Done, done
from inspector.services.context import Context
from inspector.services.evidence.photo_list import ListedPhoto, photos_of_visit
from inspector.services.evidence.photos import prepare
from inspector.services.journal import audit, queue, row_payload
from inspector.services.setting_rows import current_user_id
from inspector.store.models import Inspection, Patrol, PatrolVisit, Photo

ROTATED_EVENT = "photo.rotated"
REMOVED_EVENT = "photo.removed"
REASON_MAX = 200


@dataclass(frozen=True)
class RotatedCopy:
    """A new display copy and thumbnail, rendered off the writer (`prepare_rotation`)."""

    photo_id: str
    rotation: int  # the photo's total quarter turns, clockwise, 0–3
    display: bytes
    thumb: bytes
    replaces_display: str  # the display copy it was made to replace (a newer turn wins)


def render_turned(original: bytes, quarter_turns: int, long_edge: int) -> bytes:
    """The original upright (its EXIF orientation applied), scaled to the display size and turned
    clockwise, as lossless PPM bytes for `prepare` to watermark and encode."""
    with Image.open(io.BytesIO(original)) as img:
        img.draft("RGB", (long_edge, long_edge))  # JPEG: decode at a reduced scale when it can
        upright = ImageOps.exif_transpose(img)
        if upright.mode != "RGB":
            upright = upright.convert("RGB")
        if max(upright.size) > long_edge:
            scale = long_edge / max(upright.size)
            size = (max(1, round(upright.width * scale)), max(1, round(upright.height * scale)))
            upright = upright.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        turned = upright.rotate(-90 * (quarter_turns % 4), expand=True)
    buf = io.BytesIO()
    turned.save(buf, "PPM")
    return buf.getvalue()


class PhotoEdits:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def visit_photos(self, visit_id: str) -> list[ListedPhoto]:
        """A patrol visit's photos, as its photo strip lists them."""
        return photos_of_visit(self.ctx, visit_id)

    def prepare_rotation(self, photo_id: str, quarter_turns: int = 1) -> RotatedCopy:
        """Render the display copy turned by `quarter_turns` more (CPU work: run it on the pool)."""
        with self.ctx.store.read() as s:
            photo = _photo(s, photo_id)
            rotation = (photo.rotation + quarter_turns) % 4
            watermark, display_sha = photo.watermark, photo.display_sha256
            name, original_sha = photo.original_name or "照片", photo.original_sha256
        original = self.ctx.blobs.read(original_sha)
        st = self.ctx.settings
        rendered = prepare(
            render_turned(original, rotation, st.photo_display_long_edge),
            name=name,
            watermark=watermark,
            max_megapixels=st.photo_max_megapixels,
            long_edge=st.photo_display_long_edge,
            thumb_edge=st.photo_thumb_long_edge,
            quality=st.photo_jpeg_quality,
        )
        return RotatedCopy(photo_id, rotation, rendered.display, rendered.thumb, display_sha)

    def commit_rotation(self, turned: RotatedCopy) -> Done[str]:
        """Store the new files, then point the row at them (outbox + audit); returns the new
        display copy's SHA-256."""
        display = self.ctx.blobs.put(turned.display)
        thumb = self.ctx.blobs.put(turned.thumb)
        with self.ctx.store.write() as s:
            photo = _photo(s, turned.photo_id)
            if photo.display_sha256 != turned.replaces_display:
                raise UserError("这张照片刚刚已被旋转过，请看一下现在的方向后再操作。")
            before = {"display_sha256": photo.display_sha256, "thumb_sha256": photo.thumb_sha256}
            for sha, data in ((display, turned.display), (thumb, turned.thumb)):
                ensure_blob_row(s, self.ctx.clock, sha, len(data), "image/jpeg")
            photo.display_sha256, photo.thumb_sha256 = display, thumb
            photo.rotation = turned.rotation
            # the new files at the payload's top level: `verify` keeps them accounted for after
            # a later turn replaces them too
            event = {"rotation": turned.rotation, "display_sha256": display, "thumb_sha256": thumb}
            self._record(s, photo, ROTATED_EVENT, {**event, "before": before})
            changes = _changes(photo)
        return Done(display, changes)

    def rotate(self, photo_id: str, quarter_turns: int = 1) -> Done[str]:
        """Both steps on the calling thread (tests, scripts)."""
        return self.commit_rotation(self.prepare_rotation(photo_id, quarter_turns))

    def remove(self, photo_id: str, reason: str) -> Done[None]:
        """Remove a photo from the record, saying why; its files stay for the audit."""
        why = " ".join(reason.split())
        if len(why) < 2:
            raise UserError("请写明删除这张照片的原因（至少 2 个字），例如“拍错了对象”。")
        if len(why) > REASON_MAX:
            raise UserError(f"删除原因过长：{len(why)} 字，最多 {REASON_MAX} 字。")
        with self.ctx.store.write() as s:
            photo = _photo(s, photo_id)
            _check_still_open(s, photo)
            photo.removed_reason = why
            self._record(s, photo, REMOVED_EVENT, {"reason": why})
            return done(_changes(photo))

    def _record(self, s: Session, photo: Photo, kind: str, payload: dict[str, object]) -> None:
        s.add(photo)
        s.flush()
        snapshot = row_payload(photo)
        refs = [photo.original_sha256, photo.display_sha256, photo.thumb_sha256]
        queue(s, self.ctx.clock, "photo", photo.id, snapshot, blob_refs=refs)
        actor = current_user_id(s) or photo.created_by
        audit(s, self.ctx.clock, kind, "photo", photo.id, actor, payload)


def _photo(s: Session, photo_id: str) -> Photo:
    photo = s.get(Photo, photo_id)
    if photo is None or photo.removed_reason:
        raise UserError("找不到这张照片（可能已被删除）。")
    return photo


def _check_still_open(s: Session, photo: Photo) -> None:
    """A fixed record keeps its photos: a finished inspection or patrol."""
    if photo.inspection_id:
        insp = s.get(Inspection, photo.inspection_id)
        if insp is not None and insp.status == "finished":
            raise UserError("该检查已完成，记录已固定，照片不能再删除。")
    if photo.visit_id:
        visit = s.get(PatrolVisit, photo.visit_id)
        patrol = s.get(Patrol, visit.patrol_id) if visit else None
        if patrol is not None and patrol.status == "finished":
            raise UserError("该次巡查已结束，记录已固定，照片不能再删除。")


def _changes(photo: Photo) -> Changes:
    return Changes(
        photos=frozenset({photo.id}),
        inspections=frozenset({photo.inspection_id}) if photo.inspection_id else frozenset(),
        hazards=frozenset({photo.hazard_id}) if photo.hazard_id else frozenset(),
    )
