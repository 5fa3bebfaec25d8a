"""The 文书 page offers the decisions that follow a selected issued document and opens the draft."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from inspector.services.facade import Services
from inspector.ui.main_window import MainWindow
from tests.support.documents import issued_seizure
from tests.support.window import WAIT, idle
from tests.support.writer import on_writer


def test_documents_page_offers_the_follow_ups_of_a_seizure_and_opens_the_draft(
    qtbot: QtBot, window: MainWindow, services: Services, tmp_path: Path
) -> None:
    w = window
    seizure = issued_seizure(services, tmp_path)
    w.go("documents")
    w.documents.load()
    idle(qtbot, w)
    page = w.documents
    assert not page.buttons["follow"].isEnabled()  # nothing selected
    row = next(n for n, r in enumerate(page.model.rows) if r.id == seizure.document_id)
    page.view.selectRow(row)
    assert page.buttons["follow"].isEnabled()
    page._fill_follow_menu()
    titles = [a.text() for a in page.follow_menu.actions()]
    assert titles == ["延长查封扣押期限决定书", "查封扣押处理决定书"]
    next(a for a in page.follow_menu.actions() if a.text() == "查封扣押处理决定书").trigger()
    qtbot.waitUntil(lambda: w.draft_dialog is not None and w.draft_dialog.isVisible(), timeout=WAIT)
    dialog = w.draft_dialog
    assert dialog is not None and dialog.draft.kind == "seizure_decision"
    assert dialog.draft.refers_to_id == seizure.document_id
    assert dialog.rows_table is not None and dialog.rows_table.rowCount() == 2
    assert dialog.rows_table.item(0, 0).text() == "脉冲布袋除尘器"
    dialog.close()

    # a voided 查扣 offers no follow-up
    on_writer(services, lambda: services.documents.void(seizure.document_id, "期限写错了"))
    page.load()
    idle(qtbot, w)
    page.view.selectRow(row)
    assert not page.buttons["follow"].isEnabled()
