"""Printing through a real CUPS (tools/cups_setup.sh): the issued PDF goes to cups-pdf and the file
that comes out is compared with it; a printer that fails mid-job counts nothing. The job-watching
rules (timeout, cancel, a job finishing while being cancelled) are also checked without CUPS."""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import ImageChops, ImageStat

from inspector.documents.raster import page_texts, render_pages
from inspector.domain.errors import UserError
from inspector.services.audit.verify import verify
from inspector.services.documents.printing import PrintService
from inspector.services.facade import Services
from inspector.store.models import Document
from inspector.util import cups
from tests.support.cups import (
    cups_printer_folder,
    fake_cups,
    issued_record,
    print_record,
)


@pytest.fixture(scope="module")
def cups_printers() -> Iterator[Path]:
    yield from cups_printer_folder()


def as_admin(*args: str) -> None:
    sudo = [] if os.getuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, *args], check=True, capture_output=True, timeout=30)


def cups_pdf_output(folder: Path, job_id: str, since: float, timeout_s: float = 15.0) -> Path:
    """The file cups-pdf wrote for the job ("job_<n>-<title>.pdf", Label 1)."""
    _, number = cups.split_job_id(job_id)
    deadline = time.monotonic() + timeout_s
    while True:
        found = [
            p
            for p in folder.glob(f"job_{number}-*.pdf")
            if p.stat().st_mtime >= since - 2 and p.stat().st_size > 0
        ]
        if found:
            return found[0]
        assert time.monotonic() < deadline, f"cups-pdf wrote nothing for {job_id} in {folder}"
        time.sleep(0.1)


