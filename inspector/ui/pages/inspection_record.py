"""The inspection page's closing actions: 完成检查, the 现场检查记录 preview, and its 签发 with a
number — rendered on the worker pool, kept through the writer, shown in the preview."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from inspector.services.documents.site_record import IssuedRecord, RenderedRecord
from inspector.services.inspections.reopen import finish_summary
from inspector.services.sync.trusted_time import TimeCheck
from inspector.ui.dialogs.finish_confirm import (
    FinishConfirmDialog,
    ReopenDialog,
    ask_finish,
    ask_reopen,
)
from inspector.ui.dialogs.time_confirm import NOT_CONFIRMED, ask_time_confirmed

if TYPE_CHECKING:
    from inspector.ui.pages.inspection_page import InspectionPage


class RecordActions:
    """Finishing the inspection and making its record, for one page."""

    def __init__(self, page: InspectionPage) -> None:
        self.page = page
        self.rendering = False  # a record is being made: its buttons stay off
        self.finish_dialog: FinishConfirmDialog | None = None
        self.reopen_dialog: ReopenDialog | None = None

    def finish(self) -> None:
        """Ask first (what is unchecked); the record is fixed only on 完成检查."""
        page = self.page
        if page.view is None or not page.finish_button.isEnabled():
            return
        if self.finish_dialog is None or not self.finish_dialog.isVisible():
            self.finish_dialog = ask_finish(page, finish_summary(page.view), self._confirmed)

    def ask_reopen(self) -> None:
        page = self.page
        if page.view is not None and page.view.finished:
            self.reopen_dialog = ask_reopen(
                page, page.tasks, page.services, page.view.id, self._reopened
            )

    def _reopened(self) -> None:
        self.page.message.emit("检查记录已重新打开，理由已记录。修改后请再次完成检查。", "ok")

    def _confirmed(self) -> None:
        if self.page.view is None or not self.page.finish_button.isEnabled():
            return
        self.page.finish_button.setEnabled(False)  # a double tap must not finish twice
        self.page.summary_dirty = False  # finish() stores the summary itself
        unchecked = sum(
            1 for cl in self.page.view.checklists for it in cl.items if it.result == "unchecked"
        )
        self.page.tasks.write(
            self.page.services.inspections.finish,
            self.page.view.id,
            self.page.summary.toPlainText(),
            on_done=lambda _v: self._finished(unchecked),
            on_error=self._finish_refused,
        )

    def _finished(self, unchecked: int) -> None:
        note = f"（有 {unchecked} 项未检查，记录中不列出）" if unchecked else ""
        self.page.message.emit(f"检查已完成，记录已固定。{note}可以生成现场检查记录。", "ok")

    def _finish_refused(self, message: str) -> None:
        self.page.finish_button.setEnabled(True)
        self.page.refused(message)

    def make_record(self) -> None:
        if self.page.view is None or self.rendering:
            return
        self.rendering = True
        self.page.record_button.setEnabled(False)
        self.page.message.emit("正在生成现场检查记录…", "info")
        records = self.page.services.records
        # Render on the pool (CPU), then keep the PDF through the one writer thread.
        self.page.tasks.read(
            records.prepare_site_record,
            self.page.view.id,
            on_done=lambda prepared: self.page.tasks.write(
                records.store_site_record,
                prepared,
                on_done=lambda rec: self._record_rendered(rec, prepared.pdf),
                on_error=self._record_failed,
            ),
            on_error=self._record_failed,
        )

    def issue_record(self) -> None:
        """Number and freeze the record (paper signatures: print, then sign by hand)."""
        if self.page.view is None or self.rendering or self.page.view.record_number:
            return
        self.rendering = True  # a double tap must not issue twice
        self.page.issue_button.setEnabled(False)
        self.page.record_button.setEnabled(False)
        # the clock's correction is read on the pool (no database read on the GUI thread)
        self.page.tasks.read(
            self.page.services.time_check, on_done=self._issue_at, on_error=self._record_failed
        )

    def _issue_at(self, check: TimeCheck | None) -> None:
        """Number and freeze the record once its time is confirmed (or needs no look)."""
        if self.page.view is None or (
            check is not None and not ask_time_confirmed(self.page, check)
        ):
            self._record_failed(NOT_CONFIRMED)  # nothing issued; the buttons come back
            return
        self.page.message.emit("正在取号并签发现场检查记录…", "info")
        records = self.page.services.records
        self.page.tasks.write(
            partial(records.issue_site_record, time_confirmed=check is not None),
            self.page.view.id,
            on_done=lambda rec: self.page.tasks.read(
                records.pdf,
                rec.pdf_sha256,
                on_done=lambda pdf: self._record_issued(rec, pdf),
                on_error=self._record_failed,
            ),
            on_error=self._record_failed,
        )

    def _record_issued(self, rec: IssuedRecord, pdf: bytes) -> None:
        notes = [f"已签发，文号 {rec.number}。请打印，由检查人员和被检查单位负责人手写签名。"]
        if rec.low_warning:
            notes.append(rec.low_warning)
        self._record_ready(rec, pdf, notes, "info" if rec.low_warning else "ok")

    def _record_rendered(self, rec: RenderedRecord, pdf: bytes) -> None:
        self._record_ready(rec, pdf, [], "ok")

    def _record_ready(
        self, rec: IssuedRecord | RenderedRecord, pdf: bytes, notes: list[str], kind: str
    ) -> None:
        """A draft or issued record is stored: say what needs attention, open the preview."""
        self.rendering = False
        if rec.unprintable:
            notes.append("注意：以下字符字体中没有，打印时请手写补充：" + " ".join(rec.unprintable))
            kind = "error"
        if notes:
            self.page.message.emit("\n".join(notes), kind)
        self.page.record_ready.emit((rec, pdf))

    def _record_failed(self, message: str) -> None:
        self.rendering = False
        self.page.message.emit(message, "error")
        self.page.reload()  # buttons follow the stored state again
