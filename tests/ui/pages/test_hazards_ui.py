"""The 隐患 page as a person uses it: a table with columns, filters, search, sorting, Enter opens
the inspection, and a step with nothing selected says so."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from inspector.services.facade import Services
from inspector.ui.main_window import MainWindow
from inspector.ui.pages.hazards_page import COLUMNS
from tests.support.clock import FixedClock
from tests.support.documents import inspection_with_hazards
from tests.support.inspections import start
from tests.support.tables import rows_of
from tests.support.window import idle


def test_hazard_page_is_a_table_with_filters_search_and_sorting(
    qtbot: QtBot, window: MainWindow, services: Services, clock: FixedClock
) -> None:
    w = window
    iid = inspection_with_hazards(services)
    w.go("hazards")
    idle(qtbot, w)
    page = w.hazards
    headings = [page.proxy.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headings == ["单位", "隐患描述", "等级", "状态", "整改期限", "发现日期", "检查"]
    assert tuple(headings) == COLUMNS
    rows = rows_of(page.proxy)
    today = services.ctx.clock.today()
    assert {r[1] for r in rows} == {"配电箱前堆放杂物", "除尘系统未设泄爆装置"}
    major = next(r for r in rows if r[1] == "除尘系统未设泄爆装置")
    assert major[2] == "重大" and major[3] == "待整改"
    assert major[5] == today.isoformat() and major[6] == today.isoformat()

    # a loop step with nothing selected says so instead of doing nothing
    for button, word in ((page.close_button, "销号"), (page.supervise_button, "挂牌督办")):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert "请先在表格中选择一项隐患" in w.messages.text() and word in w.messages.text()

    # grade, search box and unit filters
    page.grade.setCurrentIndex(page.grade.findData("major"))
    idle(qtbot, w)
    assert [r[1] for r in rows_of(page.proxy)] == ["除尘系统未设泄爆装置"]
    page.grade.setCurrentIndex(0)
    page.search.setText("配电箱")
    page.load()
    idle(qtbot, w)
    assert [r[1] for r in rows_of(page.proxy)] == ["配电箱前堆放杂物"]
    page.search.clear()
    unit = major[0]
    page.unit_text.setText("不存在的单位名称")
    page.load()
    idle(qtbot, w)
    assert page.proxy.rowCount() == 0 and page.count.text() == "没有符合条件的隐患"
    page.unit_text.setText(unit[:3])
    page.load()
    idle(qtbot, w)
    assert page.proxy.rowCount() == 2

    # deadline filter: due within 7 days now; overdue once the deadlines have passed
    page.due.setCurrentIndex(page.due.findData("week"))
    idle(qtbot, w)
    assert [r[1] for r in rows_of(page.proxy)] == ["配电箱前堆放杂物"]
    page.due.setCurrentIndex(page.due.findData("overdue"))
    idle(qtbot, w)
    assert page.proxy.rowCount() == 0
    clock.advance(days=30)
    page.load()
    idle(qtbot, w)
    assert page.proxy.rowCount() == 2
    assert all(r[3].startswith("逾期") for r in rows_of(page.proxy))
    page.due.setCurrentIndex(0)
    idle(qtbot, w)

    # sortable: by grade 重大 first, then the other way round
    page.view.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert [r[2] for r in rows_of(page.proxy)] == ["重大", "一般"]
    page.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert [r[2] for r in rows_of(page.proxy)] == ["一般", "重大"]

    # Enter on a row opens its inspection
    page.view.setFocus()
    page.view.selectRow(0)
    page.view.setCurrentIndex(page.proxy.index(0, 0))
    assert page.detail.text() == f"{unit}：配电箱前堆放杂物"  # the full name, never elided
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    idle(qtbot, w)
    assert w.inspection.view is not None and w.inspection.view.id == iid
    assert w.inspection_stack.currentWidget() is w.inspection


def inside(widget: QWidget, window: QWidget) -> bool:
    top_left = widget.mapTo(window, QPoint(0, 0))
    return window.rect().contains(QRect(top_left, widget.size()))


@pytest.mark.parametrize("size", [(1024, 700), (1366, 768)])
def test_hazard_page_fits_the_screen(
    qtbot: QtBot, window: MainWindow, services: Services, size: tuple[int, int]
) -> None:
    w = window
    inspection_with_hazards(services)
    w.resize(*size)
    w.go("hazards")
    idle(qtbot, w)
    page = w.hazards
    QApplication.processEvents()  # the layout follows the texts just shown
    # the page asks for no more than what the screen leaves beside the sidebar (the window as a
    # whole may still be held wider by another page's minimum)
    need = page.minimumSizeHint()
    assert need.width() <= size[0] - w.nav.width() - 16 and need.height() <= size[1] - 120
    controls: list[QWidget] = [
        page.state,
        page.grade,
        page.due,
        page.unit_text,
        page.search,
        page.view,
        page.supervise_button,
        page.close_button,
        page.recheck_button,
        page.open_button,
        page.count,
    ]
    for widget in controls:
        assert widget.isVisible() and inside(widget, w), type(widget).__name__
    for shown in (
        page.supervise_button,
        page.close_button,
        page.recheck_button,
        page.open_button,
        page.count,
    ):
        assert shown.width() >= shown.sizeHint().width(), shown.text()  # text not clipped
    assert page.count.text() == "共 2 项，其中重大 1 项、逾期 0 项"
    assert page.search.width() >= 150 and page.unit_text.width() >= 90
    out = os.environ.get("INSPECTOR_SCREENSHOTS")
    if out:
        w.grab().save(str(Path(out) / f"screenshot-hazards-{size[0]}x{size[1]}.png"))


def test_a_new_finding_defaults_to_the_settings_deadline_and_a_refused_one_is_said_beside_it(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    w = window
    today = services.ctx.clock.today()
    services.ctx.settings.default_deadline_days = 10
    iid = start(services)
    w.open_inspection(iid)
    idle(qtbot, w)
    w.inspection.new_hazard()
    dialog = w.inspection.hazard_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.grade.setCurrentIndex(dialog.grade.findData("major"))
    assert dialog.value().deadline == today + timedelta(days=10)
    assert dialog.deadline.text() == (today + timedelta(days=10)).isoformat()  # the one format
    assert not dialog.deadline_problem.isVisible()
    dialog.deadline.setDate(QDate(today.year, today.month, today.day))
    assert dialog.deadline_problem.isVisible()
    assert "整改期限须在今天之后" in dialog.deadline_problem.text()
    # beside the field: directly under it, inside the dialog
    below = dialog.deadline_problem.mapTo(dialog, QPoint(0, 0)).y()
    field = dialog.deadline.mapTo(dialog, QPoint(0, 0)).y() + dialog.deadline.height()
    assert 0 <= below - field <= 12 and inside(dialog.deadline_problem, dialog)
    dialog.reject()