def job_attribute(job_id: str, name: str, tmp_path: Path) -> str:
    """One attribute of a job as CUPS holds it (ipptool)."""
    test = tmp_path / "attr.test"
    test.write_text(
        "{\n OPERATION Get-Job-Attributes\n GROUP operation-attributes-tag\n"
        " ATTR charset attributes-charset utf-8\n"
        " ATTR naturalLanguage attributes-natural-language en\n"
        " ATTR uri job-uri $uri\n ATTR name requesting-user-name $user\n"
        f" ATTR keyword requested-attributes {name}\n STATUS successful-ok\n DISPLAY {name}\n}}\n"
    )
    server = subprocess.run(["lpstat", "-H"], capture_output=True, text=True).stdout.strip()
    host = server.replace("/", "%2F")
    _, number = cups.split_job_id(job_id)
    out = subprocess.run(
        ["ipptool", "-t", f"ipp://{host}/jobs/{number}", str(test)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(rf"{name} \([^)]*\) = (.*)", out)
    assert m, out
    return m.group(1).strip()


def assert_same_text(issued: str, printed: str) -> None:
    """The printed page says what the issued page says. CUPS turns the PDF into PostScript
    (pdftocairo) and cups-pdf back into PDF (Ghostscript): text survives with its Unicode mapping,
    except runs drawn fill+stroke (ReportLab's faux bold, Tr 2), whose glyphs cairo emits as
    Type 3 without a mapping — those extract as control characters. So: equal outside those runs,
    and where they differ the issued side holds digits only (the numbers in bold runs)."""
    a = re.sub(r"\s+", "", issued)
    b = re.sub(r"\s+", "", printed)
    assert len(a) > 200
    differing = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        assert set(a[i1:i2]) <= set("0123456789") and all(ord(c) < 32 for c in b[j1:j2]), (
            f"printed text differs: {a[max(0, i1 - 10) : i2 + 10]!r} vs {b[max(0, j1 - 10) : j2 + 10]!r}"
        )
        differing += i2 - i1
    assert differing <= len(a) * 0.1
    assert set(re.findall(r"[\u3400-\u9fff]", a)) == set(re.findall(r"[\u3400-\u9fff]", b))


# -- real CUPS --------------------------------------------------------------------------------


def test_issued_record_printed_on_cups_pdf_is_the_document_and_is_counted(
    cups_printers: Path, services: Services, tmp_path: Path
) -> None:
    doc_id, pdf = issued_record(services, tmp_path)
    assert print_record(services, doc_id)[0] == 0
    jobs: list[str] = []
    real_submit = cups.submit

    def submit(path: Path, printer: str, copies: int, title: str) -> str:
        jobs.append(real_submit(path, printer, copies, title))
        return jobs[-1]

    since = time.time()
    started = time.monotonic()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cups, "submit", submit)
        copies = PrintService(services.ctx).print_pdf_via_cups(
            doc_id, pdf, "InspectorPDF", 2, "现场检查记录"
        )
    elapsed = time.monotonic() - started
    assert copies == 2 and len(jobs) == 1
    assert job_attribute(jobs[0], "job-state", tmp_path) == "completed"
    assert job_attribute(jobs[0], "copies", tmp_path) == "2"  # 1 份交被检查单位, 1 份存根

    out = cups_pdf_output(cups_printers, jobs[0], since)
    printed = out.read_bytes()
    out.unlink()
    # collated copies: cups-pdf receives copy 1's pages, then copy 2's (CUPS's pdftopdf makes the
    # copies because the driver cannot collate), so the file holds the document twice
    issued_texts, printed_texts = page_texts(pdf), page_texts(printed)
    n = len(issued_texts)
    assert len(printed_texts) == 2 * n
    issued_images, printed_images = render_pages(pdf, 50), render_pages(printed, 50)
    for copy in range(2):
        for page in range(n):
            assert_same_text(issued_texts[page], printed_texts[copy * n + page])
            a, b = issued_images[page], printed_images[copy * n + page]
            assert a.size == b.size
            diff = ImageStat.Stat(ImageChops.difference(a.convert("L"), b.convert("L"))).mean[0]
            assert diff < 3.0, f"printed page looks different (mean difference {diff:.2f}/255)"
    assert "青岚县应急管理局" in printed_texts[0] and "应急检记" in printed_texts[0]

    count, events, ops = print_record(services, doc_id)
    assert count == 2
    [event] = events
    payload = json.loads(event.payload)
    assert payload["copies"] == 2
    assert payload["printer"] == "InspectorPDF"
    assert payload["job_id"] == jobs[0]
    [op] = [o for o in ops if o.state == "pending"]
    assert json.loads(op.payload)["print_count"] == 2
    with services.ctx.store.read() as s:
        doc = s.get(Document, doc_id)
        assert doc is not None and doc.pdf_sha256 in json.loads(op.blob_refs)
    assert verify(services.ctx).ok
    print(f"\nCUPS print of an issued record, submit to completed: {elapsed:.2f} s")


def test_printer_failing_mid_job_counts_nothing(
    cups_printers: Path, services: Services, tmp_path: Path
) -> None:
    doc_id, pdf = issued_record(services, tmp_path)
    before = print_record(services, doc_id)
    with pytest.raises(UserError) as err:
        PrintService(services.ctx).print_pdf_via_cups(doc_id, pdf, "InspectorBroken", 2, "检记")
    message = err.value.message
    assert message.startswith("打印失败：打印机“InspectorBroken”在打印过程中出错")
    assert "Paper jam" in message  # the printer's own words are kept
    assert message.endswith("本次未记为已打印。")
    count, events, ops = print_record(services, doc_id)
    assert count == 0 and events == []
    assert [(o.op_id, o.payload) for o in ops] == [(o.op_id, o.payload) for o in before[2]]


def test_unknown_and_paused_printers_are_refused_with_reasons(
    cups_printers: Path, services: Services, tmp_path: Path
) -> None:
    doc_id, pdf = issued_record(services, tmp_path)
    printing = PrintService(services.ctx)
    with pytest.raises(UserError, match="找不到打印机“没有这台”"):
        printing.print_pdf_via_cups(doc_id, pdf, "没有这台", 2, "检记")
    since = time.time()
    as_admin("cupsdisable", "InspectorPDF")
    try:
        with pytest.raises(UserError) as err:
            printing.print_pdf_via_cups(doc_id, pdf, "InspectorPDF", 2, "检记")
    finally:
        as_admin("cupsenable", "InspectorPDF")
    assert "已暂停或出错停止" in err.value.message and "任务已取消" in err.value.message
    assert print_record(services, doc_id)[0] == 0
    not_completed = subprocess.run(
        ["lpstat", "-W", "not-completed", "-o", "InspectorPDF"], capture_output=True, text=True
    ).stdout
    assert not_completed.strip() == ""  # withdrawn: it cannot come out later, uncounted
    time.sleep(0.5)
    assert not [p for p in cups_printers.glob("job_*.pdf") if p.stat().st_mtime >= since - 2]


def test_without_ipptool_lpstat_still_tells_printed_from_failed(
    cups_printers: Path, monkeypatch: pytest.MonkeyPatch, services: Services, tmp_path: Path
) -> None:
    doc_id, pdf = issued_record(services, tmp_path)
    real_has = cups._has
    monkeypatch.setattr(cups, "_has", lambda tool: tool != "ipptool" and real_has(tool))
    printing = PrintService(services.ctx)
    with pytest.raises(UserError, match="在打印过程中出错"):
        printing.print_pdf_via_cups(doc_id, pdf, "InspectorBroken", 1, "检记")
    assert print_record(services, doc_id)[0] == 0
    # a withdrawn job looks like a printed one to lpstat: the cancel itself must decide
    as_admin("cupsdisable", "InspectorPDF")
    try:
        with pytest.raises(UserError, match="已暂停或出错停止"):
            printing.print_pdf_via_cups(doc_id, pdf, "InspectorPDF", 1, "检记")
    finally:
        as_admin("cupsenable", "InspectorPDF")
    assert print_record(services, doc_id)[0] == 0
    assert printing.print_pdf_via_cups(doc_id, pdf, "InspectorPDF", 1, "检记") == 1
    assert print_record(services, doc_id)[0] == 1


def test_cups_is_seen(cups_printers: Path) -> None:
    assert cups.cups_available()
    assert {"InspectorPDF", "InspectorBroken"} <= set(cups.queues())


# -- the rules, without CUPS ------------------------------------------------------------------


def test_a_job_that_never_finishes_is_cancelled_at_the_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cancels = fake_cups(monkeypatch, lambda n: "processing")
    with pytest.raises(UserError) as err:
        cups.wait_for_job("Office-7", timeout_s=0.2, poll_s=0.01)
    assert cancels == ["Office-7"]
    assert "0.2 秒内没有打完" in err.value.message and "任务已取消" in err.value.message


def test_a_job_that_completes_while_being_cancelled_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    done = [False]  # processing until the timeout; completed by the time cancel is refused
    cancels = fake_cups(
        monkeypatch,
        lambda n: "completed" if done[0] else "processing",
        cancel_ok=False,
        on_cancel=lambda: done.__setitem__(0, True),
    )
    outcome = cups.wait_for_job("Office-8", timeout_s=0.05, poll_s=0.01)
    assert outcome.ok and cancels == ["Office-8"]


def test_the_person_cancelling_withdraws_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    cancels = fake_cups(monkeypatch, lambda n: "canceled" if n > 1 else "processing")
    outcome = cups.wait_for_job("Office-9", timeout_s=10, poll_s=0.01, cancelled=lambda: True)
    assert not outcome.ok and outcome.state == "canceled"
    assert cancels == ["Office-9"] and outcome.reason == "已取消打印，任务已取消"


@pytest.mark.parametrize(
    ("state", "outcome", "words"),
    [
        ("aborted", "aborted", "在打印过程中出错（打印机报告：Warming up）"),
        ("processing-stopped", "stopped", "出错停止"),
        ("pending-held", "held", "被挂起"),
        ("canceled", "canceled", "已在打印系统中被取消"),
        ("gone", "unknown", "无法确认是否打印成功"),
    ],
)
def test_each_way_a_job_can_end_is_told_apart(
    monkeypatch: pytest.MonkeyPatch, state: str, outcome: str, words: str
) -> None:
    fake_cups(monkeypatch, lambda n: state)
    result = cups.wait_for_job("Office-10", timeout_s=10, poll_s=0.01)
    assert not result.ok and result.state == outcome and words in result.reason


def test_lpstat_output_is_read_per_job() -> None:
    text = (
        "Office-1          root    1024   Mon Nov 23 14:27:37 2026\n"
        "\tStatus: Paper jam\n\tAlerts: processing-to-stop-point\n\tqueued for Office\n"
        "Office-12         root    1024   Mon Nov 23 14:27:38 2026\n"
        "\tStatus: \n\tAlerts: job-printing\n"
    )
    assert cups._lpstat_job(text, "Office-1") == "Paper jam"
    assert cups._lpstat_job(text, "Office-12") == ""
    assert cups._lpstat_job(text, "Office-2") is None
    assert cups.split_job_id("HP-LaserJet-M1005-42") == ("HP-LaserJet-M1005", 42)


def test_submit_problems_become_chinese_sentences(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(UserError, match="1 到 99"):
        cups.submit(pdf, "Office", 0, "x")
    monkeypatch.setenv("PATH", str(tmp_path))  # no lp on PATH
    with pytest.raises(UserError, match="没有 CUPS 打印命令"):
        cups.submit(pdf, "Office", 2, "x")
    monkeypatch.setattr(cups, "_has", lambda tool: True)

    def refused(stderr: str) -> Callable[..., subprocess.CompletedProcess[str]]:
        return lambda args, timeout=0: subprocess.CompletedProcess(args, 1, "", stderr)

    monkeypatch.setattr(cups, "scheduler_running", lambda: True)
    monkeypatch.setattr(cups, "_run", refused("lp: Error - The printer or class does not exist."))
    with pytest.raises(UserError, match="找不到打印机“Office”"):
        cups.submit(pdf, "Office", 2, "x")
    monkeypatch.setattr(cups, "_run", refused('lp: Destination "Office" is not accepting jobs.'))
    with pytest.raises(UserError, match="不接受打印任务"):
        cups.submit(pdf, "Office", 2, "x")
    monkeypatch.setattr(cups, "scheduler_running", lambda: False)
    with pytest.raises(UserError, match="打印服务（CUPS）没有运行"):
        cups.submit(pdf, "Office", 2, "x")


def test_record_printed_adds_copies_and_keeps_the_pdf_reference(
    services: Services, tmp_path: Path
) -> None:
    doc_id, _pdf = issued_record(services, tmp_path)
    printing = PrintService(services.ctx)
    printing.record_printed(doc_id, 2, "Office", "Office-3")
    printing.record_printed(doc_id, 1, "Office", None)
    count, events, ops = print_record(services, doc_id)
    assert count == 3
    assert [json.loads(e.payload)["copies"] for e in events] == [2, 1]
    pending = [o for o in ops if o.state == "pending"]
    assert len(pending) == 1  # the never-sent snapshot is replaced, not duplicated
    with services.ctx.store.read() as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
    assert json.loads(pending[0].payload)["print_count"] == 3
    assert doc.pdf_sha256 in json.loads(pending[0].blob_refs)
    with pytest.raises(UserError, match="找不到要记录打印份数的文书"):
        printing.record_printed("no-such-document", 1, "Office", None)
    assert verify(services.ctx).ok
