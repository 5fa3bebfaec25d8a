"""The inspection from the keyboard: the checklist has the focus as soon as an inspection opens
(1/2/3 mark the current item and move on, with no click first), and Ctrl+Enter is 完成检查."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

if TYPE_CHECKING:
    from inspector.ui.pages.inspection_page import InspectionPage

FINISH_KEY = QKeySequence("Ctrl+Return")


def install_inspection_keys(page: InspectionPage) -> None:
    page.finish_button.setShortcut(FINISH_KEY)
    page.finish_button.setToolTip("快捷键：Ctrl+Enter")
    page.tree.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


def focus_checklist(page: InspectionPage) -> None:
    """A newly opened inspection: the keys 1/2/3 go to the checklist straight away."""
    page.tree.setFocus(Qt.FocusReason.OtherFocusReason)
