"""Preview a PDF as page images and print it through Qt's print dialog.

On a CUPS queue (Linux, macOS) the PDF itself goes to the printer with `lp` and the print counts
only once CUPS says the job completed; elsewhere (Windows, print to file) the page images are
painted on the QPrinter. A failed print shows why in the status line and counts nothing.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector.documents.raster import render_pages
from inspector.services.documents.printing import PrintService, send_to_cups
from inspector.services.documents.site_record import export_file
from inspector.ui.file_dialogs import save_file_name
from inspector.ui.remembered import preselect_printer, remember_printer
from inspector.ui.tasks import TaskRunner
from inspector.util import cups

log = logging.getLogger("inspector.ui.print")

PREFERRED = QSize(820, 960)
FRAME_ROOM = QSize(24, 48)  # the window manager's frame and title bar
A4_WIDTH_IN = 8.27
PAGE_MARGINS = 110  # the dialog, scroll area, scroll bar and page padding beside a page


def to_qimage(img: Image.Image) -> QImage:
    rgb = img.convert("RGB")
    data = rgb.tobytes("raw", "RGB")
    q = QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888)
    return q.copy()  # detach from the Python buffer


def copies_note(copies: int) -> str:
    if copies >= 2:
        return f"默认打印 {copies} 份：1 份交被检查单位，{copies - 1} 份存根归档"
    return f"默认打印 {copies} 份"


def preview_size(available: QRect) -> QSize:
    """The preview's size on a screen: at most 820×960, always inside the available area with
    room for the window frame, so 打印/另存为/关闭 stay on screen; the pages scroll."""
    return QSize(
        min(PREFERRED.width(), available.width() - FRAME_ROOM.width()),
        min(PREFERRED.height(), available.height() - FRAME_ROOM.height()),
    )


def page_dpi(width: int) -> float:
    """Render pages so an A4 page fits the dialog's width without a sideways scroll."""
    return max(50.0, min(100.0, (width - PAGE_MARGINS) / A4_WIDTH_IN))


