"""Before issuing with a doubtful clock correction: show the time that will be printed and ask."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from inspector.services.sync.trusted_time import TimeCheck

TITLE = "请确认时间"


def ask_time_confirmed(parent: QWidget, check: TimeCheck) -> bool:
    """True when the inspector confirms the time shown (the default answer is 取消)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(TITLE)
    box.setText(check.question)
    ok = box.addButton("时间正确，签发", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is ok


NOT_CONFIRMED = "未签发：请先核对本机时间（联网同步一次即可按服务器时间校正）。"
