"""Drafting, checking and issuing enforcement documents; the hazard loop through 复查 to 销号;
void and correction; the register; verify naming the exact tampered item."""

from __future__ import annotations

import io
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from sqlmodel import select

from inspector.domain.errors import UserError
from inspector.services.audit.verify import verify
from inspector.services.facade import Services
from inspector.store.models import AuditEvent, Document, Hazard, HazardEvent, Signature
from tests.support.clock import FixedClock
from tests.support.documents import (
    flat_text,
    inspection_with_blocks,
    inspection_with_hazards,
    issue_from_inspection,
    issue_measures,
    issued_text,
    kind_choices,
    load_blocks,
    penalty_draft,
)
from tests.support.number_blocks import set_agency


def hazards(services: Services, iid: str) -> list[Hazard]:
    with services.ctx.store.read() as s:
        return list(
            s.exec(select(Hazard).where(Hazard.inspection_id == iid).order_by(Hazard.created_at))
        )


def test_order_drafted_from_the_record_issued_and_hazards_put_under_deadline(
    services: Services, tmp_path: Path
) -> None:
    iid = inspection_with_hazards(services)
    load_blocks(services, tmp_path, "责改", 11, 20)
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    assert [i.text for i in draft.items] == ["配电箱前堆放杂物", "除尘系统未设泄爆装置"]
    assert len(draft.officers) == 2 and all(o.cert_no for o in draft.officers)
    assert services.documents.problems(draft) == []
    issued = services.documents.issue(draft).value
    year = services.ctx.clock.today().year
    assert issued.number == f"（岚）应急责改\u3014{year}\u301511号"
    text = issued_text(services, issued)
    assert (
        "1.配电箱前堆放杂物" in text
        and "上述第2项问题，依据《工贸行业重大事故隐患判定标准》第十二条" in text
    )
    assert [h.status for h in hazards(services, iid)] == ["rectifying", "rectifying"]
    assert verify(services.ctx).ok


