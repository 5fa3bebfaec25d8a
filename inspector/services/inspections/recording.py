"""Recording an inspection: start it, mark checklist items, draft hazards, finish it.

Every write stores the change, its outbox entry and its audit event in one transaction, so there
is no unsaved state: what the inspector sees is what is on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from inspector.domain.agency_settings import authority_of
from inspector.domain.authorities import AUTHORITY_BODIES
from inspector.domain.citations import major_sentence
from inspector.domain.enums import (
    INSPECTION_KINDS,
    HazardGrade,
    HazardStatus,
    InspectionStatus,
    ItemResult,
)
from inspector.domain.errors import UserError
from inspector.domain.hazard_loop import HazardStep
from inspector.services.changes import Changes, Done, done
from inspector.services.context import Context
from inspector.services.counts import hazard_counts
from inspector.services.hazards.deadlines import default_deadline
from inspector.services.hazards.loop import record_step
from inspector.services.inspections.views import (
    ChecklistInfo,
    InspectionRow,
    InspectionView,
    Person,
    inspection_view,
)
from inspector.services.journal import audit, queue, row_payload
from inspector.services.people.role import refuse_enforcement
from inspector.services.setting_rows import current_user_id
from inspector.services.textcheck import clean_text
from inspector.store.models import (
    Checklist,
    ChecklistItem,
    Hazard,
    Inspection,
    InspectionChecklist,
    InspectionInspector,
    Unit,
    User,
)
from inspector.store.models import ItemResult as ItemResultRow
from inspector.util.ids import uuid7

MIN_INSPECTORS = (
    2  # 行政处罚法 第四十二条; 安全生产法 第六十七条 (two officers, certificates shown)
)


@dataclass(frozen=True)
class StartInspection:
    unit_id: str
    inspector_ids: list[str]
    checklist_ids: list[str]
    place: str = ""
    representative: str = ""
    representative_title: str = ""
    representative_phone: str = ""
    kind: str = "日常检查"
    review_of_id: str | None = None  # 复查: the order being re-inspected


@dataclass(frozen=True)
class HazardInput:
    description: str
    grade: str = HazardGrade.GENERAL
    location: str = ""
    legal_basis: str = ""
    measure: str = ""
    deadline: date | None = None
    authority: str | None = None  # whose matter (应急 …); None: 应急 when added, unchanged on edit


class InspectionService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- reference data ------------------------------------------------------------------------
    def current_user_id(self) -> str | None:
        with self.ctx.store.read() as s:
            return current_user_id(s)

    def people(self) -> list[Person]:
        with self.ctx.store.read() as s:
            rows = s.exec(select(User).where(User.active == True).order_by(User.name))  # noqa: E712
            return [Person(u.id, u.name, u.cert_no, u.role) for u in rows]

    def checklists(self) -> list[ChecklistInfo]:
        with self.ctx.store.read() as s:
            out = []
            for c in s.exec(select(Checklist).order_by(Checklist.name)):
                n = len(
                    s.exec(select(ChecklistItem.id).where(ChecklistItem.checklist_id == c.id)).all()
                )
                out.append(ChecklistInfo(c.id, c.code, c.name, c.industry, n))
            return out

    # -- reads ---------------------------------------------------------------------------------
    def view(self, inspection_id: str) -> InspectionView:
        with self.ctx.store.read() as s:
            return inspection_view(s, inspection_id)

    def recent(self, limit: int = 500) -> list[InspectionRow]:
        with self.ctx.store.read() as s:
            rows = s.exec(
                select(Inspection, Unit.name)
                .join(Unit, col(Unit.id) == Inspection.unit_id)
                .order_by(col(Inspection.started_at).desc())
                .limit(limit)
            ).all()
            out = []
            counts = hazard_counts(s, (insp.id for insp, _ in rows))
            for insp, unit_name in rows:
                n = counts.get(insp.id, 0)
                out.append(
                    InspectionRow(insp.id, insp.unit_id, unit_name, insp.started_at, insp.status, n)
                )
            return out

    # -- writes --------------------------------------------------------------------------------
    def start(self, req: StartInspection) -> Done[str]:
        ids = list(dict.fromkeys(req.inspector_ids))
        if len(ids) < MIN_INSPECTORS:
            raise UserError("现场检查须由两名以上执法人员共同进行，请至少选择两名检查人员。")
        if req.kind not in INSPECTION_KINDS:
            raise UserError(f"检查类型应为以下之一：{'、'.join(INSPECTION_KINDS)}。")
        place = clean_text("检查场所", req.place, max_chars=200)
        rep = clean_text("被检查单位现场负责人", req.representative, max_chars=50)
        title = clean_text("职务", req.representative_title, max_chars=50)
        phone = clean_text("联系电话", req.representative_phone, max_chars=30)
        with self.ctx.store.write() as s:
            refuse_enforcement(s)
            unit = s.get(Unit, req.unit_id)
            if unit is None or unit.deleted:
                raise UserError("找不到该单位，无法开始检查。")
            people = [s.get(User, i) for i in ids]
            if any(p is None for p in people):
                raise UserError("所选检查人员不在本机人员名单中，请重新选择。")
            no_cert = [p.name for p in people if p is not None and not p.cert_no.strip()]
            if no_cert:
                raise UserError(f"以下人员没有执法证号，不能作为检查人员：{'、'.join(no_cert)}。")
            agency_id = people[0].agency_id if people[0] else ""
            now = self.ctx.clock.now()
            insp = Inspection(
                id=uuid7(),
                unit_id=unit.id,
                agency_id=agency_id,
                kind=req.kind,
                place=place or unit.address,
                started_at=now,
                representative=rep or unit.legal_rep,
                representative_title=title,
                representative_phone=phone or unit.contact_phone,
                created_by=current_user_id(s),
                clock_offset_s=self.ctx.clock.offset_s,
                updated_at=now,
                review_of_id=req.review_of_id,
            )
            s.add(insp)
            s.flush()
            for n, uid in enumerate(ids):
                s.add(InspectionInspector(inspection_id=insp.id, user_id=uid, seq=n))
            for n, cid in enumerate(dict.fromkeys(req.checklist_ids)):
                if s.get(Checklist, cid) is None:
                    raise UserError("所选检查表不存在，请重新选择。")
                s.add(InspectionChecklist(inspection_id=insp.id, checklist_id=cid, seq=n))
            s.flush()
            self._journal_inspection(s, insp, "inspection.started")
            return Done(
                insp.id, Changes(inspections=frozenset({insp.id}), units=frozenset({unit.id}))
            )

    def update_header(
        self,
        inspection_id: str,
        *,
        place: str,
        representative: str,
        representative_title: str,
        representative_phone: str,
        summary: str | None = None,
    ) -> Done[None]:
        values = {
            "place": clean_text("检查场所", place, max_chars=200),
            "representative": clean_text("现场负责人", representative, max_chars=50),
            "representative_title": clean_text("职务", representative_title, max_chars=50),
            "representative_phone": clean_text("联系电话", representative_phone, max_chars=30),
        }
        if summary is not None:
            values["summary"] = clean_text(
                "检查情况小结", summary, max_chars=self.ctx.settings.text_max_chars
            )
        with self.ctx.store.write() as s:
            insp = _open_inspection(s, inspection_id)
            for k, v in values.items():
                setattr(insp, k, v)
            insp.updated_at = self.ctx.clock.now()
            s.add(insp)
            self._journal_inspection(s, insp, "inspection.edited")
        return done(Changes(inspections=frozenset({inspection_id})))

    def set_item(
        self, inspection_id: str, item_id: str, result: str, note: str | None = None
    ) -> Done[None]:
        """Mark one checklist item. 不符合 drafts a hazard from the item; undoing it withdraws it."""
        result = ItemResult(result).value
        return self._write_item(inspection_id, item_id, result, note)

    def set_note(self, inspection_id: str, item_id: str, note: str) -> Done[None]:
        """Change only an item's note (its result stays as stored)."""
        return self._write_item(inspection_id, item_id, None, note)

    def _write_item(
        self, inspection_id: str, item_id: str, result: str | None, note: str | None
    ) -> Done[None]:
        if note is not None:
            note = clean_text("检查情况说明", note, max_chars=self.ctx.settings.text_max_chars)
        with self.ctx.store.write() as s:
            insp = _open_inspection(s, inspection_id)
            item = s.get(ChecklistItem, item_id)
            on_list = s.exec(
                select(InspectionChecklist.checklist_id).where(
                    InspectionChecklist.inspection_id == inspection_id,
                    InspectionChecklist.checklist_id == (item.checklist_id if item else ""),
                )
            ).first()
            if item is None or on_list is None:
                raise UserError("该检查项不属于本次检查所选的检查表。")
            row = s.exec(
                select(ItemResultRow).where(
                    ItemResultRow.inspection_id == inspection_id, ItemResultRow.item_id == item_id
                )
            ).first()
            now = self.ctx.clock.now()
            if row is None:
                row = ItemResultRow(
                    id=uuid7(), inspection_id=inspection_id, item_id=item_id, updated_at=now
                )
            old_note = row.note
            if result is not None:
                row.result = result
            if note is not None:
                row.note = note
            row.updated_at = now
            s.add(row)
            s.flush()
            payload = row_payload(row)
            queue(s, self.ctx.clock, "item_result", row.id, payload)
            kind = "item.marked" if result is not None else "item.noted"
            audit(s, self.ctx.clock, kind, "item_result", row.id, insp.created_by, payload)
            hazard_ids = self._sync_item_hazard(s, insp, item, row.result, row.note, old_note)
        return done(Changes(inspections=frozenset({inspection_id}), hazards=hazard_ids))

    def _sync_item_hazard(
        self,
        s: Session,
        insp: Inspection,
        item: ChecklistItem,
        result: str,
        note: str,
        old_note: str,
    ) -> frozenset[str]:
        hazard = s.exec(
            select(Hazard).where(Hazard.inspection_id == insp.id, Hazard.item_id == item.id)
        ).first()
        now = self.ctx.clock.now()
        if result == ItemResult.FAIL:
            if hazard is None:
                hazard = Hazard(
                    id=uuid7(),
                    inspection_id=insp.id,
                    unit_id=insp.unit_id,
                    item_id=item.id,
                    grade=HazardGrade.MAJOR if item.major else HazardGrade.GENERAL,
                    description=drafted_finding(item, note),
                    legal_basis=item.legal_basis,
                    measure=item.measure,
                    deadline=default_deadline(
                        self.ctx.clock.today(),
                        self.ctx.settings.default_deadline_days,
                        item.deadline_days,
                    ),
                    authority=authority_of(item.authority),
                    created_at=now,
                    updated_at=now,
                    clock_offset_s=self.ctx.clock.offset_s,
                )
                kind = "hazard.drafted"
            elif hazard.status == HazardStatus.WITHDRAWN:
                hazard.status = HazardStatus.DRAFT
                hazard.updated_at = now
                kind = "hazard.restored"
            elif (
                hazard.status == HazardStatus.DRAFT
                and note
                and hazard.description in (drafted_finding(item, old_note), drafted_finding(item))
            ):
                # The drafted description still follows the item's note: keep it following.
                hazard.description = drafted_finding(item, note)
                hazard.updated_at = now
                kind = "hazard.edited"
            else:
                return frozenset({hazard.id})
        elif hazard is not None and hazard.status not in (
            HazardStatus.DRAFT,
            HazardStatus.WITHDRAWN,
        ):
            # a reopened inspection: this finding is already in the hazard loop
            raise UserError(
                "该项的隐患已登记进入整改闭环，不能改为其他结果；已整改的请在隐患页复查销号。"
            )
        elif hazard is not None and hazard.status == HazardStatus.DRAFT:
            hazard.status = HazardStatus.WITHDRAWN
            hazard.updated_at = now
            kind = "hazard.withdrawn"
        else:
            return frozenset()
        s.add(hazard)
        s.flush()
        self._journal_hazard(s, insp, hazard, kind)
        return frozenset({hazard.id})

    def add_hazard(self, inspection_id: str, data: HazardInput) -> Done[str]:
        """An ad-hoc finding outside the checklist."""
        clean = self._clean_hazard(data)
        with self.ctx.store.write() as s:
            insp = _open_inspection(s, inspection_id)
            now = self.ctx.clock.now()
            hazard = Hazard(
                id=uuid7(),
                inspection_id=inspection_id,
                unit_id=insp.unit_id,
                created_at=now,
                updated_at=now,
                clock_offset_s=self.ctx.clock.offset_s,
                **clean,
            )
            s.add(hazard)
            s.flush()
            self._journal_hazard(s, insp, hazard, "hazard.drafted")
        return Done(
            hazard.id,
            Changes(inspections=frozenset({inspection_id}), hazards=frozenset({hazard.id})),
        )

    def update_hazard(self, hazard_id: str, data: HazardInput) -> Done[None]:
        clean = self._clean_hazard(data)
        with self.ctx.store.write() as s:
            hazard = s.get(Hazard, hazard_id)
            if hazard is None or hazard.status == HazardStatus.WITHDRAWN:
                raise UserError("该隐患已撤销或不存在（对应检查项已改为符合或不涉及）。")
            insp = _open_inspection(s, hazard.inspection_id)
            for k, v in clean.items():
                setattr(hazard, k, v)
            hazard.updated_at = self.ctx.clock.now()
            s.add(hazard)
            self._journal_hazard(s, insp, hazard, "hazard.edited")
        return done(
            Changes(inspections=frozenset({hazard.inspection_id}), hazards=frozenset({hazard_id}))
        )

    def finish(self, inspection_id: str, summary: str = "") -> Done[None]:
        text = clean_text("检查情况小结", summary, max_chars=self.ctx.settings.text_max_chars)
        with self.ctx.store.write() as s:
            insp = _open_inspection(s, inspection_id)
            hazards = s.exec(
                select(Hazard).where(
                    Hazard.inspection_id == inspection_id, Hazard.status == HazardStatus.DRAFT
                )
            ).all()
            today = self.ctx.clock.today()
            for h in hazards:
                if h.deadline is not None and h.deadline < today:
                    raise UserError(
                        f"隐患“{h.description[:20]}”的整改期限 {h.deadline.isoformat()} 已过，"
                        "请改为今天或以后的日期。"
                    )
            now = self.ctx.clock.now()
            insp.summary = text
            insp.ended_at = now
            insp.status = InspectionStatus.FINISHED
            insp.updated_at = now
            s.add(insp)
            for h in hazards:
                record_step(s, self.ctx.clock, h, HazardStep.REGISTERED, insp.created_by)
            self._journal_inspection(s, insp, "inspection.finished")
        return done(
            Changes(
                inspections=frozenset({inspection_id}),
                hazards=frozenset(h.id for h in hazards),
                units=frozenset({insp.unit_id}),
            )
        )

    # -- helpers -------------------------------------------------------------------------------
    def _clean_hazard(self, data: HazardInput) -> dict[str, Any]:
        limit = self.ctx.settings.text_max_chars
        grade = HazardGrade(data.grade).value
        if data.deadline is not None and data.deadline < self.ctx.clock.today():
            raise UserError("整改期限不能早于今天。")
        out: dict[str, Any] = {}
        if data.authority is not None:
            code = authority_of(data.authority)
            if code not in AUTHORITY_BODIES:
                raise UserError(f"“{code}”不是已知的职权类别。")
            out["authority"] = code
        return out | {
            "description": clean_text("隐患描述", data.description, max_chars=limit, required=True),
            "grade": grade,
            "location": clean_text("隐患部位", data.location, max_chars=200),
            "legal_basis": clean_text("依据", data.legal_basis, max_chars=limit),
            "measure": clean_text("整改措施", data.measure, max_chars=limit),
            "deadline": data.deadline,
        }

    def _journal_inspection(self, s: Session, insp: Inspection, kind: str) -> None:
        payload = row_payload(insp)
        payload["inspector_ids"] = [
            r.user_id
            for r in s.exec(
                select(InspectionInspector)
                .where(InspectionInspector.inspection_id == insp.id)
                .order_by(col(InspectionInspector.seq))
            )
        ]
        payload["checklist_ids"] = [
            r.checklist_id
            for r in s.exec(
                select(InspectionChecklist)
                .where(InspectionChecklist.inspection_id == insp.id)
                .order_by(col(InspectionChecklist.seq))
            )
        ]
        queue(s, self.ctx.clock, "inspection", insp.id, payload)
        audit(s, self.ctx.clock, kind, "inspection", insp.id, insp.created_by, payload)

    journal_inspection = _journal_inspection  # the reopen (inspections/reopen.py) journals alike

    def _journal_hazard(self, s: Session, insp: Inspection, hazard: Hazard, kind: str) -> None:
        payload = row_payload(hazard)
        queue(s, self.ctx.clock, "hazard", hazard.id, payload)
        audit(s, self.ctx.clock, kind, "hazard", hazard.id, insp.created_by, payload)


def drafted_finding(item: ChecklistItem, note: str = "") -> str:
    """The fact a 不符合 item drafts: the inspector's note, else the item's own finding wording;
    for a 重大事故隐患 criterion followed by "，属<criterion>规定的重大事故隐患"."""
    text = note.strip() or item.finding.strip()
    if not text:
        # an item published before findings existed: its question, marked as not yet a fact
        return f"检查发现不符合：{item.content.strip().rstrip('？?。')}。"
    if item.major and item.finding.strip() and item.major_basis.strip():
        text += "，" + major_sentence(item.major_basis)
    return text


def _open_inspection(s: Session, inspection_id: str) -> Inspection:
    insp = s.get(Inspection, inspection_id)
    if insp is None:
        raise UserError("检查记录不存在。")
    if insp.status == InspectionStatus.FINISHED:
        raise UserError("该检查已完成，记录已固定，不能再修改。")
    return insp
