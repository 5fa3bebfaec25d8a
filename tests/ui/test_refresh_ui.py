"""One write contract the pages listen to: the task runner announces each write's changes once,
and every page that shows a changed record refreshes itself — no main window routes anything."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QListWidget, QStackedWidget
from pytestqt.qtbot import QtBot

from inspector.services.changes import Changes
from inspector.services.facade import Services
from inspector.services.inspections.recording import StartInspection
from inspector.ui.pages.hazards_page import RecheckDialog, hazards_page
from inspector.ui.pages.inspection_page import InspectionPage
from inspector.ui.pages.units_page import UnitsPage
from inspector.ui.tasks import TaskRunner
from tests.support.documents import inspection_with_hazards, load_blocks
from tests.support.tables import rows_of

WAIT = 10_000


def idle(qtbot: QtBot, tasks: TaskRunner) -> None:
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=WAIT)


def test_the_runner_announces_each_writes_changes_once(qtbot: QtBot, services: Services) -> None:
    tasks = TaskRunner()
    tasks.serve(services.ctx)  # as the window does: its writer writes this store
    announced: list[Changes] = []
    tasks.changed.connect(announced.append)
    unit = services.units.search("", limit=1)[0]
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    checklists = [c.id for c in services.inspections.checklists()][:1]
    started: list[object] = []
    tasks.write(
        services.inspections.start,
        StartInspection(unit.id, people, checklists),
        on_done=started.append,
    )
    idle(qtbot, tasks)
    # the caller gets the value (the new inspection's id), the pages get its changes, once
    [inspection_id] = started
    assert isinstance(inspection_id, str)
    assert announced == [
        Changes(inspections=frozenset({inspection_id}), units=frozenset({unit.id}))
    ]
    # a read announces nothing; a refused write announces nothing
    tasks.read(services.inspections.view, inspection_id)
    refused: list[str] = []
    tasks.write(services.inspections.finish, "no-such-inspection", on_error=refused.append)
    idle(qtbot, tasks)
    assert refused and len(announced) == 1
    tasks.shutdown()


def test_a_hazard_closed_on_the_hazard_page_refreshes_the_unit_and_the_inspection(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    # two findings under a township's 安全隐患整改通知书: the 隐患 page's 复查 closes one
    inspection_id = inspection_with_hazards(services)
    load_blocks(services, tmp_path, "隐改")
    services.documents.issue(
        services.documents.draft_from_inspection("hazard_notice", inspection_id)
    )
    unit_id = services.inspections.view(inspection_id).unit_id

    # three pages stacked as the window stacks them, but no window to route any change
    tasks = TaskRunner()
    tasks.serve(services.ctx)  # as the window does: its writer writes this store
    errors: list[str] = []
    tasks.error.connect(errors.append)
    units, inspection = UnitsPage(services, tasks), InspectionPage(services, tasks)
    hazards = hazards_page(services, tasks)
    stack = QStackedWidget()
    for page in (units, inspection, hazards):
        stack.addWidget(page)
    qtbot.addWidget(stack)
    stack.show()

    stack.setCurrentWidget(units)
    units.show_unit(unit_id)
    inspection.open(inspection_id)
    idle(qtbot, tasks)
    assert unit_panel(units) == [FIXED, LEFT]
    assert inspection.view is not None
    assert [h.status for h in inspection.view.hazards] == ["rectifying", "rectifying"]

    stack.setCurrentWidget(hazards)
    hazards.load()
    idle(qtbot, tasks)
    hazards.view.selectRow(next(n for n, row in enumerate(rows_of(hazards.proxy)) if FIXED in row))

    def recheck_passed() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, RecheckDialog)
        dialog.note.setText("杂物已清除")
        dialog.accept()  # 已整改（复查合格，销号） is the default

    QTimer.singleShot(0, recheck_passed)
    hazards.recheck()
    idle(qtbot, tasks)
    assert errors == []
    # the visible list dropped the closed hazard at once
    assert not any(FIXED in row for row in rows_of(hazards.proxy))
    assert any(LEFT in row for row in rows_of(hazards.proxy))

    # the hidden pages show it when they are shown again
    stack.setCurrentWidget(units)
    idle(qtbot, tasks)
    assert unit_panel(units) == [LEFT]
    stack.setCurrentWidget(inspection)
    idle(qtbot, tasks)
    assert [h.status for h in inspection.view.hazards] == ["closed", "rectifying"]
    tasks.shutdown()


FIXED, LEFT = "配电箱前堆放杂物", "除尘系统未设泄爆装置"


def texts(widget: QListWidget) -> list[str]:
    return [widget.item(n).text() for n in range(widget.count())]


def unit_panel(units: UnitsPage) -> list[str]:
    """The open hazards the unit panel lists, by description."""
    return [d for d in (FIXED, LEFT) if any(d in t for t in texts(units.hazards))]
