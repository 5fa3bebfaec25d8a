"""Who is signed in, always in sight at the right of the status bar: "张三 · 执法人员"."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from inspector.services.people.role import NOT_SIGNED_IN, Identity


class PersonBadge(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(NOT_SIGNED_IN, parent)
        self.setStyleSheet("padding:0 12px; font-weight:bold;")
        self.setToolTip("当前登录的人员和角色")

    def show_identity(self, who: Identity) -> None:
        self.setText(who.label)
        self.setStyleSheet(
            "padding:0 12px; font-weight:bold;" + ("" if who.signed_in else "color:#9e9e9e;")
        )
