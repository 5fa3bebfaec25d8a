"""The main window shown on a store, waiting on it, and opening an inspection or a draft in it."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from inspector.services.facade import Services
from inspector.ui.app import install_fonts
from inspector.ui.main_window import MainWindow
from tests.support.documents import inspection_with_hazards
from tests.support.writer import on_writer

WAIT = 10_000


def shown_window(qtbot: QtBot, qapp: Any, services: Services, timeout: int = WAIT) -> MainWindow:
    """The app's fonts installed and a main window on `services` started and shown, once the
    tasks it began with are done."""
    install_fonts(qapp)
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.start()
    w.show()
    qtbot.waitUntil(lambda: w.tasks.pending == 0, timeout=timeout)
    return w


def idle(qtbot: QtBot, w: MainWindow) -> None:
    qtbot.waitUntil(lambda: w.tasks.pending == 0, timeout=WAIT)


def open_new_inspection(qtbot: QtBot, w: MainWindow, services: Services, row: int = 0) -> str:
    from inspector.services.inspections.recording import StartInspection

    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    unit = services.units.search("", limit=row + 1)[row]
    checklists = [c.id for c in services.inspections.checklists()][:1]
    iid = on_writer(
        services,
        lambda: services.inspections.start(StartInspection(unit.id, people, checklists)).value,
    )
    w.open_inspection(iid)
    qtbot.waitUntil(
        lambda: w.inspection.view is not None and w.inspection.view.id == iid, timeout=WAIT
    )
    idle(qtbot, w)
    return iid


def open_order_draft(qtbot: QtBot, w: MainWindow, services: Services) -> str:
    iid = inspection_with_hazards(services)
    w.open_inspection(iid)
    idle(qtbot, w)
    assert w.inspection.documents_button.isEnabled()
    w.inspection._fill_documents_menu()
    titles = [a.text() for a in w.inspection.documents_menu.actions()]
    assert "责令限期整改指令书" in titles and "安全隐患整改通知书" in titles
    action = next(
        a for a in w.inspection.documents_menu.actions() if a.text() == "责令限期整改指令书"
    )
    action.trigger()
    qtbot.waitUntil(lambda: w.draft_dialog is not None and w.draft_dialog.isVisible(), timeout=WAIT)
    return iid


def finish_confirmed(qtbot: QtBot, w: MainWindow) -> None:
    """完成检查 and its confirmation answered 完成检查; returns once the record is fixed."""
    page = w.inspection
    page.finish()
    assert page.finish_dialog is not None
    page.finish_dialog.confirm_button.click()
    qtbot.waitUntil(lambda: page.view is not None and page.view.finished, timeout=WAIT)
    idle(qtbot, w)
