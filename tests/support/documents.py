"""Inspections with hazards, loaded number blocks, the drafts and issued documents that follow
them (penalty, notice, measures, seizure; findings owned by another agency), and their PDFs as text."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from inspector.documents.raster import page_texts
from inspector.services.documents import Draft, IssuedDocument, KindChoice
from inspector.services.documents.site_record import IssuedRecord
from inspector.services.facade import Services
from inspector.services.inspections.recording import HazardInput
from tests.support.inspections import start
from tests.support.number_blocks import block, block_file
from tests.support.writer import writes


def panel_finding(deadline: date, measure: str = "清除杂物") -> HazardInput:
    """The finding most tests record: 配电箱前堆放杂物 (安全生产法 §42), due on `deadline`."""
    return HazardInput(
        "配电箱前堆放杂物",
        legal_basis="《中华人民共和国安全生产法》第四十二条",
        measure=measure,
        deadline=deadline,
    )


@writes
def inspection_with_hazards(services: Services) -> str:
    """A finished inspection with two findings, each with a deadline in a week."""
    iid = start(services)
    week = services.ctx.clock.today() + timedelta(days=7)
    services.inspections.add_hazard(iid, panel_finding(week))
    services.inspections.add_hazard(
        iid,
        HazardInput(
            "除尘系统未设泄爆装置",
            grade="major",
            legal_basis="《工贸行业重大事故隐患判定标准》第十二条",
            measure="加装泄爆装置",
            deadline=week + timedelta(days=7),
        ),
    )
    services.inspections.finish(iid, "检查发现两处问题。")
    return iid


@writes
def load_blocks(
    services: Services, tmp_path: Path, series: str, first: int = 1, last: int = 50
) -> None:
    services.numbering.load_block_file(
        block_file(tmp_path, block(services, first, last, series=series))
    )


@writes
def inspection_with_blocks(services: Services, tmp_path: Path, *series: str) -> str:
    """`inspection_with_hazards`, with a block of numbers 1-50 loaded for each series."""
    iid = inspection_with_hazards(services)
    for name in series:
        load_blocks(services, tmp_path, name)
    return iid


def kind_choices(services: Services, iid: str) -> dict[str, KindChoice]:
    """The document kinds the finished inspection offers, by kind (a disabled one says why)."""
    return {c.kind: c for c in services.documents.kinds_for_inspection(iid)}


@writes
def issue_from_inspection(services: Services, kind: str, iid: str) -> IssuedDocument:
    """The document of `kind` drafted from the inspection as it stands, issued unchanged."""
    return services.documents.issue(services.documents.draft_from_inspection(kind, iid)).value


@writes
def issue_measures(
    services: Services, iid: str, measures: str = "从危险区域内撤出作业人员"
) -> IssuedDocument:
    """A 现场处理措施决定书 drafted from the inspection, issued with these measures."""
    draft = services.documents.draft_from_inspection("onsite_measures", iid)
    draft.fields["measures"] = measures
    return services.documents.issue(draft).value


def flat_text(pdf: bytes) -> str:
    """A PDF's text with all white space taken out (wrapped lines and table cells split words)."""
    return re.sub(r"\s+", "", "".join(page_texts(pdf)))


def issued_text(services: Services, issued: IssuedDocument | IssuedRecord) -> str:
    """The issued document's stored PDF, as `flat_text`."""
    return flat_text(services.ctx.blobs.read(issued.pdf_sha256))


def penalty_draft(services: Services, iid: str, kind: str, fine: str) -> Draft:
    draft = services.documents.draft_from_inspection(kind, iid)
    if kind.endswith("person"):
        draft.party = type(draft.party)(
            name="赵赟", address="城关镇解放路22号", gender="男", age="46"
        )
    draft.fields.update(
        facts="经营场所内违规存放汽油约20升。",
        violated="《中华人民共和国安全生产法》第四十二条第一款",
        applied="《中华人民共和国安全生产法》第一百零五条",
        penalty_type="fine",
        fine_yuan=fine,
        payment="bank",
        told="yes",
        statement_outcome="none",
    )
    draft.signers = services.documents.default_signers(draft)
    return draft


def notice_draft(services: Services, iid: str, **fields: str) -> Draft:
    draft = services.documents.draft_from_inspection("penalty_notice", iid)
    draft.fields.update(
        facts="安全出口被成品堆放堵塞。",
        evidence="现场检查记录、现场照片2张。",
        violated="《中华人民共和国安全生产法》第四十二条第二款",
        applied="《中华人民共和国安全生产法》第一百零五条",
        **fields,
    )
    return draft


@writes
def issued_seizure(services: Services, tmp_path: Path) -> IssuedDocument:
    """An issued 查封扣押决定书 of 30 days from today, two items on its 清单."""
    iid = inspection_with_hazards(services)
    for series in ("查扣", "延期", "查扣处"):
        load_blocks(services, tmp_path, series)
    draft = services.documents.draft_from_inspection("seizure", iid)
    draft.fields["period_end"] = (services.ctx.clock.today() + timedelta(days=29)).isoformat()
    draft.rows = [
        {"name": "脉冲布袋除尘器", "spec": "DMC-64", "quantity": "1台", "place": "打磨车间东侧"},
        {"name": "砂光机", "spec": "MM5213", "quantity": "2台", "place": "打磨车间"},
    ]
    return services.documents.issue(draft).value


@writes
def fire_and_own_findings(services: Services) -> tuple[str, str, str]:
    """A finished inspection with a 应急 finding and a 消防 finding: (inspection, 应急, 消防)."""
    iid = start(services)
    week = services.ctx.clock.today() + timedelta(days=7)
    own = services.inspections.add_hazard(iid, panel_finding(week, measure="")).value
    fire = services.inspections.add_hazard(
        iid,
        HazardInput(
            "二楼疏散通道堆放纸箱约2立方米",
            legal_basis="《中华人民共和国消防法》第二十八条",
            deadline=week,
            authority="消防救援",
        ),
    ).value
    services.inspections.finish(iid, "检查发现两处问题。")
    return iid, own, fire
