"""The main window on demo data, shared by the window tests."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from inspector.services.facade import Services
from inspector.ui.main_window import MainWindow
from tests.support.window import shown_window

WAIT = 10_000


@pytest.fixture
def window(qtbot: QtBot, services: Services, qapp: object) -> MainWindow:
    return shown_window(qtbot, qapp, services)
