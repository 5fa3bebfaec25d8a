"""The main window on demo data, shared by the window tests."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from inspector.services.facade import Services
from inspector.ui.app import install_fonts
from inspector.ui.main_window import MainWindow

WAIT = 10_000


@pytest.fixture
def window(qtbot: QtBot, services: Services, qapp: object) -> MainWindow:
    install_fonts(qapp)  # type: ignore[arg-type]
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.start()
    w.show()
    qtbot.waitUntil(lambda: w.tasks.pending == 0, timeout=WAIT)
    return w
