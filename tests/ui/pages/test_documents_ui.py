"""Documents through the real window: draft an order from a finished inspection, see the reviewer's
rules refuse a past deadline and unsigned electronic document, issue it, find it in the register,
void it, and export the register."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit, QLineEdit
from pytestqt.qtbot import QtBot

from inspector.services.facade import Services
from inspector.ui.main_window import MainWindow
from tests.support.clock import FixedClock
from tests.support.documents import inspection_with_hazards, load_blocks
from tests.support.tables import rows_of
from tests.support.window import WAIT, idle, open_order_draft
from tests.support.writer import on_writer


def test_order_from_the_inspection_through_the_draft_form(
    qtbot: QtBot,
    window: MainWindow,
    services: Services,
    tmp_path: Path,
) -> None:
    w = window
    load_blocks(services, tmp_path, "责改", 3, 9)
    open_order_draft(qtbot, w, services)
    dialog = w.draft_dialog
    assert dialog is not None and dialog.items_table is not None
    assert dialog.items_table.rowCount() == 2
    assert dialog.items_table.item(0, 1).text() == "配电箱前堆放杂物"

    # a deadline in the past is refused with the item named
    deadline = dialog.items_table.cellWidget(0, 3)
    assert isinstance(deadline, QDateEdit)
    yesterday = services.ctx.clock.today() - timedelta(days=1)
    deadline.setDate(QDate(yesterday.year, yesterday.month, yesterday.day))
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert "第1项（配电箱前堆放杂物）的整改期限" in dialog.problems_label.text()
    assert dialog.isVisible() and dialog.issue_button.isEnabled()

    # electronic signing without the signatures is refused too
    soon = services.ctx.clock.today() + timedelta(days=5)
    deadline.setDate(QDate(soon.year, soon.month, soon.day))
    dialog.electronic.setChecked(True)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert "电子签名文书缺少执法人员签名" in dialog.problems_label.text()

    # paper signing (the default way): issued, numbered, shown, listed in the register
    dialog.paper.setChecked(True)
    qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    year = services.ctx.clock.today().year
    number = f"（岚）应急责改\u3014{year}\u30153号"
    assert number in w.messages.text()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: w.preview is not None and w.preview.isVisible(), timeout=WAIT)
    w.go("documents")
    idle(qtbot, w)
    numbers = [r.number for r in w.documents.model.rows]
    assert numbers == [number]
    # the register and 统计 count the month's documents through one function: they agree
    today = services.ctx.clock.today()
    assert services.overview.figures(today.year, today.month).documents == 1
    assert "共 1 份" in w.documents.count.text()
    assert "本月签发且有效 1 份" in w.documents.count.text()
    assert (
        w.documents.model.data(w.documents.model.index(0, 4), Qt.ItemDataRole.DisplayRole)
        == "已签发"
    )

    # the register goes to Excel
    w.documents.view.selectRow(0)
    w.documents.export_to(tmp_path / "台账.xlsx")
    idle(qtbot, w)
    assert (tmp_path / "台账.xlsx").stat().st_size > 1000
    assert "已导出 1 份文书" in w.messages.text()

    # and a void keeps it listed, greyed, with its status
    voided = w.documents.model.rows[0].id
    on_writer(services, lambda: services.documents.void(voided, "单位名称写错"))
    w.documents.load()
    idle(qtbot, w)
    assert w.documents.model.rows[0].status_label == "已作废"
    assert services.overview.figures(today.year, today.month).documents == 0
    assert "共 1 份" in w.documents.count.text()  # still listed, greyed
    assert "本月签发且有效 0 份" in w.documents.count.text()
    w.documents.view.selectRow(0)
    assert w.documents.buttons["correct"].isEnabled()
    assert not w.documents.buttons["void"].isEnabled()


def test_hazard_page_supervises_and_refuses_closing_before_review(
    qtbot: QtBot,
    window: MainWindow,
    services: Services,
    clock: FixedClock,
) -> None:
    w = window
    inspection_with_hazards(services)
    w.go("hazards")
    idle(qtbot, w)
    page = w.hazards

    def rows() -> list[list[str]]:
        return rows_of(page.proxy)

    major = next(n for n, r in enumerate(rows()) if "除尘系统未设泄爆装置" in r[1])
    page.view.selectRow(major)
    qtbot.mouseClick(page.supervise_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert "已挂牌督办" in w.messages.text()
    assert any("挂牌督办" in r[3] and "除尘系统" in r[1] for r in rows())
    page.view.selectRow(0)
    qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    idle(qtbot, w)
    assert "须经复查合格后才能销号" in w.messages.text()
    # past the deadline the table and the home page say 逾期
    clock.advance(days=30)
    page.load()
    idle(qtbot, w)
    assert all(r[3].startswith("逾期") for r in rows())
    w.go("home")
    idle(qtbot, w)
    assert w.home.tiles["overdue"].value == 2


def test_an_inquiry_is_typed_into_the_form_and_issued_without_a_number(
    qtbot: QtBot, window: MainWindow, services: Services, tmp_path: Path
) -> None:
    w = window
    iid = inspection_with_hazards(services)
    w.open_inspection(iid)
    idle(qtbot, w)
    w.inspection._fill_documents_menu()
    action = next(a for a in w.inspection.documents_menu.actions() if a.text() == "询问笔录")
    action.trigger()
    qtbot.waitUntil(lambda: w.draft_dialog is not None and w.draft_dialog.isVisible(), timeout=WAIT)
    dialog = w.draft_dialog
    assert dialog is not None and dialog.rows_table is not None
    table = dialog.rows_table
    header = table.horizontalHeaderItem(0)
    assert table.rowCount() == 3 and header is not None and header.text() == "问"
    dialog.party_edits["name"].setText("赵堃")
    for row, answer in enumerate(("听清楚了。", "不申请。", "赵堃，车间主任。")):
        table.item(row, 1).setText(answer)
    dialog._add_row({"q": "泄爆片什么时候拆的？", "a": ""})
    dialog.check()
    qtbot.waitUntil(lambda: "尚未记录回答" in dialog.problems_label.text(), timeout=WAIT)
    table.item(3, 1).setText("去年检修时拆的。")
    for key, value in (("time_from", "00:01"), ("time_to", "23:59")):
        edit = dialog.field_widgets[key]
        assert isinstance(edit, QLineEdit)
        edit.setText(value)
    dialog.issue()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    idle(qtbot, w)
    [row] = [r for r in services.documents.register() if r.kind == "inquiry_record"]
    assert row.number == "" and row.status == "issued"
