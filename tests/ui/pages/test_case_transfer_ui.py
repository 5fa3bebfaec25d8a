"""Through the window: a 消防 finding on an 应急 agency without that power is offered as a
案件移送书 (the order leaves it out with the reason), and the 移送书 is issued from the form."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector.services.facade import Services
from inspector.store.models import Hazard
from inspector.ui.main_window import MainWindow
from tests.support.documents import fire_and_own_findings, load_blocks
from tests.support.inspections import start
from tests.support.window import WAIT, idle
from tests.support.writer import on_writer


def _open(qtbot: QtBot, w: MainWindow, title: str) -> None:
    w.inspection._fill_documents_menu()
    action = next(a for a in w.inspection.documents_menu.actions() if a.text() == title)
    action.trigger()
    qtbot.waitUntil(lambda: w.draft_dialog is not None and w.draft_dialog.isVisible(), timeout=WAIT)


def test_fire_finding_is_transferred_from_the_window(
    qtbot: QtBot, window: MainWindow, services: Services, tmp_path: Path
) -> None:
    w = window
    load_blocks(services, tmp_path, "移")
    iid, _own, _fire = fire_and_own_findings(services)
    w.open_inspection(iid)
    idle(qtbot, w)

    _open(qtbot, w, "责令限期整改指令书")
    order = w.draft_dialog
    assert order is not None and order.items_table is not None
    assert order.items_table.item(1, 4).text() == "不属本机关职权，应移送青岚县消防救援大队"
    order.reject()
    idle(qtbot, w)

    _open(qtbot, w, "案件移送书")
    dialog = w.draft_dialog
    assert dialog is not None and dialog.items_table is not None
    assert dialog.items_table.rowCount() == 1
    assert dialog.items_table.item(0, 1).text() == "二楼疏散通道堆放纸箱约2立方米"
    receiver = dialog.field_widgets["receiver"]
    assert isinstance(receiver, QLineEdit) and receiver.text() == "青岚县消防救援大队"
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    year = services.ctx.clock.today().year
    assert f"（岚）应急移\u3014{year}\u30151号" in w.messages.text()


def test_a_new_finding_can_be_marked_as_another_authoritys(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    w = window
    iid = start(services)
    w.open_inspection(iid)
    idle(qtbot, w)
    w.inspection._open_hazard_dialog(None)
    dialog = w.inspection.hazard_dialog
    assert dialog is not None
    assert dialog.authority.currentData() == "应急"  # a 新增发现 is 应急 unless changed
    dialog.description.setPlainText("三楼防火门闭门器损坏，防火门无法自行关闭")
    dialog.authority.setCurrentIndex(dialog.authority.findData("消防救援"))
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    with services.ctx.store.read() as s:
        [hazard] = s.exec(select(Hazard).where(Hazard.inspection_id == iid)).all()
    assert hazard.authority == "消防救援"
    on_writer(services, lambda: services.inspections.finish(iid, "发现一处消防问题。"))
    kinds = {c.kind for c in services.documents.kinds_for_inspection(iid)}
    assert "case_transfer" in kinds
