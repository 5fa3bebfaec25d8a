"""A document issued offline and changed again before it reaches the server (voided, printed)
still reaches it whole: the record, its PDF and the later change; and a record the server keeps
sending back is named by the sync, not hidden behind "同步完成"."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from inspector.store.models import Outbox, Photo
from sync.server.blobs import read_blob
from sync.server.db import Record
from tests.support.documents import issue_from_inspection, load_blocks
from tests.support.number_blocks import set_agency
from tests.support.sync_devices import Server
from tests.support.sync_steps import online_device, record_at_first_unit


def server_document(server: Server, doc_id: str) -> dict[str, Any]:
    with Session(server.engine) as s:
        row = s.get(Record, ("document", doc_id))
        assert row is not None, "the server does not hold the document"
        return dict(row.data)


def test_issue_offline_void_then_sync_delivers_document_pdf_and_void(
    tmp_path: Path, server: Server, make_device: Any
) -> None:
    dev = online_device(make_device, "device-v")
    iid, _hid, _pid = record_at_first_unit(dev, tmp_path, "v.jpg", (30, 140, 70))
    load_blocks(dev.services, tmp_path, "检记")
    load_blocks(dev.services, tmp_path, "责改")
    # the rights notice's bodies, as an admin sets them
    set_agency(dev.services, review_government="柴桑区人民政府", court="柴桑区人民法院")
    # offline: a 现场检查记录 and a 责令限期整改指令书, both issued, printed and then voided
    record = dev.services.records.issue_site_record(iid).value
    order = issue_from_inspection(dev.services, "rectification_order", iid)
    dev.services.printing.record_printed(order.document_id, 2, "InspectorPDF", "7")
    dev.services.documents.void(record.document_id, "单位名称写错，重新制作")
    dev.services.documents.void(order.document_id, "整改期限写错，重新下达")

    report = dev.sync.run()
    assert report.ok, report.error
    assert not report.rejected and not report.waiting and report.retry == 0

    with dev.services.ctx.store.read() as s:
        assert s.exec(select(Outbox).where(Outbox.state != "done")).all() == []
    for issued, reason in (
        (record, "单位名称写错，重新制作"),
        (order, "整改期限写错，重新下达"),
    ):
        data = server_document(server, issued.document_id)
        assert data["status"] == "voided" and data["void_reason"] == reason
        assert data["number"] == issued.number
        assert data["pdf_sha256"] == issued.pdf_sha256
        pdf = read_blob(server.engine, server.blob_dir, issued.pdf_sha256)
        assert pdf is not None, f"the server lacks the PDF of {issued.number}"
        assert hashlib.sha256(pdf).hexdigest() == issued.pdf_sha256
        assert pdf == dev.services.ctx.blobs.read(issued.pdf_sha256)
    assert server_document(server, order.document_id)["print_count"] == 2


def test_a_record_the_server_keeps_sending_back_is_named_not_reported_as_done(
    tmp_path: Path, server: Server, make_device: Any
) -> None:
    dev = online_device(make_device, "device-w")
    _iid, _hid, pid = record_at_first_unit(dev, tmp_path, "w.jpg", (200, 20, 20))
    with dev.services.ctx.store.read() as s:
        photo = s.get(Photo, pid)
        assert photo is not None
        lost = dev.services.ctx.blobs.path_for(photo.original_sha256)
    lost.unlink()  # the original's file is gone from this device: the photo cannot go up

    report = dev.sync.run()
    assert report.ok, report.error  # the server was reached and answered
    assert report.retry == 1
    [waiting] = report.waiting
    assert waiting.entity == "photo" and waiting.entity_id == pid
    assert "附件尚未完整上传" in waiting.reason
    assert "照片" in waiting.label
    assert not report.complete
    assert "仍待同步" in report.summary() and "照片" in report.summary()
    with Session(server.engine) as s:
        assert s.get(Record, ("photo", pid)) is None
