"""Shared by tests: moved from test_sync_ui.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from inspector.ui.main_window import MainWindow
from tests.support.sync_devices import BASE_URL, Device, Server
from tests.support.sync_world import PASSWORD
from tests.support.window import shown_window

WAIT = 10_000


@pytest.fixture
def device(make_device: Any, server: Server) -> Device:
    dev: Device = make_device("ui-device")
    dev.services.sync = dev.sync  # the window's services talk to the in-process server
    return dev


@pytest.fixture
def win(qtbot: QtBot, qapp: Any, device: Device) -> Iterator[MainWindow]:
    w = shown_window(qtbot, qapp, device.services, timeout=WAIT)
    yield w
    qtbot.waitUntil(lambda: w.tasks.pending == 0, timeout=WAIT)


def idle(qtbot: QtBot, w: MainWindow) -> None:
    qtbot.waitUntil(lambda: w.tasks.pending == 0 and not w.sync_page.running, timeout=WAIT)


def sign_in(qtbot: QtBot, w: MainWindow, password: str = PASSWORD) -> None:
    page = w.sync_page
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    dialog = page.sign_in_dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.sign_in_button.isEnabled()
    dialog.server.setText(BASE_URL)
    dialog.username.setText("zhang")
    assert not dialog.sign_in_button.isEnabled()  # no password yet
    dialog.password.setText(password)
    assert dialog.sign_in_button.isEnabled()
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.password.text() == ""  # the secret left the widget at once
    idle(qtbot, w)


def sync_now(qtbot: QtBot, w: MainWindow) -> None:
    qtbot.mouseClick(w.sync_page.sync_button, Qt.MouseButton.LeftButton)
    assert w.sync_page.running
    idle(qtbot, w)


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text() if item is not None else ""
