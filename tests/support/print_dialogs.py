"""Shared by tests: moved from test_cups_print_ui.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from inspector.documents.raster import page_texts
from inspector.services.documents.printing import PrintService
from inspector.services.facade import Services
from inspector.ui.dialogs import pdf_preview
from inspector.ui.dialogs.pdf_preview import PdfPreviewDialog
from inspector.ui.tasks import TaskRunner
from tests.support.cups import cups_printer_folder, issued_record


@pytest.fixture(scope="module")
def cups_printers() -> Iterator[Path]:
    yield from cups_printer_folder()


class ChoosingPrintDialog:
    """Stands in for QPrintDialog: notes the preset copies, picks a queue, presses 打印."""

    chosen = "InspectorPDF"
    seen_copies: ClassVar[list[int]] = []

    def __init__(self, printer: QPrinter, parent: QWidget | None = None) -> None:
        self.printer = printer

    def setWindowTitle(self, title: str) -> None:
        pass

    def setOption(self, option: object, on: bool = True) -> None:
        pass

    def exec(self) -> QDialog.DialogCode:
        ChoosingPrintDialog.seen_copies.append(self.printer.copyCount())
        self.printer.setPrinterName(self.chosen)
        return QDialog.DialogCode.Accepted


@pytest.fixture
def dialog(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PdfPreviewDialog]:
    doc_id, pdf = issued_record(services, tmp_path)
    tasks = TaskRunner()
    dlg = PdfPreviewDialog(
        pdf,
        "现场检查记录",
        tasks,
        document_id=doc_id,
        print_service=PrintService(services.ctx),
    )
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: len(dlg.page_labels) == len(page_texts(pdf)), timeout=10_000)
    monkeypatch.setattr(pdf_preview, "QPrintDialog", ChoosingPrintDialog)
    ChoosingPrintDialog.seen_copies = []
    yield dlg
    dlg.cancel_print()  # a job a failed test left waiting must not hold up the teardown
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=30_000)
    tasks.shutdown()
