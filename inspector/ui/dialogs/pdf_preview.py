"""Preview a PDF as page images and print it through Qt's print dialog."""

from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector.documents.raster import render_pages
from inspector.services.records import export_file
from inspector.ui.tasks import TaskRunner

log = logging.getLogger("inspector.ui.print")


def to_qimage(img: Image.Image) -> QImage:
    rgb = img.convert("RGB")
    data = rgb.tobytes("raw", "RGB")
    q = QImage(data, rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888)
    return q.copy()  # detach from the Python buffer


class PdfPreviewDialog(QDialog):
    def __init__(
        self, pdf: bytes, title: str, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.pdf = pdf
        self.tasks = tasks
        self.setWindowTitle(f"预览：{title}")
        self.resize(820, 960)
        self.pages_box = QVBoxLayout()
        holder = QWidget()
        holder.setLayout(self.pages_box)
        self.status = QLabel("正在生成预览…")
        self.pages_box.addWidget(self.status)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        self.print_button = QPushButton("打印…")
        self.save_button = QPushButton("另存为 PDF…")
        close = QPushButton("关闭")
        for b in (self.print_button, self.save_button, close):
            b.setMinimumHeight(40)
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button.clicked.connect(self.save_as)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self.page_labels: list[QLabel] = []
        tasks.read(render_pages, pdf, 100.0, on_done=self._show_pages, on_error=self.status.setText)

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
        path, _ = QFileDialog.getSaveFileName(self, "保存 PDF", "", "PDF 文件 (*.pdf)")
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
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.status.setText("正在准备打印…")
        dpi = min(printer.resolution(), 300)
        self.tasks.read(
            render_pages,
            self.pdf,
            float(dpi),
            on_done=lambda images: self.paint(printer, images),
            on_error=self.status.setText,
        )

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
