"""Shared by tests: moved from test_patrol_ui.py."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from inspector.services.evidence.photos import PhotoService, PreparedPhoto
from inspector.ui.main_window import NAV, MainWindow
from tests.support.photos import jpeg_bytes
from tests.support.sync_devices import BASE_URL, Device, Server
from tests.support.sync_steps import add_grid_worker
from tests.support.sync_world import PASSWORD
from tests.support.window import shown_window

WAIT = 15_000


def window_for(qtbot: QtBot, qapp: Any, dev: Device) -> MainWindow:
    return shown_window(qtbot, qapp, dev.services, timeout=WAIT)


def idle(qtbot: QtBot, w: MainWindow) -> None:
    qtbot.waitUntil(lambda: w.tasks.pending == 0, timeout=WAIT)


@dataclass
class GridWorker:
    device: Device
    window: MainWindow
    photo: Path  # what the file dialog picks
    prepared_on: list[str] = field(default_factory=list)  # threads that prepared each photo


@pytest.fixture
def grid_worker(
    qtbot: QtBot,
    qapp: Any,
    server: Server,
    make_device: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> GridWorker:
    """A grid worker's window after their device's first sync; the file dialog picks a JPEG."""
    add_grid_worker(server)
    grid: Device = make_device("grid")
    grid.sync.sign_in(BASE_URL, "grid1", PASSWORD)
    assert grid.sync.run().ok
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(jpeg_bytes(800, 600))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(photo)], ""))
    # which thread decodes, scales and watermarks each photo (the real work, only watched)
    prepared_on: list[str] = []
    prepare_file = PhotoService.prepare_file

    def watched(svc: PhotoService, path: Path, watermark: str) -> PreparedPhoto:
        prepared_on.append(threading.current_thread().name)
        return prepare_file(svc, path, watermark)

    monkeypatch.setattr(PhotoService, "prepare_file", watched)
    return GridWorker(grid, window_for(qtbot, qapp, grid), photo, prepared_on)


def visible_pages(w: MainWindow) -> set[str]:
    return {key for row, (key, _) in enumerate(NAV) if not w.nav.item(row).isHidden()}