def fit_to_screen(dialog: QDialog) -> float:
    """Size and place the dialog inside its screen's available area; the page resolution to use."""
    owner = dialog.parentWidget()
    screen = owner.screen() if owner is not None else QGuiApplication.primaryScreen()
    available = screen.availableGeometry()
    size = preview_size(available)
    dialog.resize(size)
    dialog.move(available.center() - QPoint(size.width() // 2, size.height() // 2 + 12))
    return page_dpi(size.width())


class PdfPreviewDialog(QDialog):
    # copies, after a print that was recorded (or, for an unstored preview, confirmed)
    printed = Signal(int)

    def __init__(
        self,
        pdf: bytes,
        title: str,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        document_id: str | None = None,
        print_service: PrintService | None = None,
        default_copies: int = 2,
    ) -> None:
        super().__init__(parent)
        self.pdf = pdf
        self.title = title
        self.tasks = tasks
        self.document_id = document_id
        self.print_service = print_service
        if print_service is not None:  # a CUPS print waits on the pool and counts on the writer
            tasks.serve(print_service.ctx)
        self.default_copies = max(1, default_copies)
        self._cancel_print = threading.Event()
        self.setWindowTitle(f"预览：{title}")
        self.dpi = fit_to_screen(self)
        self.pages_box = QVBoxLayout()
        holder = QWidget()
        holder.setLayout(self.pages_box)
        # outside the scroll area: a print's outcome stays in sight however far one has scrolled
        self.status = QLabel("正在生成预览…")
        self.status.setWordWrap(True)
        self.pages_area = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self.print_button = QPushButton("打印…")
        self.cancel_print_button = QPushButton("取消打印")
        self.cancel_print_button.hide()
        self.save_button = QPushButton("另存为 PDF…")
        close = QPushButton("关闭")
        for b in (self.print_button, self.cancel_print_button, self.save_button, close):
            b.setMinimumHeight(40)
        self.print_button.clicked.connect(self.print_dialog)
        self.cancel_print_button.clicked.connect(self.cancel_print)
        self.save_button.clicked.connect(self.save_as)
        close.clicked.connect(self.close)
        self.copies_label = QLabel(copies_note(self.default_copies))
        self.copies_label.setStyleSheet("color:#555;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.copies_label)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.cancel_print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.page_labels: list[QLabel] = []
        tasks.read(
            render_pages, pdf, self.dpi, on_done=self._show_pages, on_error=self.status.setText
        )

    def _show_pages(self, images: list[Image.Image]) -> None:
        self.status.setText(f"共 {len(images)} 页")
        for img in images:
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(to_qimage(img)))
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            label.setStyleSheet("background:#888; padding:8px;")
            self.pages_box.addWidget(label)
            self.page_labels.append(label)

    def save_as(self) -> None:
        path = save_file_name(self, "保存 PDF", "", "PDF 文件 (*.pdf)")
        if path:
            self.tasks.read(
                export_file,
                Path(path),
                self.pdf,
                on_done=lambda _n: self.status.setText(f"已保存到 {path}"),
                on_error=self.status.setText,
            )

    def print_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        printer.setCopyCount(self.default_copies)
        preselect_printer(printer)  # the printer used last time, if still there
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        # a document is printed whole: a page range would count as copies it is not
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, False)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        remember_printer(printer)
        self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        """What follows the print dialog: the PDF to a CUPS queue, or page images painted on the
        printer (Windows, or Qt's print to file)."""
        copies = max(1, printer.copyCount())
        name = printer.printerName()
        native = printer.outputFormat() == QPrinter.OutputFormat.NativeFormat
        if native and name and sys.platform != "win32":
            # asking CUPS for its queues may take seconds: not on the GUI thread
            self.status.setText("正在连接打印机…")
            self.tasks.read(
                cups.queues,
                on_done=lambda queues: self._route(printer, name, copies, queues),
                on_error=self.status.setText,
            )
            return
        self._paint_pages(printer, copies)

    def _route(self, printer: QPrinter, name: str, copies: int, queues: list[str]) -> None:
        if name in queues:
            self.print_via_cups(name, copies)
        else:
            self._paint_pages(printer, copies)

    def _paint_pages(self, printer: QPrinter, copies: int) -> None:
        self.status.setText("正在准备打印…")
        dpi = min(printer.resolution(), 300)
        self.tasks.read(
            render_pages,
            self.pdf,
            float(dpi),
            on_done=lambda images: self._painted(printer, copies, self.paint(printer, images)),
            on_error=self.status.setText,
        )

    def print_via_cups(self, printer_name: str, copies: int) -> None:
        """Send the PDF to a CUPS queue on a worker thread; the print counts once CUPS reports the
        job completed, and the status line says how it ended."""
        self._cancel_print.clear()
        self._printing(True)
        self.status.setText(
            f"正在打印：已发送 {copies} 份到打印机“{printer_name}”，等待打印机完成…"
        )
        if self.print_service is not None:
            self.tasks.read(
                self.print_service.print_pdf_via_cups,
                self.document_id,
                self.pdf,
                printer_name,
                copies,
                self.title,
                self._cancel_print.is_set,
                on_done=lambda n: self._cups_done(printer_name, n),
                on_error=self._print_failed,
            )
        else:  # a preview of something not stored: print it, count nothing
            self.tasks.read(
                send_to_cups,
                self.pdf,
                printer_name,
                copies,
                self.title,
                self._cancel_print.is_set,
                on_done=lambda _job: self._cups_done(printer_name, copies),
                on_error=self._print_failed,
            )

    def cancel_print(self) -> None:
        self._cancel_print.set()
        if not self.cancel_print_button.isHidden():
            self.cancel_print_button.setEnabled(False)
            self.status.setText("正在取消打印…")

    def _printing(self, busy: bool) -> None:
        self.print_button.setEnabled(not busy)
        self.cancel_print_button.setVisible(busy)
        self.cancel_print_button.setEnabled(busy)

    def _cups_done(self, printer_name: str, copies: int) -> None:
        self._printing(False)
        recorded = "，已记录打印份数" if self.document_id and self.print_service else ""
        self.status.setText(f"已打印 {copies} 份（打印机“{printer_name}”）{recorded}。")
        self.printed.emit(copies)

    def _print_failed(self, message: str) -> None:
        self._printing(False)
        self.status.setText(message)

    def _painted(self, printer: QPrinter, copies: int, ok: bool) -> None:
        """After the QPainter path: count the copies when the printer accepted the job (a PDF
        file written by Qt's print-to-file is not a printed copy)."""
        if not ok or printer.outputFormat() != QPrinter.OutputFormat.NativeFormat:
            return
        if self.document_id is None or self.print_service is None:
            self.printed.emit(copies)
            return
        self.tasks.write(
            self.print_service.record_printed,
            self.document_id,
            copies,
            printer.printerName(),
            None,
            on_done=lambda _r: self._recorded(copies),
            on_error=lambda m: self.status.setText(f"已发送到打印机，但未能记录打印份数：{m}"),
        )

    def _recorded(self, copies: int) -> None:
        self.status.setText(f"已发送到打印机 {copies} 份，已记录打印份数。")
        self.printed.emit(copies)

    def paint(self, printer: QPrinter, images: list[Image.Image]) -> bool:
        """Paint page images onto the printer; says plainly when the printer refused."""
        painter = QPainter()
        if not painter.begin(printer):
            self.status.setText("打印失败：无法连接打印机，请检查打印机是否开机、联机。")
            return False
        try:
            for n, img in enumerate(images):
                if n:
                    printer.newPage()
                page = printer.pageLayout().paintRectPixels(printer.resolution())
                q = to_qimage(img)
                scaled = q.scaled(
                    page.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
                painter.drawImage(QRect(0, 0, scaled.width(), scaled.height()), scaled)
        finally:
            ok = painter.end()
        self.status.setText(
            "已发送到打印机。" if ok else "打印失败：打印过程中出错，请检查打印机后重试。"
        )
        log.info("printed %d pages ok=%s", len(images), ok)
        return ok
