"""The inspection from the keyboard: the checklist has the focus as soon as an inspection opens
(1/2/3 mark the current item and move on, with no click first), Ctrl+Z takes the last marks back one
by one, and Ctrl+Enter is 完成检查."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut

from inspector.domain.enums import ItemResult
from inspector.services.inspections.views import ItemView

if TYPE_CHECKING:
    from inspector.ui.pages.inspection_page import InspectionPage

FINISH_KEY = QKeySequence("Ctrl+Return")


UNDO_DEPTH = 50  # marks a person can take back in one inspection


def install_inspection_keys(page: InspectionPage) -> None:
    page.finish_button.setShortcut(FINISH_KEY)
    page.finish_button.setToolTip("快捷键：Ctrl+Enter")
    page.tree.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    undo = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), page)
    undo.activated.connect(lambda: undo_last_mark(page))


def remember_mark(page: InspectionPage, item: ItemView) -> None:
    """Before an item is marked: what it was, so Ctrl+Z can put it back."""
    if page.view is None:
        return
    page.undo_marks.append((page.view.id, item.id, item.result))
    del page.undo_marks[:-UNDO_DEPTH]


def undo_last_mark(page: InspectionPage) -> None:
    """Ctrl+Z: the last mark of this inspection back to what it was, the item selected again."""
    if page.view is None or page.view.finished:
        return
    while page.undo_marks and page.undo_marks[-1][0] != page.view.id:
        page.undo_marks.pop()  # marks of another inspection
    if not page.undo_marks:
        page.message.emit("没有可以撤销的检查项标记。", "info")
        return
    _inspection, item_id, before = page.undo_marks.pop()
    page.tasks.write(
        page.services.inspections.set_item,
        page.view.id,
        item_id,
        before,
        None,
        on_error=page.refused,
    )
    node = page.items_by_id.get(item_id)
    if node is not None:
        page.tree.setCurrentItem(node)
        page.tree.scrollToItem(node)
    page.message.emit(f"已撤销：该项恢复为“{ItemResult(before).label}”。", "info")


def focus_checklist(page: InspectionPage) -> None:
    """A newly opened inspection: the keys 1/2/3 go to the checklist straight away."""
    page.tree.setFocus(Qt.FocusReason.OtherFocusReason)
