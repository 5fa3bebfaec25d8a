"""Issuing under the legal review: findings are facts, penalties as structured fields with the
hearing forced by rule, the 告知 of a 当场处罚, the unit's 法定代表人, a checked 身份证号, and the
wording of what is issued (in the PDF's text). Bad input is refused and changes nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import func, select

from inspector.documents.raster import page_texts
from inspector.domain.errors import UserError
from inspector.services.facade import Services
from inspector.services.inspections.recording import StartInspection
from inspector.store.models import Document, NumberUse, Unit
from tests.support.documents import (
    flat_text,
    inspection_with_blocks,
    inspection_with_hazards,
    issued_text,
    load_blocks,
    notice_draft,
    penalty_draft,
)
from tests.support.inspections import start


def _documents(services: Services, kind: str) -> int:
    with services.ctx.store.read() as s:
        return int(s.exec(select(func.count()).where(Document.kind == kind)).one())


def _numbers_used(services: Services) -> int:
    with services.ctx.store.read() as s:
        return int(s.exec(select(func.count()).select_from(NumberUse)).one())


def test_a_finding_that_reads_as_a_question_is_not_issued(
    services: Services, tmp_path: Path
) -> None:
    iid = start(services)
    view = services.inspections.view(iid)
    items = view.checklists[0].items
    # the inspector wrote the checklist's question as the note (a finding still to be completed)
    services.inspections.set_item(iid, items[0].id, "fail", items[0].content)
    services.inspections.set_item(iid, items[1].id, "fail", "打磨工位积尘约5厘米，未清扫")
    services.inspections.finish(iid, "检查发现两处问题。")
    load_blocks(services, tmp_path, "责改")
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    question = draft.items[0].text
    assert "是否" in question
    found = services.documents.problems(draft)
    assert any(
        p.startswith("第1项“")
        and "写的是检查内容，不是发现的事实：请写明发现的问题（部位、现象、数量）。" in p
        for p in found
    ), found
    assert not any(p.startswith("第2项“") for p in found)
    used = _numbers_used(services)
    with pytest.raises(UserError, match="写的是检查内容"):
        services.documents.issue(draft)
    assert _documents(services, "rectification_order") == 0 and _numbers_used(services) == used
    # the inspector writes what was found, in the form; then it issues, and no 是否 is printed
    draft.items[0].text = "一号车间粉尘清理制度未落实，地面积尘约3毫米"
    issued = services.documents.issue(draft).value
    text = issued_text(services, issued)
    assert "一号车间粉尘清理制度未落实" in text and "是否" not in text


def test_a_wrong_id_number_is_refused_and_changes_nothing(
    services: Services, tmp_path: Path
) -> None:
    iid = inspection_with_blocks(services, tmp_path, "罚当")
    person = penalty_draft(services, iid, "onsite_penalty_person", "200")
    person.party = replace(person.party, id_no="360733198001011234")
    found = services.documents.problems(person)
    assert "身份证号 360733198001011234 的校验位应为 2，请核对。" in found
    used = _numbers_used(services)
    with pytest.raises(UserError, match="校验位应为 2"):
        services.documents.issue(person)
    assert _documents(services, "onsite_penalty_person") == 0 and _numbers_used(services) == used
    person.party = replace(person.party, id_no="360733198002301234")
    assert any("出生日期 19800230 不是有效日期" in p for p in services.documents.problems(person))
    person.party = replace(person.party, id_no="360733800101123")
    assert any("15位的旧号码" in p for p in services.documents.problems(person))
    person.party = replace(person.party, id_no="360733198001011232")
    assert services.documents.problems(person) == []
    issued = services.documents.issue(person).value
    assert "360733198001011232" in issued_text(services, issued)


def test_the_hearing_paragraph_is_forced_by_the_amount_not_a_tick_box(
    services: Services, tmp_path: Path
) -> None:
    iid = inspection_with_blocks(services, tmp_path, "罚告")
    nothing = notice_draft(services, iid)
    assert "请选择拟作出的行政处罚（警告、罚款、没收违法所得或其他处罚种类）。" in (
        services.documents.problems(nothing)
    )
    small = flat_text(services.documents.preview(notice_draft(services, iid, fine_yuan="3000")))
    assert "拟对你单位作出罚款人民币3000元的行政处罚" in small and "举行听证" not in small
    large = notice_draft(services, iid, fine_yuan="30000", hearing="")  # the box left unticked
    assert services.documents.problems(large) == []
    issued = services.documents.issue(large).value
    text = issued_text(services, issued)
    assert (
        "根据《中华人民共和国行政处罚法》第六十三条第一款第（一）项、第六十四条的规定，"
        "你单位有权要求举行听证" in text
    )
    # a §63 measure forces it without any fine; a person is 你 and is offered it above ¥200
    closing = flat_text(services.documents.preview(notice_draft(services, iid, m_close="yes")))
    assert (
        "拟对你单位作出责令关闭的行政处罚" in closing
        and "第六十三条第一款第（四）项、第六十四条" in closing
    )
    person = notice_draft(services, iid, fine_yuan="500", party_type="person")
    person.party = type(person.party)(name="赵赟", address="城关镇解放路22号")
    text = flat_text(services.documents.preview(person))
    assert "拟对你作出罚款人民币500元" in text and "你有权要求举行听证" in text
    assert text.count("赵赟") == 2  # addressed to and signing for herself, no 负责人
    assert "你（单位）" not in text


def test_the_onsite_penalty_records_the_notice_and_the_answer(
    services: Services, tmp_path: Path
) -> None:
    iid = inspection_with_blocks(services, tmp_path, "罚当")
    draft = penalty_draft(services, iid, "onsite_penalty_unit", "2000")
    draft.fields.update(told="", statement_outcome="rejected", statement="")
    found = services.documents.problems(draft)
    assert any("告知后请勾选“已当场告知”" in p for p in found)
    assert "当事人提出了陈述、申辩的，请写明其陈述、申辩的内容。" in found
    draft.fields.update(told="yes", statement="杂物系临时堆放，已安排清理")
    issued = services.documents.issue(draft).value
    text = issued_text(services, issued)
    assert "已当场告知当事人处罚的事实、理由、依据及其陈述、申辩的权利" in text
    assert "当事人陈述、申辩：杂物系临时堆放，已安排清理。经复核，不予采纳。" in text


def test_penalty_kinds_take_the_units_legal_representative(services: Services) -> None:
    iid = start(services)  # received by 王喆, the unit's safety officer, not its legal rep
    services.inspections.finish(iid, "未发现问题。")
    with services.ctx.store.read() as s:
        unit = s.get(Unit, services.inspections.view(iid).unit_id)
        assert unit is not None and unit.legal_rep and unit.legal_rep != "王喆"
        legal_rep = unit.legal_rep
    for kind in ("onsite_penalty_unit", "penalty_notice"):
        draft = services.documents.draft_from_inspection(kind, iid)
        assert draft.party.legal_rep == legal_rep, kind
        assert [x.name for x in draft.signers if x.role == "party"] == [legal_rep]
    assert services.documents.draft_from_inspection("rectification_order", iid).party.legal_rep == (
        "王喆"
    )


def test_suspension_only_for_a_major_hazard(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_hazards(services)  # item 2 is graded 重大
    draft = services.documents.draft_from_inspection("onsite_measures", iid)
    draft.fields["measures"] = "打磨车间暂时停产停业"
    draft.fields["suspend_until"] = (services.ctx.clock.today().replace(day=1)).isoformat()
    draft.items[1].include = False
    draft.items[1].exclude_reason = "另案处理"
    assert any(
        "暂时停产停业、停止使用设施设备只能针对重大事故隐患" in p
        for p in services.documents.problems(draft)
    )
    draft.items[1].include = True
    assert not any("只能针对重大事故隐患" in p for p in services.documents.problems(draft))


def test_seizure_needs_and_prints_the_partys_address(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_hazards(services)
    draft = services.documents.draft_from_inspection("seizure", iid)
    draft.rows = [{"name": "砂光机", "quantity": "2台", "place": "打磨车间"}]
    draft.fields["period_end"] = services.ctx.clock.today().isoformat()
    address = draft.party.address
    assert address
    assert f"（地址：{address}）：" in flat_text(services.documents.preview(draft))
    draft.party = type(draft.party)(**{**draft.party.__dict__, "address": ""})
    assert any("须载明当事人的地址" in p for p in services.documents.problems(draft))


def test_the_evidence_notice_says_where_the_goods_are(services: Services) -> None:
    iid = inspection_with_hazards(services)
    draft = services.documents.draft_from_inspection("evidence_notice", iid)
    draft.fields.update(suspected="未经许可经营危险化学品", keep_mode="agency")
    draft.rows = [{"name": "工业酒精", "quantity": "12桶"}]
    text = flat_text(services.documents.preview(draft))
    assert "存放于本机关证据保存室，由本机关保管" in text and "不得销毁或者转移" not in text
    draft.fields["keep_mode"] = "onsite"
    assert any("请填写物品保存地点" in p for p in services.documents.problems(draft))
    draft.fields["keep_place"] = "当事人二号仓库"
    text = flat_text(services.documents.preview(draft))
    assert "由你单位保管。在此期间，你单位不得销毁或者转移上述物品" in text


def test_the_preview_is_marked_draft_on_every_page_the_issued_copy_is_not(
    services: Services, tmp_path: Path
) -> None:
    iid = inspection_with_blocks(services, tmp_path, "责改")
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    for n in range(30):
        draft.items.append(
            type(draft.items[0])(
                text=f"第{n + 3}处配电箱前堆放杂物", deadline=draft.items[0].deadline
            )
        )
    pages = page_texts(services.documents.preview(draft))
    assert len(pages) >= 2
    # the mark is drawn across the page: text extraction may put it between two lines
    assert all("草稿" in p and "（未签发）" in p for p in pages)
    issued = services.documents.issue(draft).value
    assert "草稿" not in issued_text(services, issued)


def test_the_site_record_prints_the_representatives_title(services: Services) -> None:
    people = [p for p in services.inspections.people() if p.role == "inspector"]
    unit = services.units.search("", limit=1)[0]
    with services.ctx.store.read() as s:
        stored = s.get(Unit, unit.id)
        assert stored is not None
        legal_rep = stored.legal_rep
    checklists = {c.code: c.id for c in services.inspections.checklists()}
    iid = services.inspections.start(
        StartInspection(
            unit_id=unit.id,
            inspector_ids=[p.id for p in people[:2]],
            checklist_ids=[checklists["gm-dust"]],
            place="一号车间",
            representative=legal_rep,
            representative_title="总经理",
        )
    ).value
    services.inspections.finish(iid, "未发现问题。")
    record = services.records.render_site_record(iid).value
    text = flat_text(services.records.pdf(record.pdf_sha256))
    assert f"{legal_rep}职务总经理" in text
    assert "草稿" in text and "（未签发）" in text  # not yet numbered: a draft
