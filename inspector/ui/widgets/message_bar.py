"""The window's message area for results and refusals (no modal spinners).

It is always there and always the same height (two lines of text), so a message appearing or
going never moves a widget under the person's finger or pointer; with no message it is blank.
A text longer than two lines is cut with "…" and shown whole as the tooltip. The main window
clears it when the person goes to another page, and drops a standing error once a later write
succeeds (the thing it complained about was fixed).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

STYLES = {
    "": "background:transparent; border:1px solid transparent;",
    "error": "background:#fdecea; color:#8a1c1c; border:1px solid #f5c2c0;",
    "info": "background:#e8f4fd; color:#0b4f7a; border:1px solid #b6dcf7;",
    "ok": "background:#edf7ed; color:#1e4620; border:1px solid #b7dfb9;",
}
LINES = 2  # the text lines the area always has room for
OK_SHOWN_MS = 8000  # results and notes go by themselves; an error stays until dealt with


class MessageBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 1, 3, 1)
        layout.setSpacing(6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.close_button = QPushButton("关闭")
        self.close_button.setFixedHeight(26)
        self.close_button.clicked.connect(self.clear)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button)
        line = self.fontMetrics().lineSpacing()
        self.setFixedHeight(max(LINES * line + 6, 32))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # the button keeps its place when hidden: nothing inside the bar shifts either
        policy = self.close_button.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.close_button.setSizePolicy(policy)
        self.kind = ""
        self._text = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.clear)
        self._paint()

    def show_message(self, text: str, kind: str = "info") -> None:
        self.kind = kind
        self._text = text
        self._timer.stop()
        if kind != "error":
            self._timer.start(OK_SHOWN_MS)
        self._paint()

    def clear(self) -> None:
        self._timer.stop()
        self.kind = ""
        self._text = ""
        self._paint()

    def clear_error(self) -> None:
        """A later action succeeded: a standing error no longer describes the state."""
        if self.kind == "error":
            self.clear()

    def text(self) -> str:
        return self._text

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()

    def _paint(self) -> None:
        self.setStyleSheet(f"#messageBar {{{STYLES[self.kind]} border-radius:4px;}}")
        self.close_button.setVisible(bool(self._text))
        self.setToolTip(self._text)
        self._fit_text()

    def _fit_text(self) -> None:
        width = max(self.label.width(), 1)
        metrics = self.label.fontMetrics()
        shown = self._text
        if metrics.horizontalAdvance(shown) > width * LINES:
            # a little short of two full lines: word wrap breaks before the edge
            budget = width * LINES - metrics.horizontalAdvance("国国")
            shown = metrics.elidedText(shown, Qt.TextElideMode.ElideRight, budget)
        self.label.setText(shown)
