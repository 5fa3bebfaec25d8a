"""完成检查 asks first, naming what is unchecked; a finished inspection reopens with a reason
until a document is issued (the window, a real store)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from inspector.domain.enums import ItemResult
from inspector.services.audit.verify import verify
from inspector.services.facade import Services
from inspector.ui.main_window import MainWindow
from tests.support.documents import load_blocks
from tests.support.window import WAIT, finish_confirmed, idle, open_new_inspection
from tests.support.writer import on_writer


def test_finish_asks_with_the_unchecked_items_and_esc_leaves_it_open(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    w = window
    open_new_inspection(qtbot, w, services)
    page = w.inspection
    assert page.view is not None
    items = [it for cl in page.view.checklists for it in cl.items]
    page.mark_item(items[0].id, ItemResult.PASS)
    idle(qtbot, w)
    qtbot.mouseClick(page.finish_button, Qt.MouseButton.LeftButton)
    dialog = page.finish_dialog
    assert dialog is not None and dialog.isVisible()
    text = dialog.informativeText()
    assert text.startswith(f"{len(items)} 项中 {len(items) - 1} 项未检查：第{items[1].seq}项")
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    idle(qtbot, w)
    assert not dialog.isVisible()
    assert page.view is not None and not page.view.finished
    assert page.finish_button.isEnabled() and page.result_buttons["pass"].isEnabled()

    page.finish()
    dialog = page.finish_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert not page.view.finished

    page.finish()  # Enter confirms: the keyboard path
    assert page.finish_dialog is not None
    QTest.keyClick(page.finish_dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.view is not None and page.view.finished, timeout=WAIT)
    idle(qtbot, w)
    assert "检查已完成" in w.messages.text()


def test_reopen_with_a_reason_then_refused_once_the_record_is_issued(
    qtbot: QtBot, window: MainWindow, services: Services, tmp_path: Path
) -> None:
    w = window
    iid = open_new_inspection(qtbot, w, services)
    page = w.inspection
    assert not page.reopen_button.isEnabled()  # nothing to reopen while it is open
    finish_confirmed(qtbot, w)
    assert page.reopen_button.isEnabled()

    qtbot.mouseClick(page.reopen_button, Qt.MouseButton.LeftButton)
    dialog = page.reopen_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.ok_button.click()  # no reason
    idle(qtbot, w)
    assert "理由" in dialog.error.text() and dialog.isVisible()
    dialog.reason.setPlainText("误点完成，尚有检查项未检查")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: page.view is not None and not page.view.finished, timeout=WAIT)
    idle(qtbot, w)
    assert not dialog.isVisible()
    assert "已重新打开" in w.messages.text()
    assert page.finish_button.isEnabled() and page.result_buttons["pass"].isEnabled()
    assert not page.reopen_button.isEnabled()

    finish_confirmed(qtbot, w)
    load_blocks(services, tmp_path, "检记")
    on_writer(services, lambda: services.records.issue_site_record(iid))
    page.reload()
    qtbot.waitUntil(lambda: page.view is not None and bool(page.view.record_number), timeout=WAIT)
    idle(qtbot, w)
    assert not page.reopen_button.isEnabled()
    page.ask_reopen()  # even asked directly, the service refuses in Chinese
    dialog = page.reopen_dialog
    assert dialog is not None
    dialog.reason.setPlainText("想再改一下")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: "已签发文书" in dialog.error.text(), timeout=WAIT)
    dialog.reject()
    idle(qtbot, w)
    assert page.view is not None and page.view.finished
    assert verify(services.ctx).ok
