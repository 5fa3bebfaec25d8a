"""The window on a 1024×700 screen and on a 1366×768 one: every page fits (the window's minimum
with its frame, nothing grows the window, the checklist shows more than 2½ rows, a long unit name
is readable), and a whole inspection is done from the keyboard with every button it needs in
sight: Ctrl+F → type → Down → Enter opens the unit → Enter starts → the start dialog by keys →
1/2/3 with no click first → Ctrl+Enter finishes. A message appearing moves no widget."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QDialog, QTreeWidget, QTreeWidgetItem
from pytestqt.qtbot import QtBot

from inspector.domain.enums import ItemResult
from inspector.services.facade import Services
from inspector.services.units.directory import NewUnit
from inspector.ui.main_window import NAV, MainWindow
from tests.support.screen_fit import (
    LAPTOP,
    SMALL,
    fits,
    frame_extra,
    in_sight,
    page_geometry,
    smallest_with_frame,
)
from tests.support.window import open_new_inspection
from tests.support.writer import on_writer, writes

WAIT = 10_000
SIZES = pytest.mark.parametrize("screen", [SMALL, LAPTOP], ids=["1024x700", "1366x768"])
LONG_NAME = "青岚县永固建材机械制造有限公司"  # 15 characters: must not shrink to "青岚…"


def idle(qtbot: QtBot, w: MainWindow) -> None:
    qtbot.waitUntil(lambda: w.tasks.pending == 0, timeout=WAIT)


def at_size(qtbot: QtBot, w: MainWindow, screen: QSize) -> None:
    w.resize(screen - frame_extra(w))  # the whole window, decorations included, is the screen
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=WAIT)
    idle(qtbot, w)


@SIZES
def test_every_page_fits_and_nothing_grows_the_window(
    qtbot: QtBot, window: MainWindow, services: Services, screen: QSize
) -> None:
    w = window
    w.apply_role("admin")  # every page, 巡查 included
    at_size(qtbot, w, screen)
    size = w.size()
    for key, label in NAV:
        w.go(key)
        idle(qtbot, w)
        assert fits(w, SMALL), (label, smallest_with_frame(w))
        assert w.size() == size, f"opening {label} changed the window's size"
    # the states that used to widen the window: a unit shown, an inspection open, a patrol running
    w.go("units")
    w.units.select_row(0)
    idle(qtbot, w)
    w.go("patrol")
    idle(qtbot, w)
    qtbot.mouseClick(w.patrol.start_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert w.patrol.stack.currentIndex() == 1
    for button in (w.patrol.save_button, w.patrol.report_button, w.patrol.finish_button):
        assert in_sight(button, w), button.text()
    assert fits(w, SMALL) and w.size() == size
    # every action of the 文书 register is on screen (the row wraps, no button is hidden)
    w.go("documents")
    idle(qtbot, w)
    for button in w.documents.buttons.values():
        assert in_sight(button, w), button.text()


@writes
def add_long_named_unit(services: Services) -> str:
    unit_id = services.units.add(
        NewUnit(name=LONG_NAME, address="白沙镇工业园12号", industry="工贸", legal_rep="周永固")
    ).value
    return unit_id


@SIZES
def test_a_whole_inspection_by_keyboard(
    qtbot: QtBot, window: MainWindow, services: Services, screen: QSize
) -> None:
    w = window
    add_long_named_unit(services)
    w.units.model.refresh()
    at_size(qtbot, w, screen)
    size = w.size()
    assert fits(w, SMALL)

    # Ctrl+F from anywhere → the search box; one Tab from it reaches the results
    w.go("overview")
    idle(qtbot, w)
    qtbot.keyClick(w, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert w.units.isVisible() and w.units.search.hasFocus()
    assert w.units.search.nextInFocusChain() is w.units.table
    qtbot.keyClicks(w.units.search, "ygjcjx")  # pinyin initials of 永固建材机械
    qtbot.waitUntil(lambda: [r.name for r in w.units.model.rows] == [LONG_NAME], timeout=WAIT)
    assert in_sight(w.units.search, w) and in_sight(w.units.table, w)

    # Down moves into the results; the whole name is readable in its column
    qtbot.keyClick(w.units.search, Qt.Key.Key_Down)
    assert w.units.table.hasFocus() and w.units.table.currentIndex().row() == 0
    name_width = w.units.table.fontMetrics().horizontalAdvance(LONG_NAME)
    assert w.units.table.columnWidth(0) > name_width + 8

    # Enter opens the unit and puts the focus on 开始检查; Enter again starts
    qtbot.keyClick(w.units.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.units.title.text() == LONG_NAME, timeout=WAIT)
    idle(qtbot, w)
    assert w.units.start_button.hasFocus() and in_sight(w.units.start_button, w)
    qtbot.keyClick(w.units.start_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.start_dialog is not None and w.start_dialog.isVisible(), timeout=WAIT)
    dialog = w.start_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is dialog, timeout=WAIT)
    outer = dialog.frameGeometry()
    assert outer.width() <= screen.width() and outer.height() <= screen.height()
    assert in_sight(dialog.ok_button, dialog)

    # a second inspector ticked with the keyboard (Down, Space), then Enter starts
    inspectors = dialog.inspectors
    inspectors.setFocus()
    ticked = [
        i
        for i in range(inspectors.count())
        if inspectors.item(i).checkState() == Qt.CheckState.Checked
    ]
    free = next(i for i in range(inspectors.count()) if i not in ticked)
    inspectors.setCurrentRow(free)
    qtbot.keyClick(inspectors, Qt.Key.Key_Space)
    assert inspectors.item(free).checkState() == Qt.CheckState.Checked
    if len(ticked) == 0:  # nobody signed in: a second person the same way
        other = next(i for i in range(inspectors.count()) if i != free)
        inspectors.setCurrentRow(other)
        qtbot.keyClick(inspectors, Qt.Key.Key_Space)
    qtbot.keyClick(inspectors, Qt.Key.Key_Return)
    page = w.inspection
    qtbot.waitUntil(lambda: page.view is not None and page.isVisible(), timeout=WAIT)
    idle(qtbot, w)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert page.title.text() == LONG_NAME

    # the checklist has the focus: 1/2/3 mark and move on, with no click first
    w.activateWindow()  # what the desktop does when the modal dialog closes
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=WAIT)
    assert page.tree.hasFocus()
    needed = [page.tree, page.finish_button, *page.result_buttons.values()]
    for widget in needed:
        assert in_sight(widget, w), getattr(widget, "text", lambda: "")()
    assert rows_in_sight(page.tree) >= 3  # more than 2½ rows at 700 px
    assert page.view is not None
    first = [it.id for it in page.view.checklists[0].items[:3]]
    for key in (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3):
        qtbot.keyClick(page.tree, key)
        idle(qtbot, w)
    qtbot.waitUntil(lambda: page.view is not None and len(page.view.hazards) == 1, timeout=WAIT)
    items = {it.id: it.result for it in page.view.checklists[0].items}
    assert [items[i] for i in first] == ["pass", "fail", "na"]
    assert [page.items_by_id[i].text(1) for i in first] == [
        ItemResult.PASS.label,
        ItemResult.FAIL.label,
        ItemResult.NA.label,
    ]

    # a message appearing moves no widget of the page
    before = page_geometry(w, w.pages.currentWidget())
    w.messages.show_message("示例消息：检查消息出现时页面上的控件不移动。" * 3, "error")
    qtbot.wait(50)
    assert w.messages.isVisible()
    assert page_geometry(w, w.pages.currentWidget()) == before

    # Ctrl+Enter is 完成检查 (a confirmation, where one is asked, is accepted with Enter)
    assert page.finish_button.isEnabled()
    qtbot.keyClick(w, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: (page.view is not None and page.view.finished) or confirm_open(w), timeout=WAIT
    )
    if confirm_open(w):
        box = QApplication.activeModalWidget()
        assert box is not None
        qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.view is not None and page.view.finished, timeout=WAIT)
    idle(qtbot, w)
    assert page.record_button.isEnabled() and in_sight(page.record_button, w)
    assert w.size() == size and fits(w, SMALL)


def confirm_open(w: MainWindow) -> bool:
    modal = QApplication.activeModalWidget()
    return modal is not None and modal is not w


def rows_in_sight(tree: QTreeWidget) -> int:
    """Checklist rows wholly inside the list's viewport."""
    seen = 0
    area = tree.viewport().rect()
    it: QTreeWidgetItem | None = tree.topLevelItem(0)
    while it is not None:
        if area.contains(tree.visualItemRect(it)):
            seen += 1
        it = tree.itemBelow(it)
    return seen


@SIZES
def test_an_evidence_photo_shows_its_whole_name_under_its_thumbnail(
    qtbot: QtBot, window: MainWindow, services: Services, screen: QSize, photo_file: Path
) -> None:
    """The inspection's photo panel is short on a laptop: the thumbnail and its file name stay
    whole inside it (the list scrolls sideways, never cuts the name off at the bottom)."""
    w = window
    iid = open_new_inspection(qtbot, w, services)
    on_writer(services, lambda: services.photos.add_file(iid, photo_file, "测试单位"))
    at_size(qtbot, w, screen)
    w.inspection.reload()
    idle(qtbot, w)
    photos = w.inspection.photo_list
    assert photos.count() == 1
    cell = photos.visualItemRect(photos.item(0))
    assert photos.viewport().rect().contains(cell), (cell, photos.viewport().rect())
    assert photos.item(0).text().splitlines()[0] == "IMG_0001.JPG"
    # the name fits its cell with the cell's margins: the list does not elide it to "IMG_0001.J…"
    name_width = photos.fontMetrics().horizontalAdvance("IMG_0001.JPG")
    assert name_width <= cell.width() - 16, (name_width, cell.width())
