"""The case: an inspection → 询问笔录 of two pages → 罚告 with the hearing forced by the amount →
一般程序 处罚决定书 → 送达回执, listed in statutory order with its deadlines, and the 案卷 PDF whose
目录 gives the page each document starts on (checked against the PDF itself)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from inspector.domain.errors import UserError
from inspector.services.documents import SignerInput
from inspector.services.facade import Services
from inspector.store.models import Document
from tests.support.case_file import ANSWER, check_starts, squeezed, toc_starts
from tests.support.clock import FixedClock
from tests.support.documents import inspection_with_hazards, load_blocks, notice_draft


def signed_copy_photo() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (600, 800), (235, 235, 225)).save(buf, "JPEG")
    return buf.getvalue()


def whole_case(services: Services, clock: FixedClock, tmp_path: Path) -> dict[str, str]:
    """Issue the documents of one case; their ids by kind."""
    iid = inspection_with_hazards(services)
    for series in ("罚告", "罚", "回"):
        load_blocks(services, tmp_path, series)
    inquiry = services.documents.draft_from_inspection("inquiry_record", iid)
    inquiry.party = replace(inquiry.party, name="赵堃", gender="男", age="46")
    inquiry.fields.update(time_from="00:01", time_to="23:59")
    inquiry.rows = [{"q": r["q"], "a": "听清楚了。"} for r in inquiry.rows] + [
        {"q": f"第{n}个问题：除尘系统的泄爆装置是什么时候拆除的？", "a": ANSWER}
        for n in range(1, 15)
    ]
    ids = {"inquiry_record": services.documents.issue(inquiry).value.document_id}
    notice = services.documents.issue(notice_draft(services, iid, fine_yuan="30000")).value
    ids["penalty_notice"] = notice.document_id
    services.documents.record_paper_signing(
        notice.document_id,
        [SignerInput("officer", "李建国"), SignerInput("party", "陈喆")],
        signed_copy_photo(),
    )
    clock.advance(days=6)
    decision = services.documents.draft_from_document("penalty_decision", notice.document_id)
    decision.fields["hearing_outcome"] = "not_requested"
    ids["penalty_decision"] = services.documents.issue(decision).value.document_id
    receipt = services.documents.draft_from_document("service_receipt", ids["penalty_decision"])
    ids["service_receipt"] = services.documents.issue(receipt).value.document_id
    return ids


def test_the_case_lists_its_documents_in_order_with_their_deadlines(
    services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    ids = whole_case(services, clock, tmp_path)
    case = services.documents.case_of(ids["service_receipt"])  # any document finds its case
    assert [e.kind for e in case.entries] == [
        "inquiry_record",
        "penalty_notice",
        "penalty_decision",
        "service_receipt",
    ]
    notice = case.entries[1]
    assert notice.issued_on is not None
    assert [(d.label, d.due - notice.issued_on, d.passed) for d in notice.deadlines] == [
        ("陈述、申辩期限", timedelta(days=3), True),
        ("要求听证期限", timedelta(days=5), True),
    ]
    assert case.closed_on == case.entries[2].issued_on
    assert case.cause.endswith("安全出口被成品堆放堵塞案")


def test_the_case_file_pdf_starts_each_document_on_the_page_its_table_of_contents_gives(
    services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    ids = whole_case(services, clock, tmp_path)
    title, pdf, rows = services.documents.case_pdf(ids["penalty_notice"])
    assert title.startswith("案卷")
    pages = squeezed(pdf)
    assert "安全生产行政执法案卷" in pages[0] and "卷内文件：4件" in pages[0]
    assert "卷内文件目录" in pages[1]
    assert not any("草稿" in p for p in pages)  # the unnumbered 询问笔录 too is an issued copy
    # the 目录 as printed: one line per document, its 页号 read back from the PDF's text
    printed = toc_starts(pages, [(r.title, r.number) for r in rows])
    assert list(printed) == ["询问笔录", "行政处罚告知书", "行政处罚决定书", "文书送达回执"]
    starts = sorted(printed.values())
    check_starts(pages, printed)
    assert starts[1] - starts[0] >= 2  # the 询问笔录 runs to two pages
    # the 罚告's signed paper copy follows it, before the decision starts
    photo_page = pages[printed["行政处罚决定书"] - 2]
    assert "签字文书照片1" in photo_page and "行政处罚告知书" in photo_page
    assert len(pages) == printed["文书送达回执"]  # the receipt is the last page
    assert all(p.endswith(f"案卷第{n}页") for n, p in enumerate(pages, start=1))


def test_a_stored_pdf_that_does_not_match_its_hash_stops_the_case_file(
    services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    ids = whole_case(services, clock, tmp_path)
    with services.ctx.store.read() as s:
        doc = s.get(Document, ids["penalty_decision"])
        assert doc is not None and doc.pdf_sha256 is not None
        stored = services.ctx.blobs.path_for(doc.pdf_sha256)
    stored.write_bytes(stored.read_bytes() + b"%altered after issue\n")
    with pytest.raises(UserError, match="的PDF与签发时的校验值不符"):
        services.documents.case_pdf(ids["penalty_notice"])
