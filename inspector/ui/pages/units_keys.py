"""The unit list on a small screen and from the keyboard: the name column keeps its width (the
credit-code column gives way first; the code is in the unit panel), Down in the search box moves
into the results, Enter on a result opens the unit and puts the focus on 开始检查, and Ctrl+Enter
starts an inspection of the unit shown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QHeaderView, QWidget

if TYPE_CHECKING:
    from inspector.ui.pages.units_page import UnitsPage

START_KEY = QKeySequence("Ctrl+Return")
NAME_COLUMN, CREDIT_COLUMN = 0, 4
CREDIT_WIDTH = 200  # 18 characters of a credit code
# below this many pixels for the name, the credit-code column is hidden (about 14 characters)
NAME_MIN_WIDTH = 260


class _ListKeys(QObject):
    """Down from the search box; Enter on a result; the columns on every resize."""

    def __init__(self, page: UnitsPage) -> None:
        super().__init__(page)
        self.page = page
        # kept here: while the page is being destroyed its children may already be gone
        self.search, self.table, self.viewport = page.search, page.table, page.table.viewport()
        self.start = page.start_button
        self.focus_start = False  # Enter opened a unit whose details are still being read

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        page = self.page
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down and page.model.rowCount() > 0:
                page.table.setFocus(Qt.FocusReason.TabFocusReason)
                if not page.table.currentIndex().isValid():
                    page.select_row(0)
                return True
        if watched is self.table and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            plain = event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.KeypadModifier,
            )
            if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.focus_start = open_current_unit(page)
                return True
        starting = watched is self.start and event.type() == QEvent.Type.EnabledChange
        if starting and self.focus_start and self.start.isEnabled():
            self.focus_start = False
            self.start.setFocus(Qt.FocusReason.OtherFocusReason)
        if watched is self.viewport and event.type() == QEvent.Type.Resize:
            fit_columns(page)
        return False


def open_current_unit(page: UnitsPage) -> bool:
    """Show the unit under the cursor and put the focus on 开始检查 (Enter again starts); True
    while the button waits for the unit's details before it can take the focus."""
    row = page.model.unit_at(page.table.currentIndex().row())
    if row is None:
        return False
    page.show_unit(row.id)
    page.start_button.setEnabled(False)  # until this unit's details are shown
    return True


def fit_columns(page: UnitsPage) -> None:
    """Hide the credit-code column while the name column would be narrower than a long name."""
    header = page.table.horizontalHeader()
    others = sum(
        header.sectionSize(c)
        for c in range(1, page.model.columnCount())
        if c != CREDIT_COLUMN and not header.isSectionHidden(c)
    )
    room = page.table.viewport().width() - others
    # a hidden section's size reads 0: the decision uses the width the column has when shown
    hide = room - CREDIT_WIDTH < NAME_MIN_WIDTH
    if hide != header.isSectionHidden(CREDIT_COLUMN):
        header.setSectionHidden(CREDIT_COLUMN, hide)
    if not hide and header.sectionSize(CREDIT_COLUMN) != CREDIT_WIDTH:
        header.resizeSection(CREDIT_COLUMN, CREDIT_WIDTH)


def install_unit_keys(page: UnitsPage) -> None:
    """Wire the keyboard path and the column fitting into the unit page."""
    keys = _ListKeys(page)
    page.search.installEventFilter(keys)
    page.table.installEventFilter(keys)
    page.table.viewport().installEventFilter(keys)
    page.start_button.installEventFilter(keys)
    # the stretched name column changes with every width change of the list: fit again
    page.table.horizontalHeader().sectionResized.connect(
        lambda index, _old, _new: fit_columns(page) if index == NAME_COLUMN else None
    )
    page.table.horizontalHeader().setSectionResizeMode(NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
    page.table.setTextElideMode(Qt.TextElideMode.ElideRight)
    QWidget.setTabOrder(page.search, page.table)  # search → results in one Tab
    page.start_button.setAutoDefault(True)  # Enter on the focused button starts, as Space does
    page.start_button.setShortcut(START_KEY)
    page.start_button.setToolTip("快捷键：Ctrl+Enter（在结果列表中按 Enter 后再按 Enter 也可）")
