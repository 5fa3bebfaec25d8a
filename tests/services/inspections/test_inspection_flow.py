"""Recording an inspection through the services, on a real SQLite file."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.domain.errors import UserError
from inspector.services.audit.verify import verify
from inspector.services.facade import Services
from inspector.services.inspections.recording import HazardInput, StartInspection
from inspector.services.setting_rows import CLOCK_OFFSET, set_setting
from inspector.store.models import AuditEvent, Outbox
from tests.support.clock import FixedClock
from tests.support.inspections import start


def outbox(services: Services) -> list[Outbox]:
    with services.ctx.store.read() as s:
        return list(s.exec(select(Outbox)))


def test_one_inspector_is_refused(services: Services) -> None:
    with pytest.raises(UserError, match="两名以上"):
        start(services, n_inspectors=1)
    assert outbox(services) == []


def test_fail_drafts_a_hazard_carrying_the_items_basis(
    services: Services, clock: FixedClock
) -> None:
    iid = start(services)
    view = services.inspections.view(iid)
    item = next(it for it in view.checklists[0].items if it.major)
    services.inspections.set_item(iid, item.id, "fail", "除尘器灰斗积尘约5厘米")
    view = services.inspections.view(iid)
    [hazard] = view.hazards
    assert hazard.grade == "major"
    # the basis is the law the order rests on; the 判定 sentence is on the problem line
    assert (
        hazard.legal_basis
        == item.legal_basis
        == ("《中华人民共和国安全生产法》第四十九条第二款、第一百零三条第二款")
    )
    assert "判定" not in hazard.legal_basis
    assert hazard.measure == item.measure
    assert hazard.description == (
        "除尘器灰斗积尘约5厘米，属《工贸企业重大事故隐患判定标准》第三条第（一）项规定的重大事故隐患"
    )
    assert hazard.deadline is not None and hazard.deadline >= clock.today()
    # un-marking withdraws the drafted hazard; marking again brings the same one back
    services.inspections.set_item(iid, item.id, "pass")
    assert services.inspections.view(iid).hazards == []
    services.inspections.set_item(iid, item.id, "fail")
    assert [h.id for h in services.inspections.view(iid).hazards] == [hazard.id]


def test_a_failed_item_drafts_its_finding_not_its_question(services: Services) -> None:
    iid = start(services)
    items = services.inspections.view(iid).checklists[0].items
    general = next(it for it in items if not it.major)
    dust = next(it for it in items if it.major and "积尘" in it.content)
    services.inspections.set_item(iid, general.id, "fail")
    services.inspections.set_item(iid, dust.id, "fail")
    by_item = {h.item_id: h for h in services.inspections.view(iid).hazards}
    assert general.authority == "应急"
    assert by_item[general.id].description == general.finding
    assert by_item[dust.id].description == (
        "未落实粉尘清理制度，作业现场积尘严重（积尘部位及厚度：＿＿），"
        "属《工贸企业重大事故隐患判定标准》第十一条第（十）项规定的重大事故隐患"
    )
    for hazard in by_item.values():
        assert "是否" not in hazard.description and "检查发现不符合" not in hazard.description


def test_every_change_is_queued_once_and_audited(services: Services) -> None:
    iid = start(services)
    items = services.inspections.view(iid).checklists[0].items
    for it in items[:3]:
        services.inspections.set_item(iid, it.id, "pass")
    services.inspections.set_item(iid, items[0].id, "na")  # second edit of a queued, unsent op
    entries = outbox(services)
    kinds = sorted(e.entity for e in entries)
    assert kinds == ["inspection", "item_result", "item_result", "item_result"]
    first = next(e for e in entries if json.loads(e.payload).get("item_id") == items[0].id)
    assert json.loads(first.payload)["result"] == "na"
    with services.ctx.store.read() as s:
        assert len(list(s.exec(select(AuditEvent)))) == 5
    assert verify(services.ctx).ok


def test_ad_hoc_hazard_and_bad_input(services: Services, clock: FixedClock) -> None:
    iid = start(services)
    with pytest.raises(UserError, match="请填写隐患描述"):
        services.inspections.add_hazard(iid, HazardInput(description="  "))
    with pytest.raises(UserError, match="不能早于今天"):
        services.inspections.add_hazard(
            iid, HazardInput(description="消防通道堵塞", deadline=clock.today() - timedelta(days=1))
        )
    with pytest.raises(UserError, match="无法打印"):
        services.inspections.add_hazard(iid, HazardInput(description="通道堵塞🔥"))
    with pytest.raises(UserError, match="过长"):
        services.inspections.add_hazard(iid, HazardInput(description="堵" * 5000))
    assert services.inspections.view(iid).hazards == []
    hid = services.inspections.add_hazard(
        iid, HazardInput(description="消防通道堵塞", location="仓库")
    ).value
    assert [h.id for h in services.inspections.view(iid).hazards] == [hid]


def test_finish_fixes_the_record(services: Services, clock: FixedClock) -> None:
    iid = start(services)
    item = services.inspections.view(iid).checklists[0].items[0]
    services.inspections.set_item(iid, item.id, "fail")
    # a deadline that has passed by the time the inspection is finished is refused
    clock.advance(days=60)
    with pytest.raises(UserError, match="已过"):
        services.inspections.finish(iid, "现场检查发现一项问题")
    clock.advance(days=-60)
    services.inspections.finish(iid, "现场检查发现一项问题")
    view = services.inspections.view(iid)
    assert view.finished and view.hazards[0].status == "pending"
    with pytest.raises(UserError, match="已完成"):
        services.inspections.set_item(iid, item.id, "pass")
    summary = services.overview.home_summary()
    assert summary.open_hazards == 1


def test_verify_reports_a_tampered_audit_event(services: Services) -> None:
    iid = start(services)
    with services.ctx.store.write() as s:
        event = s.exec(select(AuditEvent)).first()
        assert event is not None
        event.payload = event.payload.replace("一号车间", "二号车间")
        s.add(event)
    report = verify(services.ctx)
    assert not report.ok
    assert any(p.startswith("审计事件 #1（") and "改动" in p for p in report.problems)
    assert iid


def test_note_written_after_marking_fail_reaches_the_drafted_hazard(services: Services) -> None:
    iid = start(services)
    item = services.inspections.view(iid).checklists[0].items[0]
    services.inspections.set_item(iid, item.id, "fail")
    services.inspections.set_note(iid, item.id, "配电箱门损坏")
    view = services.inspections.view(iid)
    assert view.hazards[0].description == "配电箱门损坏"
    assert {it.id: it.result for it in view.checklists[0].items}[item.id] == "fail"
    # a description the inspector edited by hand is not overwritten by a later note
    from inspector.services.inspections.recording import HazardInput

    h = view.hazards[0]
    services.inspections.update_hazard(
        h.id, HazardInput(description="配电箱门损坏，带电部位外露", deadline=h.deadline)
    )
    services.inspections.set_note(iid, item.id, "另一条说明")
    assert services.inspections.view(iid).hazards[0].description == "配电箱门损坏，带电部位外露"


def test_note_edits_are_in_the_audit_chain(services: Services) -> None:
    iid = start(services)
    item = services.inspections.view(iid).checklists[0].items[0]
    services.inspections.set_note(iid, item.id, "灭火器过期")
    with services.ctx.store.read() as s:
        events = [e for e in s.exec(select(AuditEvent)) if e.kind == "item.noted"]
    assert len(events) == 1 and "灭火器过期" in events[0].payload


def test_an_item_of_a_checklist_not_on_the_inspection_is_refused(services: Services) -> None:
    iid = start(services)  # uses gm-dust only
    other = {c.code: c.id for c in services.inspections.checklists()}["crowded-fire"]
    with services.ctx.store.read() as s:
        from inspector.store.models import ChecklistItem

        foreign = s.exec(select(ChecklistItem).where(ChecklistItem.checklist_id == other)).first()
    assert foreign is not None
    with pytest.raises(UserError, match="不属于本次检查"):
        services.inspections.set_item(iid, foreign.id, "fail")
    assert services.inspections.view(iid).hazards == []


def test_withdrawn_hazard_cannot_be_edited_or_get_photos(
    services: Services, photo_file: Path
) -> None:
    iid = start(services)
    item = services.inspections.view(iid).checklists[0].items[0]
    services.inspections.set_item(iid, item.id, "fail")
    hid = services.inspections.view(iid).hazards[0].id
    services.inspections.set_item(iid, item.id, "pass")
    with pytest.raises(UserError, match="已撤销"):
        services.inspections.update_hazard(hid, HazardInput(description="x"))
    with pytest.raises(UserError, match="已撤销"):
        services.photos.add_file(iid, photo_file, "x", hid)


def test_kind_and_unit_fields_are_validated(services: Services) -> None:
    from inspector.services.units.directory import NewUnit

    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    unit = services.units.search("", limit=1)[0]
    with pytest.raises(UserError, match="检查类型"):
        services.inspections.start(StartInspection(unit.id, people, [], kind="😀" * 500))
    with pytest.raises(UserError, match="无法打印"):
        services.units.add(NewUnit(name="某店", contact_name="😀" * 10))
    with pytest.raises(UserError, match="监管分级"):
        services.units.add(NewUnit(name="某店", supervision_level="Z"))


@pytest.mark.parametrize("offset", ["-0.0", "-0.0004", "0.25", "-120.5"])
def test_audit_chain_verifies_whatever_clock_offset_sync_measured(
    services: Services, offset: str
) -> None:
    """Found by the sync fault campaign: an offset of -0.0 was hashed as "-0.0" but SQLite gives
    an integral REAL back as 0.0, so verify reported the event as tampered."""
    with services.ctx.store.write() as s:
        set_setting(s, CLOCK_OFFSET, offset)
    start(services)
    report = verify(services.ctx)
    assert report.ok, report.problems
