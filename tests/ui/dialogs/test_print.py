"""Printing paints the rendered pages on a QPrinter; a printer that cannot start is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from inspector.documents.raster import page_texts, render_pages
from inspector.services.facade import Services
from inspector.ui.dialogs.pdf_preview import PdfPreviewDialog
from inspector.ui.tasks import TaskRunner
from tests.support.inspections import start


def record_pdf(services: Services) -> bytes:
    iid = start(services)
    item = services.inspections.view(iid).checklists[0].items[0]
    services.inspections.set_item(iid, item.id, "fail", "配电箱未上锁")
    services.inspections.finish(iid)
    rec = services.records.render_site_record(iid).value
    return services.records.pdf(rec.pdf_sha256)


def test_print_to_a_pdf_printer(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    pdf = record_pdf(services)
    tasks = TaskRunner()
    dialog = PdfPreviewDialog(pdf, "现场检查记录", tasks)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.page_labels) == len(page_texts(pdf)), timeout=10_000)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    images = render_pages(pdf, 150)
    assert dialog.paint(printer, images)
    assert dialog.status.text() == "已发送到打印机。"
    printed = out.read_bytes()
    assert len(render_pages(printed, 30)) == len(images)
    # the printed page is the document: mostly white paper with dark print on it
    page = render_pages(printed, 72)[0].convert("L")
    histogram = page.histogram()
    inked = sum(histogram[:200]) / (page.width * page.height)
    assert 0.01 < inked < 0.4
    tasks.shutdown()


@pytest.mark.qt_log_ignore("QPainter::begin")
def test_printer_that_cannot_start_is_reported(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    pdf = record_pdf(services)
    tasks = TaskRunner()
    dialog = PdfPreviewDialog(pdf, "现场检查记录", tasks)
    qtbot.addWidget(dialog)
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "no-such-dir" / "x.pdf"))
    assert not dialog.paint(printer, render_pages(pdf, 50))
    assert "打印失败" in dialog.status.text()
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=10_000)
    tasks.shutdown()
