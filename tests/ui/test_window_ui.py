"""The window a person can trust on a 1024×700 screen: a message never moves a widget, a message
from one page goes when the person leaves it, a stale error goes once a later action succeeds; the
preview opened from the drafting form belongs to the form (scroll, print, Esc closes the preview
only); F1 opens a short help; the start dialog shows every inspector and ticks only the signed-in
person; 登记手写签名 starts with nobody ticked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from inspector.domain.enums import ItemResult
from inspector.domain.errors import UserError
from inspector.services.documents import SignerInput
from inspector.services.facade import Services
from inspector.ui.dialogs import pdf_preview
from inspector.ui.dialogs.document_draft import DocumentDraftDialog
from inspector.ui.dialogs.help_dialog import HelpDialog
from inspector.ui.dialogs.pdf_preview import PdfPreviewDialog, preview_size
from inspector.ui.main_window import MainWindow
from inspector.ui.pages.documents_page import PaperSigningDialog
from tests.support.cups import cups_printer_folder
from tests.support.inspections import start
from tests.support.print_dialogs import ChoosingPrintDialog
from tests.support.window import WAIT, idle, open_order_draft

SMALL = QSize(1024, 700)


@pytest.fixture(scope="module")
def cups_printers() -> Iterator[Path]:
    yield from cups_printer_folder()


def geometry(window: MainWindow) -> dict[int, tuple[QPoint, QSize]]:
    """Where every visible widget of the current page sits in the window."""
    page = window.pages.currentWidget()
    widgets = [page, *page.findChildren(QWidget)]
    return {id(w): (w.mapTo(window, QPoint(0, 0)), w.size()) for w in widgets if w.isVisible()}


def settled(qtbot: QtBot, window: MainWindow) -> dict[int, tuple[QPoint, QSize]]:
    """The page's geometry once its layouts stopped changing after its data arrived."""
    last: dict[int, tuple[QPoint, QSize]] = {}
    for _ in range(20):
        qtbot.wait(50)
        now = geometry(window)
        if now == last:
            return now
        last = now
    raise AssertionError("the page kept moving without any message")


def refuse() -> None:
    raise UserError("无法保存：示例错误，用于检查消息栏不会移动页面上的任何控件。" * 3)


@pytest.mark.parametrize("screen", [SMALL, QSize(1366, 768)], ids=["1024x700", "1366x768"])
def test_a_message_never_moves_the_page(
    qtbot: QtBot, window: MainWindow, services: Services, screen: QSize
) -> None:
    w = window
    w.resize(screen)
    idle(qtbot, w)
    for open_page in (lambda: w.go("units"), lambda: w.open_inspection(start(services))):
        open_page()
        idle(qtbot, w)
        before = settled(qtbot, w)
        assert len(before) > 10
        w.tasks.write(refuse)  # no error handler: the runner's error goes to the message bar
        idle(qtbot, w)
        assert w.messages.kind == "error" and "示例错误" in w.messages.text()
        assert w.messages.isVisible()
        assert geometry(w) == before
        w.messages.show_message("已保存。", "ok")
        assert geometry(w) == before
        w.messages.clear()
        assert geometry(w) == before and w.messages.text() == ""
    # the message area adds no width and no height of its own to what the window needs
    status = w.statusBar()
    assert w.messages.minimumSizeHint().width() <= 120
    assert status.minimumSizeHint().height() <= w.messages.height() + 8


