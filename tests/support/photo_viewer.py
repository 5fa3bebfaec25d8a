"""Shared by tests: moved from test_photo_viewer_ui.py."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from inspector.ui.dialogs.photo_viewer import PhotoViewer
from inspector.ui.main_window import MainWindow
from tests.support.window import idle


def open_with_enter(
    qtbot: QtBot, w: MainWindow, photos: QListWidget, viewer: Callable[[], PhotoViewer | None]
) -> PhotoViewer:
    """Enter on the first photo of a list opens it in the viewer, loaded."""
    photos.setCurrentRow(0)
    photos.setFocus()
    qtbot.keyClick(photos, Qt.Key.Key_Return)
    opened = viewer()
    assert opened is not None and opened.isVisible()
    idle(qtbot, w)
    return opened
