"""Issuing through the window with a large clock correction from a sync days ago: the inspector is
shown the time that will be printed and asked; 取消 issues nothing, 时间正确，签发 issues."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlmodel import select

from inspector.services.facade import Services
from inspector.services.setting_rows import remember_clock_offset
from inspector.store.models import Document
from inspector.ui.dialogs.time_confirm import NOT_CONFIRMED, TITLE
from inspector.ui.main_window import MainWindow
from tests.support.documents import load_blocks
from tests.support.window import WAIT, finish_confirmed, idle, open_new_inspection, open_order_draft
from tests.support.writer import in_write


def clock_measured_off(services: Services, offset_s: int, days_ago: int) -> None:
    """The device last measured its clock `offset_s` seconds behind the server's `days_ago` days
    ago (negative: ahead)."""
    clock = services.ctx.clock
    measured_at = clock.device_now() - timedelta(days=days_ago)
    in_write(services, lambda s: remember_clock_offset(s, clock, offset_s, measured_at))


def answer_next_box(button: str, seen: list[str]) -> None:
    """Click `button` in the next message box that opens (it runs its own event loop)."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(f"{box.windowTitle()}|{box.text()}")
        next(b for b in box.buttons() if b.text() == button).click()

    QTimer.singleShot(0, answer)


def issued_orders(services: Services) -> list[Document]:
    with services.ctx.store.read() as s:
        return list(
            s.exec(
                select(Document).where(
                    Document.kind == "rectification_order", Document.status == "issued"
                )
            )
        )


def test_issuing_asks_to_confirm_the_corrected_time(
    qtbot: QtBot, window: MainWindow, services: Services, tmp_path: Path
) -> None:
    w = window
    load_blocks(services, tmp_path, "责改")
    clock_measured_off(services, 2 * 86400, days_ago=3)  # two days behind
    open_order_draft(qtbot, w, services)
    dialog = w.draft_dialog
    assert dialog is not None

    seen: list[str] = []
    answer_next_box("取消", seen)
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert len(seen) == 1 and seen[0].startswith(TITLE + "|")
    assert "本机时钟比服务器时间慢2天0小时" in seen[0] and "文书上将印的时间是" in seen[0]
    assert dialog.problems_label.text() == NOT_CONFIRMED
    assert dialog.isVisible() and dialog.issue_button.isEnabled()
    assert issued_orders(services) == []

    answer_next_box("时间正确，签发", seen)
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    idle(qtbot, w)
    assert len(seen) == 2
    [order] = issued_orders(services)
    assert order.clock_offset_s == 2 * 86400


def test_issuing_the_site_record_asks_too(
    qtbot: QtBot, window: MainWindow, services: Services, tmp_path: Path
) -> None:
    w = window
    load_blocks(services, tmp_path, "检记")
    clock_measured_off(services, -8 * 3600, days_ago=2)  # eight hours ahead
    iid = open_new_inspection(qtbot, w, services)
    page = w.inspection
    finish_confirmed(qtbot, w)

    seen: list[str] = []
    answer_next_box("取消", seen)
    qtbot.mouseClick(page.issue_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert len(seen) == 1 and "本机时钟比服务器时间快8小时0分" in seen[0]
    assert w.messages.text() == NOT_CONFIRMED
    assert page.issue_button.isEnabled() and services.inspections.view(iid).record_number is None

    answer_next_box("时间正确，签发", seen)
    with qtbot.waitSignal(page.record_ready, timeout=WAIT):
        qtbot.mouseClick(page.issue_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert services.inspections.view(iid).record_number