def test_messages_go_with_their_page_and_a_stale_error_after_a_success(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    w = window
    w.go("units")
    w.messages.show_message("已把 3 家单位加入待办。", "ok")
    w.go("documents")
    assert w.messages.text() == ""

    # an error stays on its page until the next action there succeeds
    w.open_inspection(start(services))
    idle(qtbot, w)
    page = w.inspection
    assert page.view is not None and page.current_item is not None
    w.tasks.write(refuse)
    idle(qtbot, w)
    assert w.messages.kind == "error"
    page.mark_current(ItemResult.PASS)
    idle(qtbot, w)
    assert w.messages.text() == "" and w.messages.kind == ""

    # a message shown after opening a page stays on it
    w.go("units")
    w.messages.show_message("检查已开始。", "ok")
    assert w.messages.text() == "检查已开始。"


def test_the_preview_fits_a_1024x700_screen() -> None:
    size = preview_size(QRect(0, 0, 1024, 700))
    assert size.height() <= 700 - 40 and size.width() <= 1024
    assert preview_size(QRect(0, 0, 1920, 1080)) == QSize(820, 960)


def test_the_preview_from_the_drafting_form_belongs_to_the_form(
    cups_printers: Path,
    qtbot: QtBot,
    window: MainWindow,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w = window
    asked: list[object] = []
    monkeypatch.setattr(DocumentDraftDialog, "close_choice", lambda self: asked.append(self))
    monkeypatch.setattr(pdf_preview, "QPrintDialog", ChoosingPrintDialog)
    ChoosingPrintDialog.chosen = "InspectorPDF"
    open_order_draft(qtbot, w, services)
    draft = w.draft_dialog
    assert draft is not None
    draft.party_edits["legal_rep"].setText("王𠀀喆")
    draft.preview_button.click()
    qtbot.waitUntil(lambda: w.preview is not None and w.preview.isVisible(), timeout=WAIT)
    preview = w.preview
    assert isinstance(preview, PdfPreviewDialog)
    assert preview.parentWidget() is draft  # not the main window the form blocks
    qtbot.waitUntil(lambda: len(preview.page_labels) > 0, timeout=WAIT)

    # inside the screen, with its buttons in sight
    screen = preview.screen().availableGeometry()
    assert screen.contains(preview.geometry())
    for button in (preview.print_button, preview.save_button):
        corner = button.mapTo(preview, QPoint(button.width(), button.height()))
        assert preview.rect().contains(corner)

    # it scrolls
    bar = preview.pages_area.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=WAIT)
    bar.setValue(bar.maximum())
    assert bar.value() == bar.maximum() > 0

    # it prints on the test CUPS queue
    with qtbot.waitSignal(preview.printed, timeout=30_000) as blocker:
        preview.print_button.click()
    assert blocker.args == [2]
    assert preview.status.text().startswith("已打印 2 份（打印机“InspectorPDF”）")

    # Esc closes the preview; the form stays open with what was typed, nothing was asked
    preview.activateWindow()
    qtbot.keyClick(preview, Qt.Key.Key_Escape)
    assert not preview.isVisible()
    assert draft.isVisible() and asked == []
    assert draft.party_edits["legal_rep"].text() == "王𠀀喆"


def test_f1_opens_a_short_chinese_help_and_esc_closes_it(qtbot: QtBot, window: MainWindow) -> None:
    w = window
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_F1)
    help_dialog = w.help_dialog
    assert isinstance(help_dialog, HelpDialog) and help_dialog.isVisible()
    text = help_dialog.text.toPlainText()
    for words in ("搜索框", "开始检查", "1 / 2 / 3", "完成检查", "颜色", "同步"):
        assert words in text
    assert help_dialog.parentWidget() is w
    assert help_dialog.height() <= SMALL.height() - 40
    qtbot.keyClick(help_dialog, Qt.Key.Key_Escape)
    assert not help_dialog.isVisible()


def test_the_start_dialog_shows_every_inspector_and_ticks_only_me(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    w = window
    me = services.inspections.current_user_id()
    unit = services.units.search("", limit=1)[0]
    w.ask_start_inspection(unit.id)
    qtbot.waitUntil(lambda: w.start_dialog is not None and w.start_dialog.isVisible(), timeout=WAIT)
    dialog = w.start_dialog
    assert dialog is not None
    people = dialog.inspectors
    assert people.count() >= 3
    ticked = [
        people.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(people.count())
        if people.item(i).checkState() == Qt.CheckState.Checked
    ]
    assert ticked == [me]
    mine = next(
        people.item(i)
        for i in range(people.count())
        if people.item(i).data(Qt.ItemDataRole.UserRole) == me
    )
    assert "（本人）" in mine.text()
    # every row in sight: none below a fold
    for i in range(people.count()):
        assert people.viewport().rect().contains(people.visualItemRect(people.item(i)))
    assert dialog.inspectors_label.text().endswith(f"共 {people.count()} 人，已选 1 人）：")
    people.item(1 if people.item(0) is mine else 0).setCheckState(Qt.CheckState.Checked)
    assert "已选 2 人" in dialog.inspectors_label.text()
    assert dialog.width() >= dialog.minimumSizeHint().width()  # nothing cut at the right
    assert dialog.width() <= SMALL.width() and dialog.height() <= SMALL.height() - 48
    dialog.reject()


def test_paper_signing_starts_with_nobody_ticked(qtbot: QtBot) -> None:
    signers = [
        SignerInput("officer", "李明", "35010001"),
        SignerInput("officer", "张华", "35010002"),
        SignerInput("party", "王𠀀喆"),
    ]
    dialog = PaperSigningDialog(signers)
    qtbot.addWidget(dialog)
    assert [signed.isChecked() for _s, signed, *_rest in dialog.rows] == [False, False, False]
    assert dialog.signers() == [] and not dialog.ok_button.isEnabled()
    _s, signed, refused, _reason, _witness = dialog.rows[2]
    refused.setChecked(True)
    refused.setChecked(False)  # taking the refusal back does not count as signed
    assert not signed.isChecked() and dialog.signers() == []
    dialog.rows[0][1].setChecked(True)
    assert [s.name for s in dialog.signers()] == ["李明"] and dialog.ok_button.isEnabled()
