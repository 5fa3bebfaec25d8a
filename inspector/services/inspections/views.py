"""What an inspection looks like to the person and to its record: the view dataclasses and the
one read that builds them (`inspection_view`). The writes live in recording.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, col, select

from inspector.domain.enums import HazardStatus, InspectionStatus, ItemResult
from inspector.domain.errors import UserError
from inspector.services.agency import agency_power
from inspector.store.models import (
    Agency,
    Checklist,
    ChecklistItem,
    Document,
    Hazard,
    Inspection,
    InspectionChecklist,
    InspectionInspector,
    Photo,
    Unit,
    User,
)
from inspector.store.models import ItemResult as ItemResultRow


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    cert_no: str
    role: str


@dataclass(frozen=True)
class ChecklistInfo:
    id: str
    code: str
    name: str
    industry: str
    item_count: int


@dataclass(frozen=True)
class ItemView:
    id: str
    seq: int
    category: str
    content: str
    method: str
    legal_basis: str
    major: bool
    major_basis: str
    measure: str
    result: str
    note: str
    authority: str = ""  # whose matter the item is (inspector.domain.authorities)
    finding: str = ""  # the fact the item states when it fails


@dataclass(frozen=True)
class ChecklistView:
    id: str
    name: str
    items: list[ItemView]


@dataclass(frozen=True)
class HazardView:
    id: str
    item_id: str | None
    grade: str
    description: str
    location: str
    legal_basis: str
    measure: str
    deadline: date | None
    status: str
    photo_ids: list[str] = field(default_factory=list)
    conflict: str = ""  # the server's flag (services.hazards.conflict_label)
    authority: str = "应急"  # whose matter it is (domain.agency_settings)


@dataclass(frozen=True)
class PhotoView:
    id: str
    hazard_id: str | None
    thumb_sha256: str
    display_sha256: str
    original_sha256: str
    original_name: str
    caption: str
    captured_at: datetime
    width: int
    height: int


@dataclass(frozen=True)
class InspectionView:
    id: str
    unit_id: str
    unit_name: str
    unit_address: str
    unit_legal_rep: str
    unit_phone: str
    agency_name: str
    kind: str
    place: str
    started_at: datetime
    ended_at: datetime | None
    representative: str
    representative_title: str
    representative_phone: str
    summary: str
    status: str
    inspectors: list[Person]
    checklists: list[ChecklistView]
    hazards: list[HazardView]
    photos: list[PhotoView]
    record_number: str | None = None  # 文号 of the issued 现场检查记录, once issued
    clock_offset_s: float | None = None  # the correction its times were made with

    @property
    def finished(self) -> bool:
        return self.status == InspectionStatus.FINISHED


@dataclass(frozen=True)
class InspectionRow:
    id: str
    unit_id: str
    unit_name: str
    started_at: datetime
    status: str
    hazard_count: int


def inspection_view(s: Session, inspection_id: str) -> InspectionView:
    """Everything the inspection page and the 现场检查记录 show of one inspection."""
    insp = s.get(Inspection, inspection_id)
    if insp is None:
        raise UserError("检查记录不存在。")
    unit = s.get(Unit, insp.unit_id)
    assert unit is not None
    agency = s.get(Agency, insp.agency_id)
    people = [
        Person(u.id, u.name, u.cert_no, u.role)
        for _, u in s.exec(
            select(InspectionInspector, User)
            .join(User, col(User.id) == InspectionInspector.user_id)
            .where(InspectionInspector.inspection_id == inspection_id)
            .order_by(col(InspectionInspector.seq))
        )
    ]
    results = {
        r.item_id: r
        for r in s.exec(select(ItemResultRow).where(ItemResultRow.inspection_id == inspection_id))
    }
    lists = []
    for _, cl in s.exec(
        select(InspectionChecklist, Checklist)
        .join(Checklist, col(Checklist.id) == InspectionChecklist.checklist_id)
        .where(InspectionChecklist.inspection_id == inspection_id)
        .order_by(col(InspectionChecklist.seq))
    ):
        items = []
        for it in s.exec(
            select(ChecklistItem)
            .where(ChecklistItem.checklist_id == cl.id)
            .order_by(col(ChecklistItem.seq))
        ):
            r = results.get(it.id)
            items.append(
                ItemView(
                    it.id,
                    it.seq,
                    it.category,
                    it.content,
                    it.method,
                    it.legal_basis,
                    it.major,
                    it.major_basis,
                    it.measure,
                    r.result if r else ItemResult.UNCHECKED.value,
                    r.note if r else "",
                    it.authority,
                    it.finding,
                )
            )
        lists.append(ChecklistView(cl.id, cl.name, items))
    photos = [
        PhotoView(
            p.id,
            p.hazard_id,
            p.thumb_sha256,
            p.display_sha256,
            p.original_sha256,
            p.original_name,
            p.caption,
            p.captured_at,
            p.width,
            p.height,
        )
        for p in s.exec(
            select(Photo)
            .where(Photo.inspection_id == inspection_id, Photo.removed_reason == "")
            .order_by(col(Photo.captured_at))
        )
    ]
    hazards = [
        HazardView(
            h.id,
            h.item_id,
            h.grade,
            h.description,
            h.location,
            h.legal_basis,
            h.measure,
            h.deadline,
            h.status,
            [p.id for p in photos if p.hazard_id == h.id],
            h.conflict,
            h.authority,
        )
        for h in s.exec(
            select(Hazard)
            .where(Hazard.inspection_id == inspection_id)
            .where(Hazard.status != HazardStatus.WITHDRAWN)
            .order_by(col(Hazard.created_at))
        )
    ]
    return InspectionView(
        id=insp.id,
        unit_id=unit.id,
        unit_name=unit.name,
        unit_address=unit.address,
        unit_legal_rep=unit.legal_rep,
        unit_phone=unit.contact_phone,
        agency_name=agency_power(agency).issuer() if agency else "",  # under 委托: 委托机关
        kind=insp.kind,
        place=insp.place,
        started_at=insp.started_at,
        ended_at=insp.ended_at,
        representative=insp.representative,
        representative_title=insp.representative_title,
        representative_phone=insp.representative_phone,
        summary=insp.summary,
        status=insp.status,
        inspectors=people,
        checklists=lists,
        hazards=hazards,
        photos=photos,
        clock_offset_s=insp.clock_offset_s,
        record_number=s.exec(
            select(Document.number).where(
                Document.inspection_id == inspection_id,
                Document.kind == "site_record",
                Document.status == "issued",
            )
        ).first(),
    )
