"""Ctrl+Z in an inspection: a slip on a checklist item is taken back, the item selected again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from inspector.domain.enums import ItemResult
from inspector.services.facade import Services
from inspector.ui.main_window import MainWindow
from tests.support.window import idle, open_new_inspection


def result_of(services: Services, inspection_id: str, item_id: str) -> str:
    view = services.inspections.view(inspection_id)
    return next(i.result for cl in view.checklists for i in cl.items if i.id == item_id)


def test_ctrl_z_takes_the_last_marks_back_one_by_one(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    w = window
    iid = open_new_inspection(qtbot, w, services)
    page = w.inspection
    assert page.view is not None
    first, second = [i.id for i in page.view.checklists[0].items[:2]]
    page.tree.setCurrentItem(page.items_by_id[first])
    page.tree.setFocus()
    QTest.keyClick(page.tree, Qt.Key.Key_1)  # 符合, and on to the next item
    idle(qtbot, w)
    QTest.keyClick(page.tree, Qt.Key.Key_3)  # 不涉及 on the second
    idle(qtbot, w)
    assert result_of(services, iid, first) == ItemResult.PASS
    assert result_of(services, iid, second) == ItemResult.NA

    QTest.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, w)
    assert result_of(services, iid, second) == ItemResult.UNCHECKED
    assert result_of(services, iid, first) == ItemResult.PASS
    assert page.current_item is not None and page.current_item.id == second
    assert "已撤销" in w.messages.text()

    QTest.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, w)
    assert result_of(services, iid, first) == ItemResult.UNCHECKED
    assert page.current_item is not None and page.current_item.id == first

    QTest.keyClick(page, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    idle(qtbot, w)
    assert "没有可以撤销" in w.messages.text()
