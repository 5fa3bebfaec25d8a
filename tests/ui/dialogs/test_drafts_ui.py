"""The document form keeps itself: edits are saved within seconds, survive the app dying, and are
offered back when the same document is made again from the same inspection; closing asks whether
to keep the draft, throw it away or go back; an untouched form closes without asking; issuing
removes the draft."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from inspector.services.facade import Services
from inspector.ui.app import install_fonts
from inspector.ui.dialogs import document_draft
from inspector.ui.dialogs.document_draft import DISCARD, KEEP, STAY, DocumentDraftDialog
from inspector.ui.main_window import MainWindow
from tests.support.clock import FixedClock
from tests.support.documents import load_blocks
from tests.support.window import WAIT, idle, open_order_draft


@pytest.fixture(autouse=True)
def quick_autosave(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document_draft, "AUTOSAVE_MS", 100)


def reopen(qtbot: QtBot, w: MainWindow, iid: str) -> DocumentDraftDialog:
    w.draft_dialog = None
    w.draft_document("rectification_order", iid)
    qtbot.waitUntil(lambda: w.draft_dialog is not None and w.draft_dialog.isVisible(), timeout=WAIT)
    assert w.draft_dialog is not None
    return w.draft_dialog


def test_a_form_survives_the_app_dying_and_comes_back(
    qtbot: QtBot,
    qapp: QApplication,
    window: MainWindow,
    services: Services,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[Any] = []
    monkeypatch.setattr(
        DocumentDraftDialog, "close_choice", lambda self: asked.append(self) or STAY
    )
    iid = open_order_draft(qtbot, window, services)
    dialog = window.draft_dialog
    assert dialog is not None and dialog.items_table is not None
    dialog.party_edits["legal_rep"].setText("王𠀀喆")
    dialog.items_table.item(1, 1).setText("除尘系统未设泄爆装置（已拍照）")
    qtbot.waitUntil(lambda: "草稿已自动保存" in dialog.saved_label.text(), timeout=WAIT)
    idle(qtbot, window)

    # the laptop dies: no dialog closes, no question is asked; the app is started again
    dialog.autosave_timer.stop()
    dialog.hide()
    window.tasks.shutdown()
    services.close()
    again = Services.open(services.ctx.data_dir, clock=clock)
    install_fonts(qapp)
    w2 = MainWindow(again)
    qtbot.addWidget(w2)
    w2.start()
    w2.show()
    idle(qtbot, w2)
    offers: list[Any] = []
    monkeypatch.setattr(MainWindow, "ask_restore", lambda self, saved: offers.append(saved) or True)
    restored = reopen(qtbot, w2, iid)
    assert len(offers) == 1 and not offers[0].had_signatures
    assert restored.party_edits["legal_rep"].text() == "王𠀀喆"
    assert restored.items_table is not None
    assert restored.items_table.item(1, 1).text() == "除尘系统未设泄爆装置（已拍照）"
    assert restored.saved_label.text() == "已恢复上次保存的草稿"
    assert asked == []

    # 取消 asks; 返回编辑 keeps the form open
    restored.reject()
    assert len(asked) == 1 and restored.isVisible()

    # issued: the draft is gone, nothing is offered next time
    load_blocks(again, tmp_path, "责改", 1, 9)
    restored.issue()
    idle(qtbot, w2)
    assert not restored.isVisible(), restored.problems_label.text()
    assert again.drafts.find(restored.draft) is None
    offers.clear()
    fresh = reopen(qtbot, w2, iid)
    assert offers == [] and fresh.party_edits["legal_rep"].text() != "王𠀀喆"
    w2.tasks.shutdown()
    again.close()


def test_closing_keeps_or_throws_away_the_draft(
    qtbot: QtBot,
    window: MainWindow,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    choices: list[str] = []
    monkeypatch.setattr(DocumentDraftDialog, "close_choice", lambda self: choices.pop(0))
    monkeypatch.setattr(MainWindow, "ask_restore", lambda self, saved: True)
    iid = open_order_draft(qtbot, window, services)
    dialog = window.draft_dialog
    assert dialog is not None

    # untouched: closes without a question and leaves nothing behind
    dialog.autosave()
    dialog.reject()  # choices is empty: a question would fail here
    idle(qtbot, window)
    assert not dialog.isVisible() and services.drafts.find(dialog.draft) is None

    # edited, then 保留草稿: kept with the edit (even before the timer saved it)
    dialog = reopen(qtbot, window, iid)
    dialog.autosave_timer.stop()
    dialog.party_edits["phone"].setText("0792-7654321")
    choices.append(KEEP)
    dialog.reject()
    idle(qtbot, window)
    kept = services.drafts.find(dialog.draft)
    assert not dialog.isVisible() and kept is not None
    assert kept.draft.party.phone == "0792-7654321"

    # reopened from the draft, then 放弃草稿: gone
    dialog = reopen(qtbot, window, iid)
    assert dialog.party_edits["phone"].text() == "0792-7654321"
    choices.append(DISCARD)
    dialog.reject()
    idle(qtbot, window)
    assert not dialog.isVisible() and services.drafts.find(dialog.draft) is None


def test_closing_the_app_keeps_the_last_seconds_of_typing(
    qtbot: QtBot, window: MainWindow, services: Services
) -> None:
    open_order_draft(qtbot, window, services)
    dialog = window.draft_dialog
    assert dialog is not None
    dialog.autosave_timer.stop()  # typed just now: the timer has not saved it yet
    dialog.party_edits["legal_rep_title"].setText("厂长")
    window.close()
    kept = services.drafts.find(dialog.draft)
    assert kept is not None and kept.draft.party.legal_rep_title == "厂长"
