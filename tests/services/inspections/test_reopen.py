"""完成检查's summary and the audited reopen of a finished inspection, on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.domain.errors import UserError
from inspector.services.audit.verify import verify
from inspector.services.facade import Services
from inspector.services.inspections.reopen import finish_summary, reopen
from inspector.store.models import AuditEvent, Outbox
from tests.support.inspections import start
from tests.support.number_blocks import block, block_file


def test_the_summary_names_what_is_unchecked(services: Services) -> None:
    iid = start(services)
    items = services.inspections.view(iid).checklists[0].items
    services.inspections.set_item(iid, items[0].id, "pass")
    services.inspections.set_item(iid, items[1].id, "fail", "配电箱未上锁")
    summary = finish_summary(services.inspections.view(iid))
    left = len(items) - 2
    assert summary.total == len(items) and len(summary.unchecked) == left
    assert summary.text().startswith(f"{len(items)} 项中 {left} 项未检查：第{items[2].seq}项")
    assert "发现隐患 1 处" in summary.text()


def test_reopen_without_a_document_is_audited_queued_and_verifies(services: Services) -> None:
    iid = start(services)
    items = services.inspections.view(iid).checklists[0].items
    services.inspections.set_item(iid, items[0].id, "fail", "配电箱未上锁")
    services.inspections.finish(iid, "现场检查发现一项问题。")
    with pytest.raises(UserError, match="理由"):
        reopen(services.inspections, iid, "  ")
    reopen(services.inspections, iid, "误点完成，第2项尚未检查")
    view = services.inspections.view(iid)
    assert not view.finished and view.ended_at is None
    services.inspections.set_item(iid, items[1].id, "pass")  # editable again
    # the finding already registered in the loop cannot be quietly marked 符合
    with pytest.raises(UserError, match="整改闭环"):
        services.inspections.set_item(iid, items[0].id, "pass")
    with services.ctx.store.read() as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.kind == "inspection.reopened")).one()
        [op] = s.exec(
            select(Outbox).where(Outbox.entity == "inspection", Outbox.entity_id == iid)
        ).all()
    assert "误点完成" in event.payload
    payload = json.loads(op.payload)
    assert payload["status"] == "in_progress"
    assert json.loads(payload["reopenings"])[0]["reason"] == "误点完成，第2项尚未检查"
    services.inspections.finish(iid, "现场检查发现一项问题。")
    assert services.inspections.view(iid).finished
    report = verify(services.ctx)
    assert report.ok, report.problems


def test_reopen_is_refused_once_a_document_is_issued(services: Services, tmp_path: Path) -> None:
    services.numbering.load_block_file(block_file(tmp_path, block(services, 1, 20)))
    iid = start(services)
    with pytest.raises(UserError, match="尚未完成"):
        reopen(services.inspections, iid, "想改")
    services.inspections.finish(iid, "检查未发现问题。")
    rec = services.records.issue_site_record(iid).value
    with pytest.raises(UserError, match=r"已签发文书（.*不能重新打开"):
        reopen(services.inspections, iid, "想改")
    assert services.inspections.view(iid).finished
    assert rec.number
    assert verify(services.ctx).ok
