"""Pages keep themselves current from the task runner's `changed` signal.

Each page declares what it shows (`wants(changes)`) and how it reloads (`refresh(changes)`); the
main window routes nothing. A visible page refreshes at once; a hidden one collects the changes and
refreshes when it is next shown — unless it reloads whenever it is shown anyway (`loads_when_shown`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from inspector.services.changes import Changes
from inspector.ui.tasks import TaskRunner


def anything(changes: Changes) -> bool:
    """For pages that show a bit of everything (lists, the home page, 待办)."""
    return not changes.empty


class ChangeFollower(QObject):
    """Refresh `page` whenever a finished write changed something it shows (lives as its child)."""

    def __init__(
        self,
        page: QWidget,
        tasks: TaskRunner,
        wants: Callable[[Changes], bool],
        refresh: Callable[[Changes], None],
        *,
        loads_when_shown: bool = False,
    ) -> None:
        super().__init__(page)
        self._page = page
        self._wants = wants
        self._refresh = refresh
        self._loads_when_shown = loads_when_shown
        self._missed = Changes()
        tasks.changed.connect(self._changed)
        page.installEventFilter(self)

    def _changed(self, changes: Changes) -> None:
        if not self._wants(changes):
            return
        if self._page.isVisible():
            self._refresh(changes)
        elif not self._loads_when_shown:
            self._missed = self._missed | changes

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._page and event.type() == QEvent.Type.Show and not self._missed.empty:
            missed, self._missed = self._missed, Changes()
            self._refresh(missed)
        return False
