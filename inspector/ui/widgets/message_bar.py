"""A non-modal bar at the top of the window for results and refusals (no modal spinners)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

STYLES = {
    "error": "background:#fdecea; color:#8a1c1c; border:1px solid #f5c2c0;",
    "info": "background:#e8f4fd; color:#0b4f7a; border:1px solid #b6dcf7;",
    "ok": "background:#edf7ed; color:#1e4620; border:1px solid #b7dfb9;",
}


class MessageBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("关闭")
        close.setFixedHeight(32)
        close.clicked.connect(self.hide)
        layout.addWidget(self.label, 1)
        layout.addWidget(close)
        self.kind = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_message(self, text: str, kind: str = "info") -> None:
        self.kind = kind
        self.label.setText(text)
        self.setStyleSheet(f"#messageBar {{{STYLES[kind]} border-radius:4px;}}")
        self.show()
        self._timer.stop()
        if kind != "error":
            self._timer.start(8000)

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""
