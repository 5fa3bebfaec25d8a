"""The shape every data-entry dialog shares: a form, an error line, 保存/取消.

The dialog never closes itself on 保存: it emits `submitted(value)`; the page stores the value off
the GUI thread and calls `accept()` on success or `show_error(message)` with the service's reason,
so a refused entry keeps everything typed.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)


class FormDialog(QDialog):
    submitted = Signal(object)

    def __init__(self, title: str, save_label: str = "保存", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.form = QFormLayout()
        self.error = QLabel("")
        self.error.setStyleSheet("color:#b00020;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(save_label)
        ok.setMinimumHeight(40)
        self.ok_button = ok
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._submit)
        buttons.rejected.connect(self.reject)
        self.body = QVBoxLayout(self)
        self.body.addLayout(self.form)
        self.body.addWidget(self.error)
        self.body.addWidget(buttons)

    def add_rows(self, *rows: tuple[str, QWidget]) -> None:
        for label, widget in rows:
            self.form.addRow(label, widget)

    def _submit(self) -> None:
        if not self.ok_button.isEnabled():
            return  # a double tap while the first 保存 is still being stored
        self.error.setText("")
        self.ok_button.setEnabled(False)
        self.submitted.emit(self.value())  # type: ignore[attr-defined]  # each subclass has value()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.ok_button.setEnabled(True)
