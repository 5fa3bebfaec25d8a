"""Turning a photo's display copy and removing a photo with a reason: the original stays byte for
byte, each is an audited write that goes to the server, and `verify` still passes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from inspector.domain.errors import UserError
from inspector.services.audit.verify import verify
from inspector.services.facade import Services
from inspector.store.blobs import sha256_bytes
from inspector.store.models import Outbox, Photo
from tests.support.audit_events import events
from tests.support.inspections import start


def image(services: Services, sha: str) -> Image.Image:
    return Image.open(io.BytesIO(services.photos.image_bytes(sha))).convert("RGB")


def photo_op(services: Services, photo_id: str) -> dict[str, object]:
    with services.ctx.store.read() as s:
        [op] = s.exec(select(Outbox).where(Outbox.entity_id == photo_id)).all()
    payload: dict[str, object] = json.loads(op.payload)
    return {**payload, "blob_refs": json.loads(op.blob_refs)}


def test_turning_changes_the_display_copy_only(services: Services, rotated_photo: Path) -> None:
    iid = start(services)
    pid = services.photos.add_file(iid, rotated_photo, "测试单位\n2026-11-23 10:00").value
    [before] = services.inspections.view(iid).photos
    original = services.photos.image_bytes(before.original_sha256)
    assert image(services, before.display_sha256).size == (600, 800)

    turned_once = services.photo_edits.rotate(pid)
    display_sha, changes = turned_once.value, turned_once.changes
    assert changes.photos == {pid} and changes.inspections == {iid}
    [after] = services.inspections.view(iid).photos
    assert after.display_sha256 == display_sha != before.display_sha256
    assert after.thumb_sha256 != before.thumb_sha256
    turned = image(services, display_sha)
    assert turned.size == (800, 600)  # a quarter turn clockwise of the upright portrait
    # orientation 6 put the red top-left quarter top-right; another turn brings it bottom-right,
    # above the watermark band along the bottom
    r, g, _b = turned.getpixel((turned.width - 60, turned.height // 2 + 60))
    assert r > 150 and g < 120
    assert max(image(services, after.thumb_sha256).size) <= 320
    # the original is untouched, byte for byte
    assert after.original_sha256 == before.original_sha256
    assert services.photos.image_bytes(after.original_sha256) == original
    assert sha256_bytes(original) == before.original_sha256
    # a recorded write: audit event, the new snapshot queued with its new files
    [event] = events(services, "photo.rotated")
    assert event.entity_id == pid and json.loads(event.payload)["rotation"] == 1
    op = photo_op(services, pid)
    assert op["display_sha256"] == display_sha and op["rotation"] == 1
    assert display_sha in op["blob_refs"]  # type: ignore[operator]
    assert verify(services.ctx).ok, verify(services.ctx).problems

    # three more turns: upright again; every earlier copy is kept and still accounted for
    for _ in range(3):
        services.photo_edits.rotate(pid)
    [full] = services.inspections.view(iid).photos
    assert image(services, full.display_sha256).size == (600, 800)
    assert len(events(services, "photo.rotated")) == 4
    assert services.photos.image_bytes(before.display_sha256)  # the first copy is still there
    report = verify(services.ctx)
    assert report.ok, report.problems


def test_removing_a_photo_needs_a_reason_and_keeps_its_files(
    services: Services, photo_file: Path
) -> None:
    iid = start(services)
    pid = services.photos.add_file(iid, photo_file, "测试单位").value
    keep = services.photos.add_file(iid, photo_file, "测试单位").value
    [first, _second] = services.inspections.view(iid).photos

    with pytest.raises(UserError, match="请写明删除这张照片的原因"):
        services.photo_edits.remove(pid, "  ")
    assert len(services.inspections.view(iid).photos) == 2

    changes = services.photo_edits.remove(pid, "拍错了对象，是隔壁单位的配电箱").changes
    assert changes.photos == {pid}
    assert [p.id for p in services.inspections.view(iid).photos] == [keep]
    # nor put in a document drafted from the inspection
    services.inspections.finish(iid, "未发现隐患。")
    kind = next(
        k.kind
        for k in services.documents.kinds_for_inspection(iid)
        if k.enabled and k.kind != "inquiry_record"
    )
    assert services.documents.draft_from_inspection(kind, iid).photo_ids == [keep]
    # still in the store for the audit, files and all
    with services.ctx.store.read() as s:
        row = s.get(Photo, pid)
        assert row is not None and row.removed_reason == "拍错了对象，是隔壁单位的配电箱"
    assert services.photos.image_bytes(first.original_sha256) == photo_file.read_bytes()
    [event] = events(services, "photo.removed")
    assert json.loads(event.payload)["reason"] == "拍错了对象，是隔壁单位的配电箱"
    assert photo_op(services, pid)["removed_reason"] == "拍错了对象，是隔壁单位的配电箱"
    assert verify(services.ctx).ok

    with pytest.raises(UserError, match="找不到这张照片"):
        services.photo_edits.remove(pid, "再删一次")


def test_a_finished_inspection_keeps_its_photos(services: Services, photo_file: Path) -> None:
    iid = start(services)
    pid = services.photos.add_file(iid, photo_file, "测试单位").value
    services.inspections.finish(iid, "未发现隐患。")
    with pytest.raises(UserError, match="该检查已完成，记录已固定，照片不能再删除。"):
        services.photo_edits.remove(pid, "拍错了")
    assert len(services.inspections.view(iid).photos) == 1