def test_rules_a_reviewer_checks_before_issue(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_blocks(services, tmp_path, "责改")
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    draft.items[0].deadline = services.ctx.clock.today() - timedelta(days=1)
    draft.items[1].include = False
    draft.officers = draft.officers[:1]
    found = services.documents.problems(draft)
    assert any("至少两名持有执法证的执法人员" in p for p in found)
    assert any("第1项（配电箱前堆放杂物）的整改期限" in p and "不在今天之后" in p for p in found)
    assert any("第2项（除尘系统未设泄爆装置）未列入本文书，请写明不列入的理由" in p for p in found)
    with pytest.raises(UserError, match="还不能签发"):
        services.documents.issue(draft)
    with services.ctx.store.read() as s:
        assert (
            s.exec(select(Document).where(Document.kind == "rectification_order")).first() is None
        )
    # excluded with a reason is fine
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    draft.items[1].include = False
    draft.items[1].exclude_reason = "已当场整改完毕"
    assert services.documents.problems(draft) == []


def test_without_delegated_power_only_the_township_notice(
    services: Services, tmp_path: Path
) -> None:
    iid = inspection_with_hazards(services)
    set_agency(services, has_enforcement_power=False)
    choices = kind_choices(services, iid)
    assert choices["hazard_notice"].enabled
    assert not choices["rectification_order"].enabled and choices["rectification_order"].why_not
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    assert any("只能出具《安全隐患整改通知书》" in p for p in services.documents.problems(draft))
    load_blocks(services, tmp_path, "隐改")
    notice = issue_from_inspection(services, "hazard_notice", iid)
    assert "安隐改" in notice.number


def _png() -> bytes:
    img = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(10, 80), (150, 10), (290, 90)], fill="black", width=8)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_electronic_document_needs_its_signatures(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_blocks(services, tmp_path, "责改")
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    draft.signing = "electronic"
    found = services.documents.problems(draft)
    assert any("电子签名文书缺少执法人员签名" in p for p in found)
    assert any("缺少当事人（被检查单位负责人）的签名或拒签记录" in p for p in found)
    with pytest.raises(UserError, match="电子签名文书缺少"):
        services.documents.issue(draft)
    for signer in draft.signers:
        if signer.role == "officer":
            signer.image_png = _png()
    party = next(x for x in draft.signers if x.role == "party")
    party.refused = True
    party.refusal_reason = "称需请示董事长"
    assert any(
        "请记录拒签理由，并请见证人签名" in p and "将拒绝签字的情况记录在案" in p
        for p in services.documents.problems(draft)
    )
    party.witness = "园区管委会 吴敏"
    issued = services.documents.issue(draft).value
    pdf = services.ctx.blobs.read(issued.pdf_sha256)
    assert b"/Subtype /Image" in pdf
    assert "拒绝签名，理由：称需请示董事长；见证人：园区管委会吴敏" in flat_text(pdf)
    with services.ctx.store.read() as s:
        sigs = s.exec(select(Signature).where(Signature.document_id == issued.document_id)).all()
    assert sorted(x.method for x in sigs) == ["electronic", "electronic", "refused"]
    assert all(services.ctx.blobs.verify(x.image_sha256) is None for x in sigs if x.image_sha256)


def test_electronic_signing_only_where_the_agency_allows_it(services: Services) -> None:
    iid = inspection_with_hazards(services)
    set_agency(services, electronic_signing=False)
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    draft.signing = "electronic"
    assert "本机关未启用电子签名，请打印后手写签名。" in services.documents.problems(draft)


def test_onsite_fines_above_the_simple_procedure_limit_are_refused(
    services: Services, tmp_path: Path
) -> None:
    iid = inspection_with_blocks(services, tmp_path, "罚当")
    unit = penalty_draft(services, iid, "onsite_penalty_unit", "3500")
    assert any(
        "不能超过 3000 元" in p and "本次为 3500 元" in p for p in services.documents.problems(unit)
    )
    person = penalty_draft(services, iid, "onsite_penalty_person", "300")
    assert any("公民的罚款不能超过 200 元" in p for p in services.documents.problems(person))
    person.fields["fine_yuan"] = "200"
    person.fields["payment"] = "onsite"
    assert any("只有在事后难以执行时才能当场收缴" in p for p in services.documents.problems(person))
    person.fields["payment"] = "bank"
    assert services.documents.problems(person) == []
    issued = services.documents.issue(person).value
    text = issued_text(services, issued)
    assert "决定给予罚款人民币200元的行政处罚" in text and "☑自收到本决定书之日起15日内" in text
    assert "赵赟" in text


def test_exhausted_block_is_refused_with_a_message(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_hazards(services)
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    with pytest.raises(UserError, match="文号已用完（或尚未领取号段）"):
        services.documents.issue(draft)
    load_blocks(services, tmp_path, "责改", 1, 1)
    first = services.documents.issue(draft).value
    assert first.low_warning and "只剩 0 个" in first.low_warning
    # the same order twice from one inspection is refused as such, before any number is taken
    with pytest.raises(UserError, match="同一文书不能重复签发"):
        services.documents.issue(draft)
    other = inspection_with_hazards(services)
    with pytest.raises(UserError, match="本机不会自行编号"):
        services.documents.issue(
            services.documents.draft_from_inspection("rectification_order", other)
        )


def test_review_needs_an_order_and_closes_or_reorders_each_hazard(
    services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    iid = inspection_with_blocks(services, tmp_path, "责改", "复查", "检记")
    # a 复查意见书 for a document that is not an order is refused
    record = services.records.issue_site_record(iid).value
    not_order = services.documents.draft_from_document("review_opinion", record.document_id)
    assert any(
        "须针对本单位责令限期整改指令书" in p for p in services.documents.problems(not_order)
    )

    order = issue_from_inspection(services, "rectification_order", iid)
    first, second = hazards(services, iid)
    services.hazard_loop.supervise(second.id)
    clock.advance(days=20)  # past both deadlines
    summary = services.overview.home_summary()
    assert summary.overdue == 2
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    review_iid = services.documents.start_review(order.document_id, people).value
    draft = services.documents.draft_from_document("review_opinion", order.document_id)
    assert draft.inspection_id == review_iid
    assert [i.text for i in draft.items] == ["配电箱前堆放杂物", "除尘系统未设泄爆装置"]
    assert any("请选择复查结果" in p for p in services.documents.problems(draft))
    draft.items[0].verdict = "ok"
    draft.items[1].verdict = "failed"
    draft.items[1].note = "泄爆片未安装"
    assert any("未整改，请给出新的整改期限" in p for p in services.documents.problems(draft))
    draft.items[1].deadline = clock.today() + timedelta(days=10)
    issued = services.documents.issue(draft).value
    text = issued_text(services, issued)
    assert f"作出了{order.number}《责令限期整改指令书》" in text
    first, second = hazards(services, iid)
    assert first.status == "closed"  # 复查合格 → 销号
    assert second.status == "rectifying" and second.deadline == clock.today() + timedelta(days=10)
    with services.ctx.store.read() as s:
        steps = [
            e.kind
            for e in s.exec(
                select(HazardEvent)
                .where(HazardEvent.hazard_id == first.id)
                .order_by(HazardEvent.at)
            )
        ]
    assert steps == ["registered", "ordered", "review_passed", "closed"]
    with pytest.raises(UserError, match="须经复查合格后才能销号"):
        services.hazard_loop.close(second.id)
    with services.ctx.store.read() as s:
        kinds = [e.kind for e in s.exec(select(AuditEvent))]
    assert kinds.count("hazard.closed") == 1 and "hazard.supervised" in kinds


def test_void_and_correction_name_each_other(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_blocks(services, tmp_path, "责改")
    old = issue_from_inspection(services, "rectification_order", iid)
    with pytest.raises(UserError, match="请先作废原文书"):
        services.documents.draft_correction(old.document_id)
    with pytest.raises(UserError, match="作废理由"):
        services.documents.void(old.document_id, "")
    services.documents.void(old.document_id, "单位名称写错")
    assert {h.status for h in hazards(services, iid)} == {"pending"}
    draft = services.documents.draft_correction(old.document_id)
    draft.party = type(draft.party)(
        **{**draft.party.__dict__, "name": "青岚县更正后单位名称有限公司"}
    )
    new = services.documents.issue(draft).value
    assert new.number != old.number
    assert f"本文书更正并替代已作废的{old.number}" in issued_text(services, new)
    rows = {r.number: r for r in services.documents.register()}
    assert (
        rows[old.number].status_label == "已作废" and rows[old.number].void_reason == "单位名称写错"
    )
    assert rows[new.number].supersedes == old.number
    with pytest.raises(UserError, match="只有已签发的文书才能作废"):
        services.documents.void(old.document_id, "再次作废试试")
    assert verify(services.ctx).ok


def test_register_exports_to_xlsx(services: Services, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    iid = inspection_with_blocks(services, tmp_path, "责改", "现决")
    issue_from_inspection(services, "rectification_order", iid)
    issue_measures(services, iid)
    path = services.documents.export_register(tmp_path / "台账.xlsx", services.documents.register())
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "单位", "文书种类", "文号", "签发日期")
    numbers = {r[3] for r in rows[1:]}
    assert numbers == {r.number for r in services.documents.register()}
    # a destination that cannot be written (the tests run as root, so no chmod: a file as folder)
    blocker = tmp_path / "U盘"
    blocker.write_text("not a folder")
    with pytest.raises(UserError, match="无法保存到"):
        services.documents.export_register(blocker / "台账.xlsx", services.documents.register())


def test_verify_names_the_tampered_document_and_event(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_blocks(services, tmp_path, "责改")
    issued = issue_from_inspection(services, "rectification_order", iid)
    assert verify(services.ctx).ok
    # 1. the PDF file changed on disk
    path = services.ctx.blobs.path_for(issued.pdf_sha256)
    path.chmod(0o600)
    path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOF\n% edited"))
    report = verify(services.ctx)
    assert any(f"文书《责令限期整改指令书》{issued.number}的PDF" in p for p in report.problems)
    # 2. the frozen data edited in the database
    db = sqlite3.connect(services.ctx.store.db_file)
    db.execute(
        "UPDATE document SET data = replace(data, '配电箱', '配电柜') WHERE id = ?",
        (issued.document_id,),
    )
    # 3. an audit event's payload edited
    seq = db.execute("SELECT seq FROM auditevent WHERE kind = 'document.issued'").fetchone()[0]
    db.execute(
        "UPDATE auditevent SET payload = replace(payload, '责改', '责令') WHERE seq = ?", (seq,)
    )
    db.commit()
    db.close()
    problems = verify(services.ctx).problems
    assert any(f"{issued.number}：文书内容与签发时" in p for p in problems)
    assert any(p.startswith(f"审计事件 #{seq}（签发文书，") for p in problems)


def test_paper_signatures_are_registered_with_the_signed_copy(
    services: Services, tmp_path: Path
) -> None:
    from tests.support.photos import jpeg_bytes

    iid = inspection_with_blocks(services, tmp_path, "责改")
    issued = issue_from_inspection(services, "rectification_order", iid)
    signers = services.documents.paper_signers(issued.document_id)
    assert [s.role for s in signers] == ["officer", "officer", "party"]
    photo = tmp_path / "signed.jpg"
    photo.write_bytes(jpeg_bytes(1200, 1600))
    party = signers[2]
    party.refused = True
    party.refusal_reason = "称需请示董事长"
    with pytest.raises(UserError, match="须记录理由和见证人"):
        services.documents.record_paper_signing(issued.document_id, signers, photo)
    party.witness = "村委会 吴敏"
    with pytest.raises(UserError, match="无法读取签字文书照片"):
        services.documents.record_paper_signing(issued.document_id, signers, tmp_path / "none.jpg")
    assert services.documents.signatures(issued.document_id) == []
    services.documents.record_paper_signing(issued.document_id, signers, photo)
    sigs = services.documents.signatures(issued.document_id)
    assert sorted(s.method for s in sigs) == ["paper", "paper", "refused"]
    refused = next(s for s in sigs if s.method == "refused")
    assert refused.refusal_reason == "称需请示董事长" and refused.witness == "村委会 吴敏"
    assert {s.image_sha256 for s in sigs} == {services.ctx.blobs.put(photo.read_bytes())}
    assert verify(services.ctx).ok


def test_voiding_a_review_reopens_what_it_closed(
    services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    iid = inspection_with_blocks(services, tmp_path, "责改", "复查", "现决")
    order = issue_from_inspection(services, "rectification_order", iid)
    extra = issue_measures(services, iid)
    # voiding the 现决 leaves the hazards under the 责改 that still covers them
    services.documents.void(extra.document_id, "措施写错需重开")
    assert {h.status for h in hazards(services, iid)} == {"rectifying"}
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    services.documents.start_review(order.document_id, people)
    review = services.documents.draft_from_document("review_opinion", order.document_id)
    for item in review.items:
        item.verdict = "ok"
    issued = services.documents.issue(review).value
    assert {h.status for h in hazards(services, iid)} == {"closed"}
    services.documents.void(issued.document_id, "复查结论有误")
    states = hazards(services, iid)
    assert {h.status for h in states} == {"rectifying"}
    assert states[0].deadline == clock.today() + timedelta(days=7)  # the order's deadline again
    # a second 复查 of the order judges them again; a closed hazard is not offered
    again = services.documents.draft_from_document("review_opinion", order.document_id)
    assert len(again.items) == 2


def test_review_and_correction_edge_cases_are_refused(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_blocks(services, tmp_path, "责改", "隐改")
    old = issue_from_inspection(services, "rectification_order", iid)
    services.documents.void(old.document_id, "单位名称写错")
    first = services.documents.draft_correction(old.document_id)
    services.documents.issue(first)
    second = services.documents.draft_correction(old.document_id)
    assert any("已由" in p and "不能再次更正" in p for p in services.documents.problems(second))
    notice = issue_from_inspection(services, "hazard_notice", iid)
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    with pytest.raises(UserError, match="复查须针对已签发的责令限期整改指令书"):
        services.documents.start_review(notice.document_id, people)


def test_settings_and_wording_that_would_slip_through_are_caught(
    services: Services, tmp_path: Path
) -> None:
    iid = inspection_with_hazards(services)
    set_agency(services, court="")
    order = services.documents.draft_from_inspection("rectification_order", iid)
    assert any("行政诉讼法院尚未设置" in p for p in services.documents.problems(order))
    measures = services.documents.draft_from_inspection("onsite_measures", iid)
    measures.fields["measures"] = "暂停生产经营活动\n停用1号除尘器"
    assert any("请写明期限" in p for p in services.documents.problems(measures))
    fine = penalty_draft(services, iid, "onsite_penalty_unit", "nan")
    assert any("罚款金额应为正整数" in p for p in services.documents.problems(fine))
    fine.fields["fine_yuan"] = "1e999"
    assert any("罚款金额应为正整数" in p for p in services.documents.problems(fine))
    seizure = services.documents.draft_from_inspection("seizure", iid)
    seizure.rows = [{"name": "液化气钢瓶🔥", "quantity": "2个"}]
    with pytest.raises(UserError, match="清单第1行"):
        services.documents.preview(seizure)
    seizure.rows = [{"name": "钢瓶" * 1500}]
    with pytest.raises(UserError):
        services.documents.preview(seizure)


def test_the_party_signature_follows_the_name_in_the_form(services: Services) -> None:
    iid = inspection_with_hazards(services)
    draft = services.documents.draft_from_inspection("onsite_penalty_person", iid)
    draft.party = type(draft.party)(name="赵赟", address="城关镇解放路22号")
    services.documents.problems(draft)
    assert [s.name for s in draft.signers if s.role == "party"] == ["赵赟"]
    order = services.documents.draft_from_inspection("rectification_order", iid)
    order.signers[-1].image_png = _png()
    order.party = type(order.party)(**{**order.party.__dict__, "legal_rep": "李四"})
    services.documents.problems(order)
    party = order.signers[-1]
    assert party.name == "李四" and party.image_png is None  # 王喆's signature is not 李四's


def test_a_voided_document_is_never_counted_as_printed(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_blocks(services, tmp_path, "责改")
    issued = issue_from_inspection(services, "rectification_order", iid)
    services.documents.void(issued.document_id, "单位名称写错")
    with pytest.raises(UserError, match="已作废"):
        services.printing.record_printed(issued.document_id, 2, "InspectorPDF", None)


def test_verify_sees_status_unit_and_file_tampering(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_blocks(services, tmp_path, "责改", "现决")
    order = issue_from_inspection(services, "rectification_order", iid)
    decision = issue_measures(services, iid)
    services.documents.void(decision.document_id, "措施写错需重开")
    assert verify(services.ctx).ok
    db = sqlite3.connect(services.ctx.store.db_file)
    db.execute("UPDATE document SET status = 'draft' WHERE id = ?", (order.document_id,))
    db.execute(
        "UPDATE document SET status = 'issued', void_reason = '', unit_id = "
        "(SELECT id FROM unit WHERE id != document.unit_id LIMIT 1) WHERE id = ?",
        (decision.document_id,),
    )
    db.execute("DELETE FROM blob WHERE sha256 = ?", (order.pdf_sha256,))
    db.commit()
    db.close()
    path = services.ctx.blobs.path_for(order.pdf_sha256)
    path.chmod(0o600)
    path.write_bytes(b"%PDF-1.4 forged")
    problems = "\n".join(verify(services.ctx).problems)
    assert f"{order.number}：已于审计事件" in problems and "现状态却为“draft”" in problems
    assert f"{order.number}的PDF" in problems
    assert f"{decision.number}：所属单位与签发时记录的不一致" in problems
    assert f"{decision.number}：已有作废审计事件，现状态却为已签发" in problems


def test_township_rechecks_hazards_under_its_notice(
    services: Services, clock: FixedClock, tmp_path: Path
) -> None:
    iid = inspection_with_blocks(services, tmp_path, "隐改")
    issue_from_inspection(services, "hazard_notice", iid)
    first, second = hazards(services, iid)
    assert {first.status, second.status} == {"rectifying"}
    with pytest.raises(UserError, match="新整改期限"):
        services.hazard_loop.recheck(first.id, passed=False, note="未整改")
    later = clock.today() + timedelta(days=5)
    services.hazard_loop.recheck(first.id, passed=False, note="灭火器未更换", new_deadline=later)
    services.hazard_loop.recheck(first.id, passed=True, note="已更换")
    services.hazard_loop.recheck(second.id, passed=True)
    assert [h.status for h in hazards(services, iid)] == ["closed", "closed"]
    steps = [r.step for r in services.hazard_loop.history(first.id)]
    assert steps == ["登记", "责令整改", "复查不合格", "责令整改", "复查合格", "销号"]
    # a hazard under an enforcement order is judged by a 复查意见书, not here
    other = inspection_with_blocks(services, tmp_path, "责改")
    issue_from_inspection(services, "rectification_order", other)
    with pytest.raises(UserError, match="整改复查意见书"):
        services.hazard_loop.recheck(hazards(services, other)[0].id, passed=True)
