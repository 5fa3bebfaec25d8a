"""The photo viewer from an inspection's photo list, offscreen: Enter / double-click opens a photo
large, ←/→ move between photos, 向右旋转 turns the display copy (the original unchanged), 删除照片
asks for a reason in place of the button row (nothing moves), Esc closes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from inspector.services.audit.verify import verify
from inspector.services.facade import Services
from inspector.ui.dialogs.photo_viewer import PhotoViewer
from inspector.ui.main_window import MainWindow
from tests.support.audit_events import events
from tests.support.inspections import start
from tests.support.photo_viewer import open_with_enter
from tests.support.writer import on_writer

WAIT = 10_000


def idle(qtbot: QtBot, w: MainWindow) -> None:
    qtbot.waitUntil(lambda: w.tasks.pending == 0, timeout=WAIT)


def portrait(viewer: PhotoViewer) -> bool:
    pixmap = viewer.picture.pixmap()
    assert not pixmap.isNull()
    return pixmap.height() > pixmap.width()


def test_viewer_browses_turns_and_removes_a_photo(
    qtbot: QtBot, window: MainWindow, services: Services, rotated_photo: Path, photo_file: Path
) -> None:
    w = window
    iid = start(services)
    for photo in (rotated_photo, photo_file):
        on_writer(services, lambda: services.photos.add_file(iid, photo, "测试单位"))  # noqa: B023
    w.open_inspection(iid)
    idle(qtbot, w)
    page = w.inspection
    assert page.photo_list.count() == 2

    # Enter on the first photo opens it large
    viewer = open_with_enter(qtbot, w, page.photo_list, lambda: page.photo_viewer)
    assert viewer.caption.text().startswith("第 1 / 2 张　IMG_ROT6.JPG · ")
    assert portrait(viewer)  # the upright display copy of the EXIF-turned original
    assert viewer.width() <= 1024 and viewer.height() <= 700
    assert viewer.status.text() == ""
    fixed = [viewer.picture.geometry(), viewer.status.geometry(), viewer.bar.geometry()]
    qtbot.keyClick(viewer, Qt.Key.Key_Right)
    idle(qtbot, w)
    assert viewer.caption.text().startswith("第 2 / 2 张　IMG_0001.JPG")
    assert not portrait(viewer) and not viewer.next_button.isEnabled()
    qtbot.keyClick(viewer, Qt.Key.Key_Left)
    idle(qtbot, w)
    assert viewer.caption.text().startswith("第 1 / 2 张")

    # turn the display copy: shown at once, the original stays byte for byte
    assert page.view is not None
    before = page.view.photos[0]
    qtbot.mouseClick(viewer.rotate_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert viewer.status.text().startswith("已旋转显示图；原图保持不变")
    # a message appearing moves nothing
    assert [viewer.picture.geometry(), viewer.status.geometry(), viewer.bar.geometry()] == fixed
    assert not portrait(viewer)
    assert page.view.photos[0].display_sha256 == viewer.current.display_sha256
    assert viewer.current.display_sha256 != before.display_sha256
    assert services.photos.image_bytes(before.original_sha256) == rotated_photo.read_bytes()

    # 删除照片…: the reason takes the button row's place; nothing else moves
    buttons = viewer.findChildren(QPushButton)
    qtbot.mouseClick(viewer.remove_button, Qt.MouseButton.LeftButton)
    assert viewer.bar.currentIndex() == 1 and viewer.reason.hasFocus()
    assert [viewer.picture.geometry(), viewer.status.geometry(), viewer.bar.geometry()] == fixed
    assert "原图仍保留" in viewer.status.text()
    qtbot.keyClick(viewer.reason, Qt.Key.Key_Return)  # no reason yet
    idle(qtbot, w)
    assert viewer.status.text().startswith("请写明删除这张照片的原因")
    assert page.photo_list.count() == 2
    viewer.reason.setText("拍错了对象")
    qtbot.keyClick(viewer.reason, Qt.Key.Key_Return)
    idle(qtbot, w)
    assert page.photo_list.count() == 1
    assert viewer.isVisible() and viewer.caption.text().startswith("第 1 / 1 张　IMG_0001.JPG")
    assert viewer.bar.currentIndex() == 0
    [removed] = events(services, "photo.removed")
    assert removed.entity_id == before.id and "拍错了对象" in removed.payload
    assert verify(services.ctx).ok
    assert len(buttons) == len(viewer.findChildren(QPushButton))

    # Esc closes; a double-click opens the remaining photo again
    qtbot.keyClick(viewer, Qt.Key.Key_Escape)
    assert not viewer.isVisible()
    item = page.photo_list.item(0)
    centre = page.photo_list.visualItemRect(item).center()
    qtbot.mouseClick(page.photo_list.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(page.photo_list.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    again = page.photo_viewer
    assert again is not None and again is not viewer and again.isVisible()
    idle(qtbot, w)
    assert again.caption.text().startswith("第 1 / 1 张")
    again.reject()
