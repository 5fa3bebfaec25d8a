"""A patrol visit's photos, through the window: each shows its thumbnail, its 六个一 item and time
(not just "照片 1"); Enter opens it in the photo viewer; removing it with a reason takes it off the
visit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlmodel import Session, select

from inspector.services.audit.verify import verify
from inspector.store.models import AuditEvent
from inspector.util.clock import to_local
from sync.server.blobs import read_blob
from sync.server.db import Record
from tests.support.grid_worker import GridWorker, grid_worker, idle
from tests.support.photo_viewer import open_with_enter
from tests.support.sync_devices import Server

__all__ = ["grid_worker"]  # the fixture, used here


def test_patrol_photo_shows_thumbnail_and_time_and_opens_large(
    qtbot: QtBot, server: Server, grid_worker: GridWorker
) -> None:
    grid, w, photo = grid_worker.device, grid_worker.window, grid_worker.photo
    page = w.patrol
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    page.notes["look"].setText("看一看：消防通道畅通")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert page.visit_id is not None and page.photo_strip.count() == 0
    qtbot.mouseClick(page.photo_buttons["look"], Qt.MouseButton.LeftButton)
    idle(qtbot, w)

    # the strip names the photo by its item and time, with its thumbnail
    assert page.photo_strip.count() == 1
    [taken] = page.photo_strip.photos
    item = page.photo_strip.item(0)
    assert item.text() == f"看一看\n{to_local(taken.captured_at):%H:%M}"
    assert not item.icon().isNull()

    # Enter opens it large
    viewer = open_with_enter(qtbot, w, page.photo_strip, lambda: page.photo_viewer)
    when = f"{to_local(taken.captured_at):%Y-%m-%d %H:%M}"
    assert viewer.caption.text() == f"第 1 / 1 张　看一看 · {when}"
    assert not viewer.picture.pixmap().isNull()

    # removed with a reason: off the visit, kept for the audit
    qtbot.mouseClick(viewer.remove_button, Qt.MouseButton.LeftButton)
    viewer.reason.setText("拍到了路人的面部，已重拍")
    qtbot.mouseClick(viewer.confirm_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert not viewer.isVisible()  # the last photo: nothing left to show
    assert page.photo_strip.count() == 0
    assert page.photo_buttons["look"].text() == "照片 0"
    with grid.services.ctx.store.read() as s:
        kinds = [e.kind for e in s.exec(select(AuditEvent).where(AuditEvent.entity == "photo"))]
    assert kinds == ["photo.added", "photo.removed"]
    assert verify(grid.services.ctx).ok

    # the removal reaches the server with the record; the original was sent and stays there
    assert grid.sync.run().ok
    with Session(server.engine) as s:
        record = s.get(Record, ("photo", taken.id))
        assert record is not None
        assert record.data["removed_reason"] == "拍到了路人的面部，已重拍"
        original = read_blob(server.engine, server.blob_dir, record.data["original_sha256"])
        assert original == photo.read_bytes()
