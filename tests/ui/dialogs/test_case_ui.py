"""The acceptance line through the window: an inspection → 询问笔录 of two pages → 罚告 with the
hearing paragraph forced by the amount → 一般程序 处罚决定书 → 送达回执 → the 案卷 PDF, whose
目录 lists each document with the page it starts on (checked against the PDF)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QLineEdit, QPlainTextEdit
from pytestqt.qtbot import QtBot

from inspector.documents.raster import page_texts
from inspector.services.facade import Services
from inspector.ui.dialogs.document_draft import DocumentDraftDialog
from inspector.ui.main_window import MainWindow
from tests.support.case_file import ANSWER, check_starts, squeezed, toc_starts
from tests.support.clock import FixedClock
from tests.support.documents import inspection_with_hazards, load_blocks
from tests.support.window import WAIT, idle


def _from_inspection(qtbot: QtBot, w: MainWindow, title: str) -> DocumentDraftDialog:
    w.inspection._fill_documents_menu()
    action = next(a for a in w.inspection.documents_menu.actions() if a.text() == title)
    action.trigger()
    qtbot.waitUntil(lambda: w.draft_dialog is not None and w.draft_dialog.isVisible(), timeout=WAIT)
    assert w.draft_dialog is not None
    return w.draft_dialog


def _issue(qtbot: QtBot, w: MainWindow, dialog: DocumentDraftDialog) -> None:
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    idle(qtbot, w)


def _type(dialog: DocumentDraftDialog, **values: str) -> None:
    for key, value in values.items():
        edit = dialog.field_widgets[key]
        if isinstance(edit, QPlainTextEdit):
            edit.setPlainText(value)
        else:
            assert isinstance(edit, QLineEdit)
            edit.setText(value)


def _select(qtbot: QtBot, w: MainWindow, kind: str) -> None:
    w.go("documents")
    w.documents.load()
    idle(qtbot, w)
    [row] = [n for n, r in enumerate(w.documents.model.rows) if r.kind == kind]
    w.documents.view.selectRow(row)


def _click(qtbot: QtBot, w: MainWindow, key: str) -> DocumentDraftDialog:
    button = w.documents.buttons[key]
    assert button.isEnabled()
    before = w.draft_dialog
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            w.draft_dialog is not None
            and w.draft_dialog is not before
            and w.draft_dialog.isVisible()
        ),
        timeout=WAIT,
    )
    assert w.draft_dialog is not None
    return w.draft_dialog


def test_from_the_inquiry_to_the_case_file_through_the_window(
    qtbot: QtBot, window: MainWindow, services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    w = window
    for series in ("罚告", "罚", "回"):
        load_blocks(services, tmp_path, series)
    iid = inspection_with_hazards(services)
    w.open_inspection(iid)
    idle(qtbot, w)

    # 询问笔录, typed live: two pages of questions and answers
    inquiry = _from_inspection(qtbot, w, "询问笔录")
    assert inquiry.rows_table is not None
    inquiry.party_edits["name"].setText("赵堃")
    for row, answer in enumerate(("听清楚了。", "不申请。", "赵堃，车间主任。")):
        inquiry.rows_table.item(row, 1).setText(answer)
    for n in range(1, 12):
        inquiry._add_row({"q": f"第{n}个问题：除尘系统的泄爆装置是什么时候拆除的？", "a": ANSWER})
    _type(inquiry, time_from="00:01", time_to="23:59")
    _issue(qtbot, w, inquiry)
    [record] = [r for r in services.documents.register() if r.kind == "inquiry_record"]
    record_pages = squeezed(services.documents.pdf(record.id)[1])
    assert len(record_pages) == 2 and not any("草稿" in p for p in record_pages)

    # 罚告 of ¥30000: the hearing paragraph is printed though its box is left unticked
    notice = _from_inspection(qtbot, w, "行政处罚告知书")
    _type(
        notice,
        facts="安全出口被成品堆放堵塞。",
        evidence="现场检查记录、现场照片2张、询问笔录1份。",
        violated="《中华人民共和国安全生产法》第四十二条第二款",
        applied="《中华人民共和国安全生产法》第一百零五条",
        fine_yuan="30000",
    )
    _issue(qtbot, w, notice)
    [notice_row] = [r for r in services.documents.register() if r.kind == "penalty_notice"]
    notice_text = re.sub(r"\s+", "", "".join(page_texts(services.documents.pdf(notice_row.id)[1])))
    assert "第六十三条第一款第（一）项、第六十四条的规定，你单位有权要求举行听证" in notice_text

    # the 处罚决定书 from the 罚告 on the 文书 page: refused while the periods run …
    _select(qtbot, w, "penalty_notice")
    idle(qtbot, w)
    shown = w.documents.deadlines.text()  # the case's running periods, under the register
    assert "陈述、申辩期限至" in shown and "要求听证期限至" in shown and "已届满" not in shown
    decision = _click(qtbot, w, "decision")
    qtbot.mouseClick(decision.check_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert "期满前不能作出处罚决定" in decision.problems_label.text()
    decision.reject()
    idle(qtbot, w)
    # … and issued once they have passed (a new form, dated today)
    clock.advance(days=6)
    _select(qtbot, w, "penalty_notice")
    idle(qtbot, w)
    assert w.documents.deadlines.text().count("（已届满）") == 2
    decision = _click(qtbot, w, "decision")
    served = decision.field_widgets["notice_issued_on"]
    assert isinstance(served, QDateEdit)
    issued = clock.today() - timedelta(days=6)
    assert served.date() == QDate(issued.year, issued.month, issued.day)
    _issue(qtbot, w, decision)

    # its 送达回执
    _select(qtbot, w, "penalty_decision")
    _issue(qtbot, w, _click(qtbot, w, "receipt"))

    # the 案卷, from any document of the case, shown in the preview to save or print
    _select(qtbot, w, "inquiry_record")
    qtbot.mouseClick(w.documents.buttons["case"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: w.preview is not None and w.preview.isVisible() and "案卷" in w.preview.title,
        timeout=WAIT,
    )
    assert w.preview is not None
    pages = squeezed(w.preview.pdf)
    assert "卷内文件：4件" in pages[0]
    entries = [(e.title, e.number) for e in services.documents.case_of(record.id).entries]
    printed = toc_starts(pages, entries)
    assert list(printed) == ["询问笔录", "行政处罚告知书", "行政处罚决定书", "文书送达回执"]
    check_starts(pages, printed)
    assert printed["行政处罚告知书"] - printed["询问笔录"] == 2  # the two-page 询问笔录
    w.preview.close()
