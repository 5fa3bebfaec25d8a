"""A real CUPS with a cups-pdf queue, and an issued record to print on it."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.services.documents.printing import PRINTED
from inspector.services.facade import Services
from inspector.store.models import AuditEvent, Document, Outbox
from inspector.util import cups
from tests.support.inspections import start
from tests.support.number_blocks import block, block_file
from tests.support.writer import writes


def cups_printer_folder() -> Iterator[Path]:
    """For a fixture: InspectorPDF and InspectorBroken are ready; gives where cups-pdf writes this
    user's jobs and removes the files written meanwhile. Skips only when the set-up script says
    CUPS cannot be set up here (exit 77); any other failure of the script fails the tests."""
    status, said = cups_setup()
    if status == SKIP:
        pytest.skip(f"CUPS test printers unavailable: {said}")
    if status != 0:
        pytest.fail(f"tools/cups_setup.sh failed with exit status {status}: {said}", False)
    import pwd

    folder = OUT_ROOT / pwd.getpwuid(os.getuid()).pw_name
    started = time.time()
    yield folder
    for p in folder.glob("job_*.pdf"):
        if p.stat().st_mtime >= started - 2:
            p.unlink(missing_ok=True)


@writes
def issued_record(services: Services, tmp_path: Path) -> tuple[str, bytes]:
    """A 现场检查记录 issued with a number from a loaded block: (document id, its PDF)."""
    services.numbering.load_block_file(block_file(tmp_path, block(services, 1, 20)))
    iid = start(services)
    item = services.inspections.view(iid).checklists[0].items[0]
    services.inspections.set_item(iid, item.id, "fail", "配电箱未上锁")
    services.inspections.finish(iid, "现场检查发现一项问题。")
    rec = services.records.issue_site_record(iid).value
    return rec.document_id, services.records.pdf(rec.pdf_sha256)


def print_record(services: Services, doc_id: str) -> tuple[int, list[AuditEvent], list[Outbox]]:
    """print_count, the "document.printed" events and the outbox entries of the document."""
    with services.ctx.store.read() as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
        events = s.exec(
            select(AuditEvent).where(AuditEvent.kind == PRINTED, AuditEvent.entity_id == doc_id)
        ).all()
        ops = s.exec(
            select(Outbox).where(Outbox.entity == "document", Outbox.entity_id == doc_id)
        ).all()
        return doc.print_count, list(events), list(ops)


def fake_cups(
    monkeypatch: pytest.MonkeyPatch,
    states: Callable[[int], str],
    *,
    cancel_ok: bool = True,
    on_cancel: Callable[[], None] | None = None,
) -> list[str]:
    """job_status follows `states(n)` for the n-th look; returns the log of cancel calls."""
    looks = [0]
    cancels: list[str] = []

    def status(job_id: str, server: str | None = None) -> cups.JobStatus:
        looks[0] += 1
        return cups.JobStatus(states(looks[0]), "Warming up")

    def cancel(job_id: str) -> bool:
        cancels.append(job_id)
        if on_cancel is not None:
            on_cancel()
        return cancel_ok

    monkeypatch.setattr(cups, "job_status", status)
    monkeypatch.setattr(cups, "cancel_job", cancel)
    monkeypatch.setattr(cups, "printer_stopped", lambda printer: (False, ""))
    monkeypatch.setattr(cups, "_server", lambda: "localhost")
    monkeypatch.setattr(cups, "scheduler_running", lambda: True)
    return cancels


OUT_ROOT = Path("/var/spool/cups-pdf-inspector")  # Out of /etc/cups/cups-pdf-inspector.conf


SKIP = 77  # cups_setup.sh: CUPS cannot be set up on this machine


@functools.cache
def cups_setup() -> tuple[int, str]:
    """Run tools/cups_setup.sh once per test process: (exit status, what it said)."""
    if sys.platform == "win32":
        return SKIP, "no CUPS on Windows"
    started = time.monotonic()
    result = subprocess.run(
        ["bash", str(SETUP)], capture_output=True, text=True, timeout=900, check=False
    )
    said = (result.stdout + result.stderr).strip()
    return result.returncode, f"{said} [{time.monotonic() - started:.1f} s]"


ROOT = Path(__file__).resolve().parents[2]


SETUP = ROOT / "tools" / "cups_setup.sh"
