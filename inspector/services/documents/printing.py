"""Printing documents: send the issued PDF itself to a CUPS printer, wait until the print system
says the job completed, and only then count the copies (Document.print_count, an audit event and an
outbox entry in one transaction). A job that fails, is cancelled or times out counts nothing.

Printers that are not CUPS queues (Windows, Qt's print-to-file) are printed by the UI through a
QPrinter; it calls `record_printed` when that print was accepted.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from inspector.domain.errors import UserError
from inspector.services.changes import Changes, Done, done
from inspector.services.context import Context
from inspector.services.journal import audit, queue, row_payload
from inspector.services.setting_rows import current_user_id
from inspector.store.models import Document
from inspector.util import cups

log = logging.getLogger("inspector.print")

PRINTED = "document.printed"
JOB_TIMEOUT_S = 300.0  # a printer warming up and printing a few pages; then the job is cancelled


def not_recorded(message: str) -> str:
    """A failure message ending with the promise that nothing was counted as printed."""
    return f"{message.rstrip('。')}，本次未记为已打印。"


def send_to_cups(
    pdf: bytes,
    printer: str,
    copies: int,
    title: str,
    cancelled: Callable[[], bool] | None = None,
    timeout_s: float = JOB_TIMEOUT_S,
) -> str:
    """Print the PDF bytes on a CUPS queue and wait until the job completed; returns the job id.
    UserError (ending "本次未记为已打印。") when it did not print."""
    with tempfile.TemporaryDirectory(prefix="inspector-print-") as tmp:
        path = Path(tmp) / "document.pdf"
        path.write_bytes(pdf)
        job_id = cups.submit(path, printer, copies, title)  # lp has copied the file when it returns
    try:
        outcome = cups.wait_for_job(job_id, timeout_s=timeout_s, cancelled=cancelled)
    except UserError as exc:
        raise UserError(not_recorded(exc.message)) from None
    if not outcome.ok:
        if outcome.state == "canceled" and cancelled is not None and cancelled():
            log.info("job %s cancelled by the person printing", job_id)
            raise UserError("已取消打印，本次未记为已打印。")
        log.warning("job %s ended %s: %s", job_id, outcome.state, outcome.detail)
        raise UserError(not_recorded(f"打印失败：{outcome.reason}"))
    log.info("job %s completed on %s", job_id, printer)
    return job_id


class PrintService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def record_printed(
        self, document_id: str, copies: int, printer: str, job_id: str | None
    ) -> Done[None]:
        """Count `copies` printed copies of the document: print_count, the audit event
        "document.printed" and the outbox entry, in one write transaction."""
        if copies < 1:
            raise ValueError(f"copies must be positive: {copies}")
        with self.ctx.store.write() as s:
            doc = s.get(Document, document_id)
            if doc is None:
                raise UserError("找不到要记录打印份数的文书，可能已被删除。")
            if doc.status == "voided":
                raise UserError("该文书已作废，打印的副本不计入份数，也不得交付当事人。")
            doc.print_count += copies
            s.add(doc)
            s.flush()
            queue(s, self.ctx.clock, "document", doc.id, row_payload(doc))
            audit(
                s,
                self.ctx.clock,
                PRINTED,
                "document",
                doc.id,
                current_user_id(s),
                {
                    "copies": copies,
                    "printer": printer,
                    "job_id": job_id,
                    "print_count": doc.print_count,
                },
            )
        log.info("document %s: %d copies printed on %s (%s)", document_id, copies, printer, job_id)
        return done(Changes(documents=frozenset({document_id})))

    def print_pdf_via_cups(
        self,
        document_id: str | None,
        pdf: bytes,
        printer: str,
        copies: int,
        title: str,
        cancelled: Callable[[], bool] | None = None,
    ) -> int:
        """Print on a CUPS queue, wait for the job to complete, then record it (a stored document
        only: `document_id` None prints without a record). Returns the copies printed."""
        job_id = send_to_cups(pdf, printer, copies, title, cancelled)
        if document_id is not None:  # this waits on the pool: the count is written on the writer
            self.ctx.run_on_writer(
                lambda: self.record_printed(document_id, copies, printer, job_id)
            )
        return copies
