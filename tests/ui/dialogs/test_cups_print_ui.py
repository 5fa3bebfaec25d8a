"""The preview dialog printing on real CUPS queues (tools/cups_setup.sh): the print button, with
Qt's modal print dialog replaced by one that picks a queue, sends the PDF to CUPS on a worker
thread; a jam shows its Chinese message, a completed job shows the copies and emits `printed`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from inspector.services.facade import Services
from inspector.ui.dialogs.pdf_preview import PdfPreviewDialog
from inspector.util import cups
from tests.support.cups import fake_cups, print_record
from tests.support.print_dialogs import ChoosingPrintDialog, cups_printers, dialog

__all__ = ["cups_printers", "dialog"]  # fixtures used here


def test_a_jammed_printer_shows_why_and_counts_nothing(
    cups_printers: Path, qtbot: QtBot, dialog: PdfPreviewDialog, services: Services
) -> None:
    printed: list[int] = []
    dialog.printed.connect(printed.append)
    assert dialog.copies_label.text() == "默认打印 2 份：1 份交被检查单位，1 份存根归档"
    ChoosingPrintDialog.chosen = "InspectorBroken"
    dialog.print_button.click()
    assert ChoosingPrintDialog.seen_copies == [2]
    qtbot.waitUntil(lambda: "等待打印机完成" in dialog.status.text(), timeout=10_000)
    assert not dialog.print_button.isEnabled()  # no second job while this one is out
    qtbot.waitUntil(lambda: "打印失败" in dialog.status.text(), timeout=30_000)
    text = dialog.status.text()
    assert "InspectorBroken" in text and "在打印过程中出错" in text
    assert text.endswith("本次未记为已打印。")
    assert dialog.print_button.isEnabled() and dialog.cancel_print_button.isHidden()
    assert printed == []
    assert dialog.document_id is not None
    count, events, _ops = print_record(services, dialog.document_id)
    assert count == 0 and events == []


def test_a_completed_cups_job_is_counted_and_announced(
    cups_printers: Path, qtbot: QtBot, dialog: PdfPreviewDialog, services: Services
) -> None:
    ChoosingPrintDialog.chosen = "InspectorPDF"
    with qtbot.waitSignal(dialog.printed, timeout=30_000) as blocker:
        dialog.print_button.click()
    assert blocker.args == [2]
    assert dialog.status.text() == "已打印 2 份（打印机“InspectorPDF”），已记录打印份数。"
    assert dialog.print_button.isEnabled()
    assert dialog.document_id is not None
    count, events, _ops = print_record(services, dialog.document_id)
    assert count == 2 and len(events) == 1


def test_cancelling_a_waiting_job_withdraws_it_and_counts_nothing(
    qtbot: QtBot, dialog: PdfPreviewDialog, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A printer that takes its time (faked: the job stays "processing"); 取消打印 withdraws it."""
    monkeypatch.setattr(cups, "submit", lambda path, printer, copies, title: "Office-5")
    cancels = fake_cups(monkeypatch, lambda n: "canceled" if cancels else "processing")
    dialog.print_via_cups("Office", 2)
    assert not dialog.cancel_print_button.isHidden()
    qtbot.waitUntil(lambda: dialog.tasks.pending == 1, timeout=5_000)
    dialog.cancel_print_button.click()
    qtbot.waitUntil(lambda: "本次未记为已打印" in dialog.status.text(), timeout=10_000)
    assert dialog.status.text() == "已取消打印，本次未记为已打印。"
    assert cancels == ["Office-5"]
    assert dialog.document_id is not None
    assert print_record(services, dialog.document_id)[0] == 0


def test_the_qt_painter_path_counts_only_what_the_printer_accepted(
    cups_printers: Path,
    qtbot: QtBot,
    dialog: PdfPreviewDialog,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Where the printer is not a CUPS queue (Windows), pages are painted on the QPrinter and the
    copies count once painter.end() succeeded — here Qt's own CUPS engine on InspectorPDF."""
    monkeypatch.setattr(cups, "queues", lambda: [])  # as if lp could not reach this printer
    assert dialog.document_id is not None
    to_file = QPrinter()
    to_file.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    to_file.setOutputFileName(str(tmp_path / "copy.pdf"))
    dialog.print_to(to_file)  # Qt's print to file: a PDF, not a printed copy
    qtbot.waitUntil(lambda: dialog.status.text() == "已发送到打印机。", timeout=20_000)
    qtbot.waitUntil(lambda: dialog.tasks.pending == 0, timeout=10_000)
    assert (tmp_path / "copy.pdf").stat().st_size > 0
    assert print_record(services, dialog.document_id)[0] == 0

    printer = QPrinter()
    printer.setPrinterName("InspectorPDF")
    printer.setCopyCount(2)
    assert printer.outputFormat() == QPrinter.OutputFormat.NativeFormat
    with qtbot.waitSignal(dialog.printed, timeout=30_000) as blocker:
        dialog.print_to(printer)
    assert blocker.args == [2]
    assert dialog.status.text() == "已发送到打印机 2 份，已记录打印份数。"
    count, events, _ops = print_record(services, dialog.document_id)
    assert count == 2 and len(events) == 1
    # Qt's engine queued a job of its own; let it finish so its file is cleaned up with the rest
    qtbot.waitUntil(
        lambda: (
            not subprocess.run(
                ["lpstat", "-W", "not-completed", "-o", "InspectorPDF"],
                capture_output=True,
                text=True,
            ).stdout.strip()
        ),
        timeout=20_000,
    )
