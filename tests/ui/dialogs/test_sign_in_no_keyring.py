"""Sign-in on a machine with no keyring (issue 18): the dialog explains what is missing and offers
"仅本次登录"; the token then lives in memory for this run, the sync works, and neither the token nor
the password is written anywhere on disk (data dir, config dir, logs)."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from inspector.services.people.credentials import SESSION, CredentialStore, keyring_available
from inspector.ui.main_window import MainWindow
from inspector.util.log import setup_logging
from tests.support.sync_devices import BASE_URL, Device, make_device, server
from tests.support.sync_window import device, idle, sync_now, win
from tests.support.sync_world import PASSWORD

__all__ = ["device", "make_device", "server", "win"]  # fixtures, used here


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    keyring_available()  # what the app asks at start-up
    yield
    keyring.set_keyring(previous)
    keyring_available()
    SESSION.clear()  # the end of the run


@pytest.fixture
def log_dir(tmp_path: Path) -> Iterator[Path]:
    """The app's own log file, as the command line sets it up, for the length of the test."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    hooks = sys.excepthook, threading.excepthook
    folder = tmp_path / "logs"
    setup_logging(folder, logging.DEBUG)
    yield folder
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    sys.excepthook, threading.excepthook = hooks


def files_holding(secret: str, *folders: Path) -> list[Path]:
    needle = secret.encode()
    return [
        path
        for folder in folders
        for path in folder.rglob("*")
        if path.is_file() and needle in path.read_bytes()
    ]


def test_no_keyring_offers_session_only_sign_in_and_keeps_no_token_on_disk(
    qtbot: QtBot,
    no_keyring: None,
    log_dir: Path,
    win: MainWindow,
    device: Device,
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config_dir))
    page = win.sync_page
    win.go("sync")
    idle(qtbot, win)
    qtbot.mouseClick(page.sign_in_button, Qt.MouseButton.LeftButton)
    dialog = page.sign_in_dialog
    assert dialog is not None and dialog.isVisible()

    # what is missing and the safe alternative, before anything is typed
    assert dialog.keyring_note.isVisible()
    note = dialog.keyring_note.text()
    assert "没有可用的系统钥匙串" in note and "仅本次登录" in note and "内存" in note
    assert "不会以明文写入磁盘" in note
    assert dialog.sign_in_button.text() == "仅本次登录"
    buttons_at = dialog.sign_in_button.geometry()

    dialog.server.setText(BASE_URL)
    dialog.username.setText("zhang")
    dialog.password.setText(PASSWORD)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.sign_in_button.geometry() == buttons_at  # "正在登录…" moved nothing
    idle(qtbot, win)
    assert not dialog.isVisible(), dialog.error.text()
    assert "zhang @ http://sync.test（已登录）" in page.account_label.text()

    sync_now(qtbot, win)  # the session works: a whole sync with the in-memory token
    assert page.last_report is not None and page.last_report.ok, page.last_report
    assert page.last_report.pulled.get("unit") == 5

    token = CredentialStore().token("zhang")
    assert token and len(token) >= 16
    for secret in (token, PASSWORD):
        assert files_holding(secret, device.data_dir, config_dir, log_dir) == []
    assert any(log_dir.iterdir())  # the log was written, without the secrets

    # the next start (a new process: nothing in memory) asks for the password again
    SESSION.clear()
    assert CredentialStore().token("zhang") is None
