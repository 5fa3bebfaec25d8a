"""The agency's power settings on its documents: a 委托 township issues in the 委托机关's name and
is refused 行政强制措施 (行政强制法 §17); a 授权 township issues in its own name; a finding of
another authority leaves the order for a 案件移送书; an agency with its own power behaves as
before. Real store, real PDFs (text read back with pypdfium2)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from inspector.documents.raster import page_texts
from inspector.domain.agency_settings import PowerKind
from inspector.domain.errors import UserError
from inspector.services.audit.verify import verify
from inspector.services.facade import Services
from inspector.services.inspections.checklists import install_checklist
from inspector.services.inspections.recording import HazardInput, StartInspection
from inspector.store.models import Agency, Document, Hazard
from tests.support.documents import (
    fire_and_own_findings,
    inspection_with_blocks,
    inspection_with_hazards,
    issue_from_inspection,
    issued_text,
    kind_choices,
    load_blocks,
)
from tests.support.number_blocks import agency_id, set_agency

COUNTY_BUREAU = "青岚县应急管理局"  # the demo agency's name, here the 委托机关
TOWNSHIP = "青岚县城关镇人民政府"
SECTION_17 = "《中华人民共和国行政强制法》第十七条"


def set_power(services: Services, kind: PowerKind, granted: tuple[str, ...] = ()) -> None:
    """The demo agency made a township acting under `kind` (as a pull of its settings would)."""
    township = kind in (PowerKind.ENTRUSTED, PowerKind.AUTHORIZED)
    set_agency(
        services,
        **({"name": TOWNSHIP, "short_name": "城关"} if township else {}),
        power_kind=kind.value,
        has_enforcement_power=kind != PowerKind.NONE,
        delegator_name=COUNTY_BUREAU if kind == PowerKind.ENTRUSTED else "",
        delegator_short_name="岚" if kind == PowerKind.ENTRUSTED else "",
        granted_authorities=json.dumps(list(granted), ensure_ascii=False),
    )


def township_inspection(services: Services, tmp_path: Path, kind: PowerKind, series: str) -> str:
    """The demo agency made a township under `kind`, then `inspection_with_blocks` of `series`."""
    set_power(services, kind)
    return inspection_with_blocks(services, tmp_path, series)


# -- 委托 -------------------------------------------------------------------------------------------
def test_entrusted_township_seizure_refused_citing_section_17(
    services: Services, tmp_path: Path
) -> None:
    iid = township_inspection(services, tmp_path, PowerKind.ENTRUSTED, "查扣")
    choices = kind_choices(services, iid)
    assert not choices["seizure"].enabled and "第十七条" in choices["seizure"].why_not
    draft = services.documents.draft_from_inspection("seizure", iid)
    draft.fields["period_end"] = (services.ctx.clock.today() + timedelta(days=10)).isoformat()
    draft.rows = [{"name": "除尘器", "spec": "", "quantity": "1台", "place": "一号车间"}]
    with pytest.raises(UserError) as refused:
        services.documents.issue(draft)
    message = str(refused.value)
    assert SECTION_17 in message and "行政强制措施权不得委托" in message
    assert "不能作出查封扣押决定" in message
    with services.ctx.store.read() as s:
        assert s.exec(select(Document).where(Document.kind == "seizure")).first() is None


def test_entrusted_township_suspension_refused_other_measures_allowed(
    services: Services, tmp_path: Path
) -> None:
    iid = township_inspection(services, tmp_path, PowerKind.ENTRUSTED, "现决")
    draft = services.documents.draft_from_inspection("onsite_measures", iid)
    draft.fields["measures"] = "从危险区域内撤出作业人员\n暂时停产停业"
    draft.fields["suspend_until"] = (services.ctx.clock.today() + timedelta(days=30)).isoformat()
    found = services.documents.problems(draft)
    assert any(SECTION_17 in p and "暂时停产停业" in p for p in found)
    draft.fields["measures"] = "责令立即排除事故隐患"
    draft.fields["suspend_until"] = ""
    assert services.documents.problems(draft) == []


def test_entrusted_township_order_prints_the_entrusting_body_as_issuer(
    services: Services, tmp_path: Path
) -> None:
    iid = township_inspection(services, tmp_path, PowerKind.ENTRUSTED, "责改")
    issued = issue_from_inspection(services, "rectification_order", iid)
    year = services.ctx.clock.today().year
    assert issued.number == f"（岚）应急责改\u3014{year}\u30151号"  # the 委托机关's 简称
    pages = page_texts(services.ctx.blobs.read(issued.pdf_sha256))
    first_line = pages[0].strip().splitlines()[0]
    assert re.sub(r"\s+", "", first_line) == COUNTY_BUREAU
    text = issued_text(services, issued)
    assert f"{COUNTY_BUREAU}（印章）" in text
    assert f"本文书由{TOWNSHIP}受{COUNTY_BUREAU}委托，以{COUNTY_BUREAU}名义作出" in text
    assert f"{TOWNSHIP}（印章）" not in text
    # the site record too is the 委托机关's act
    load_blocks(services, tmp_path, "检记")
    record = services.records.issue_site_record(iid).value
    assert record.number.startswith("（岚）应急检记")
    assert issued_text(services, record).startswith(COUNTY_BUREAU)
    # the township's own 隐患整改通知书 is not an 执法文书: in its own name and number
    load_blocks(services, tmp_path, "隐改")
    notice = issue_from_inspection(services, "hazard_notice", iid)
    assert notice.number.startswith("（城关）安隐改")
    assert issued_text(services, notice).startswith(TOWNSHIP)
    assert verify(services.ctx).ok


def test_authorized_township_issues_in_its_own_name_and_may_seize(
    services: Services, tmp_path: Path
) -> None:
    iid = township_inspection(services, tmp_path, PowerKind.AUTHORIZED, "责改")
    choices = kind_choices(services, iid)
    assert choices["seizure"].enabled
    seizure = services.documents.draft_from_inspection("seizure", iid)
    assert not any(SECTION_17 in p for p in services.documents.problems(seizure))
    issued = issue_from_inspection(services, "rectification_order", iid)
    assert issued.number.startswith("（城关）应急责改")
    text = issued_text(services, issued)
    assert text.startswith(TOWNSHIP) and f"{TOWNSHIP}（印章）" in text
    assert "委托" not in text


# -- own power: as before -----------------------------------------------------------------------
def test_own_power_behaves_as_before(services: Services, tmp_path: Path) -> None:
    iid = inspection_with_hazards(services)
    with services.ctx.store.read() as s:
        agency = s.get(Agency, agency_id(services))
        assert agency is not None and agency.power_kind == ""  # never set: the old switch
    choices = services.documents.kinds_for_inspection(iid)
    assert "case_transfer" not in {c.kind for c in choices}
    assert all(c.enabled for c in choices)
    load_blocks(services, tmp_path, "责改")
    draft = services.documents.draft_from_inspection("rectification_order", iid)
    assert all(i.include and i.authority == "应急" for i in draft.items)
    issued = services.documents.issue(draft).value
    assert issued.number.startswith("（岚）应急责改")
    text = issued_text(services, issued)
    assert text.startswith(COUNTY_BUREAU) and f"{COUNTY_BUREAU}（印章）" in text
    assert "委托" not in text
    set_power(services, PowerKind.OWN)  # the setting made explicit changes nothing
    seizure = services.documents.draft_from_inspection("seizure", iid)
    assert not any(SECTION_17 in p for p in services.documents.problems(seizure))


# -- findings of another authority --------------------------------------------------------------
def test_fire_finding_goes_to_a_case_transfer_not_the_order(
    services: Services, tmp_path: Path
) -> None:
    iid, own, fire = fire_and_own_findings(services)
    load_blocks(services, tmp_path, "责改")
    load_blocks(services, tmp_path, "移")
    choices = kind_choices(services, iid)
    assert choices["case_transfer"].enabled and choices["case_transfer"].title == "案件移送书"

    order = services.documents.draft_from_inspection("rectification_order", iid)
    by_hazard = {i.hazard_id: i for i in order.items}
    assert by_hazard[own].include
    assert not by_hazard[fire].include
    assert by_hazard[fire].exclude_reason == "不属本机关职权，应移送青岚县消防救援大队"
    # put back on the order by hand, it is refused
    by_hazard[fire].include = True
    assert any(
        "第2项（二楼疏散通道堆放纸箱约2立方米）属消防救援机构的职权" in p
        for p in services.documents.problems(order)
    )
    by_hazard[fire].include = False
    issued_order = services.documents.issue(order).value
    order_text = issued_text(services, issued_order)
    assert "配电箱前堆放杂物" in order_text and "疏散通道" not in order_text

    transfer = services.documents.draft_from_inspection("case_transfer", iid)
    assert [i.hazard_id for i in transfer.items] == [fire]
    assert transfer.fields["receiver"] == "青岚县消防救援大队"
    assert "《中华人民共和国消防法》第四条" in transfer.fields["transfer_basis"]
    transfer.fields["receiver"] = "青岚县消防救援大队城关消防救援站"  # editable
    issued = services.documents.issue(transfer).value
    year = services.ctx.clock.today().year
    assert issued.number == f"（岚）应急移\u3014{year}\u30151号"
    text = issued_text(services, issued)
    assert text.startswith(COUNTY_BUREAU) and "案件移送书" in text
    assert "青岚县消防救援大队城关消防救援站：" in text
    assert "1.二楼疏散通道堆放纸箱约2立方米。" in text
    assert "现将上述问题移送你单位依法处理" in text
    assert "附件：" in text and "现场检查记录（复印件）1份" in text
    assert f"{COUNTY_BUREAU}（印章）" in text and "配电箱" not in text
    # tracked like any document: the register, no second one to the same body, void
    rows = {r.id: r for r in services.documents.register()}
    assert rows[issued.document_id].title == "案件移送书"
    again = services.documents.draft_from_inspection("case_transfer", iid)
    assert any("同一文书不能重复签发" in p for p in services.documents.problems(again))
    services.documents.void(issued.document_id, "接收机关写错，重新移送")
    with services.ctx.store.read() as s:
        doc = s.get(Document, issued.document_id)
        assert doc is not None and doc.status == "voided"
    assert verify(services.ctx).ok


def test_a_locally_granted_power_keeps_the_finding_on_the_order(services: Services) -> None:
    set_power(services, PowerKind.OWN, granted=("消防救援",))
    iid, _own, fire = fire_and_own_findings(services)
    assert "case_transfer" not in {c.kind for c in services.documents.kinds_for_inspection(iid)}
    order = services.documents.draft_from_inspection("rectification_order", iid)
    assert all(i.include for i in order.items)
    assert services.documents.problems(order) == []
    with pytest.raises(UserError, match="没有需要移送的问题"):
        services.documents.draft_from_inspection("case_transfer", iid)
    assert any(i.hazard_id == fire for i in order.items)


def test_a_checklist_items_authority_is_copied_to_its_hazard(services: Services) -> None:
    with services.ctx.store.write() as s:
        cid = install_checklist(
            s,
            {
                "code": "test-fire",
                "name": "测试：人员密集场所",
                "version": "1",
                "items": [
                    {
                        "content": "疏散通道是否畅通",
                        "finding": "疏散通道被占用",
                        "legal_basis": [{"law": "消防法", "article": 28}],
                        "authority": "消防救援",
                    },
                    {
                        "content": "是否建立隐患排查治理制度",
                        "finding": "未建立隐患排查治理制度",
                        "legal_basis": [{"law": "安全生产法", "article": 41, "paragraph": 2}],
                        "authority": "应急",
                    },
                ],
            },
        )
    people = [p for p in services.inspections.people() if p.role == "inspector"]
    unit = services.units.search("", limit=1)[0]
    iid = services.inspections.start(
        StartInspection(unit.id, [p.id for p in people[:2]], [cid], place="门店")
    ).value
    items = services.inspections.view(iid).checklists[0].items
    for item in items:
        services.inspections.set_item(iid, item.id, "fail")
    with services.ctx.store.read() as s:
        found = {
            h.description: h.authority
            for h in s.exec(select(Hazard).where(Hazard.inspection_id == iid))
        }
    assert sorted(found.values()) == ["应急", "消防救援"]
    with pytest.raises(UserError, match="不是已知的职权类别"):
        services.inspections.add_hazard(iid, HazardInput("某问题", authority="消防"))
