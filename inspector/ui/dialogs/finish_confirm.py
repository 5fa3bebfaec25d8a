"""完成检查's confirmation (what is still unchecked) and the reason asked before a reopen.

Both are window-modal and opened with `open()`, never `exec()`: the page goes on when the person
answers. Enter confirms 完成检查 (the keyboard path), Esc or 取消 leaves the inspection open.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QPlainTextEdit, QWidget

from inspector.services.facade import Services
from inspector.services.inspections.reopen import FinishSummary, reopen
from inspector.ui.dialogs.form_dialog import FormDialog
from inspector.ui.tasks import TaskRunner


class FinishConfirmDialog(QMessageBox):
    """Asks before the record is fixed; `confirmed` only when 完成检查 was chosen."""

    confirmed = Signal()

    def __init__(self, summary: FinishSummary, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("确认完成检查")
        self.setIcon(QMessageBox.Icon.Warning if summary.unchecked else QMessageBox.Icon.Question)
        self.setText("确认完成本次检查吗？")
        self.setInformativeText(summary.text())
        self.confirm_button = self.addButton("完成检查", QMessageBox.ButtonRole.AcceptRole)
        self.cancel_button = self.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.confirm_button)
        self.setEscapeButton(self.cancel_button)
        self.buttonClicked.connect(
            lambda b: self.confirmed.emit() if b is self.confirm_button else None
        )


class ReopenDialog(FormDialog):
    """The reason for reopening a finished inspection (kept in the record and its audit)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("重新打开检查记录", "重新打开", parent)
        note = QLabel(
            "仅在尚未签发任何文书时可以重新打开。理由将写入检查记录和审计记录，并同步到服务器。"
        )
        note.setWordWrap(True)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("例如：误点完成，第12项尚未检查")
        self.reason.setMaximumHeight(90)
        self.body.insertWidget(0, note)
        self.add_rows(("理由", self.reason))

    def value(self) -> str:
        return self.reason.toPlainText()


def ask_finish(
    parent: QWidget, summary: FinishSummary, on_confirmed: Callable[[], None]
) -> FinishConfirmDialog:
    """Open the confirmation over `parent`; `on_confirmed` runs only on 完成检查."""
    dialog = FinishConfirmDialog(summary, parent)
    dialog.confirmed.connect(on_confirmed)
    dialog.open()
    return dialog


def ask_reopen(
    parent: QWidget,
    tasks: TaskRunner,
    services: Services,
    inspection_id: str,
    on_done: Callable[[], None],
) -> ReopenDialog:
    """Ask the reason and reopen through the writer; a refusal stays in the dialog, in Chinese."""
    dialog = ReopenDialog(parent)

    def done(_value: None) -> None:
        dialog.accept()
        on_done()

    dialog.submitted.connect(
        lambda reason: tasks.write(
            reopen,
            services.inspections,
            inspection_id,
            reason,
            on_done=done,
            on_error=dialog.show_error,
        )
    )
    dialog.open()
    return dialog
