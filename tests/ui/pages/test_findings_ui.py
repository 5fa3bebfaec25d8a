"""A finding that still reads as the checklist's question is refused in the draft form, naming the
item; the inspector writes the fact in the form and the order issues."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit
from pytestqt.qtbot import QtBot
from sqlmodel import func, select

from inspector.services.facade import Services
from inspector.store.models import Document
from inspector.ui.main_window import MainWindow
from tests.support.documents import load_blocks
from tests.support.inspections import start
from tests.support.window import WAIT, idle
from tests.support.writer import on_writer


def test_a_question_is_completed_into_a_fact_in_the_draft_form(
    qtbot: QtBot, window: MainWindow, services: Services, tmp_path: Path
) -> None:
    w = window
    load_blocks(services, tmp_path, "责改", 3, 9)
    iid = start(services)
    item = services.inspections.view(iid).checklists[0].items[0]

    def fail_with_the_question() -> None:
        # the inspector wrote the checklist's question as the note: the finding reads as one
        services.inspections.set_item(iid, item.id, "fail", item.content)
        services.inspections.finish(iid, "检查发现一处问题。")

    on_writer(services, fail_with_the_question)
    w.open_inspection(iid)
    idle(qtbot, w)
    w.inspection._fill_documents_menu()
    next(
        a for a in w.inspection.documents_menu.actions() if a.text() == "责令限期整改指令书"
    ).trigger()
    qtbot.waitUntil(lambda: w.draft_dialog is not None and w.draft_dialog.isVisible(), timeout=WAIT)
    dialog = w.draft_dialog
    assert dialog is not None and dialog.items_table is not None
    assert "是否" in dialog.items_table.item(0, 1).text()
    deadline = dialog.items_table.cellWidget(0, 3)
    assert isinstance(deadline, QDateEdit)
    soon = services.ctx.clock.today() + timedelta(days=5)
    deadline.setDate(QDate(soon.year, soon.month, soon.day))

    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    shown = dialog.problems_label.text()
    assert "第1项“" in shown and "写的是检查内容，不是发现的事实" in shown
    assert dialog.isVisible()
    with services.ctx.store.read() as s:
        assert s.exec(select(func.count()).select_from(Document)).one() == 0

    dialog.items_table.item(0, 1).setText("一号车间粉尘清理制度未落实，地面积尘约3毫米")
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert "（岚）应急责改" in w.messages.text() and not dialog.isVisible()
