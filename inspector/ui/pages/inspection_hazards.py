"""The inspection page's hazard form: a new finding or an edit, stored through the writer; a
refusal stays in the form, in Chinese."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from inspector.services.inspections.recording import HazardInput
from inspector.services.inspections.views import HazardView
from inspector.ui.dialogs.hazard_dialog import HazardDialog

if TYPE_CHECKING:
    from inspector.ui.pages.inspection_page import InspectionPage


class HazardEditing:
    """The hazard form of one inspection page."""

    def __init__(self, page: InspectionPage) -> None:
        self.page = page
        self.dialog: HazardDialog | None = None

    def open(self, hazard: HazardView | None) -> None:
        if self.page.view is None or self.page.view.finished:
            return
        ctx = self.page.services.ctx
        days = ctx.settings.default_deadline_days
        dialog = HazardDialog(hazard, ctx.clock.today(), self.page, default_days=days)
        dialog.submitted.connect(self._hazard_submitted)
        self.dialog = dialog
        dialog.open()

    def _hazard_submitted(self, data: HazardInput) -> None:
        dialog = self.dialog
        assert dialog is not None and self.page.view is not None
        done: Callable[[Any], None] = lambda result: self._hazard_saved(dialog, result)  # noqa: E731
        if dialog.hazard_id is None:
            self.page.tasks.write(
                self.page.services.inspections.add_hazard,
                self.page.view.id,
                data,
                on_done=done,
                on_error=dialog.show_error,
            )
        else:
            self.page.tasks.write(
                self.page.services.inspections.update_hazard,
                dialog.hazard_id,
                data,
                on_done=done,
                on_error=dialog.show_error,
            )

    def _hazard_saved(self, dialog: HazardDialog, _value: object) -> None:
        dialog.accept()  # the page reloads itself from the runner's changes
