"""Drafting a document: from the inspection, from an issued document (复查, 送达回执), a
correction of a voided one (how a draft prints is :mod:`.rendering`)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

from sqlmodel import Session, col, select

from inspector.documents.layout import chinese_date
from inspector.documents.model import (
    Officer,
    Party,
)
from inspector.domain.agency_settings import AgencyPower, authority_of, receiving_body
from inspector.domain.authorities import AUTHORITY_NAMES
from inspector.domain.document_kinds import (
    CASE_TRANSFER,
    ORDER_KINDS,
    PENALTY_DECISION,
    PENALTY_KINDS,
    SPECS,
    TRANSFER_BASIS,
    KindSpec,
)
from inspector.domain.enums import HazardGrade, HazardStatus
from inspector.domain.errors import UserError
from inspector.services.documents.follow_ups import (
    FOLLOW_UP_KINDS,
    follow_up_draft,
)
from inspector.services.documents.model import (
    VOIDED,
    Draft,
    DraftItem,
    KindChoice,
    agency_power,
    parse_date,
    party_from,
)
from inspector.services.documents.rendering import DraftRendering
from inspector.store.models import (
    Document,
    Hazard,
    Inspection,
    InspectionInspector,
    Photo,
    Unit,
    User,
)
from inspector.util.clock import to_local

# the questions a 询问笔录 opens with, after the notice of rights is read (the inspector edits them)
INQUIRY_OPENING = (
    "以上告知的内容，你听清楚了吗？",
    "你是否申请执法人员回避？",
    "请讲一下你的基本情况（姓名、工作单位、职务）。",
)


class Drafting(DraftRendering):
    """Drafts from the record or an earlier document."""

    # -- what can be drafted -------------------------------------------------------------------
    def electronic_signing_allowed(self, agency_id: str) -> bool:
        with self.ctx.store.read() as s:
            return self._agency(s, agency_id).electronic_signing

    def kinds_for_inspection(self, inspection_id: str) -> list[KindChoice]:
        """The kinds a finished inspection can produce, disabled ones with the reason."""
        with self.ctx.store.read() as s:
            insp = s.get(Inspection, inspection_id)
            if insp is None:
                raise UserError("找不到该检查记录。")
            agency = self._agency(s, insp.agency_id)
            power = agency_power(agency)
            outside = self._outside_power(s, inspection_id, power)
        out = []
        for spec in SPECS.values():
            if not spec.from_inspection:
                continue
            if spec.kind == CASE_TRANSFER and not outside:
                continue  # offered only when a finding belongs to another authority
            if spec.enforcement and not power.may_enforce:
                out.append(KindChoice(spec.kind, spec.title, False, "本机关无执法授权"))
            elif spec.kind == "seizure" and not power.may_take_coercive_measures:
                out.append(
                    KindChoice(
                        spec.kind,
                        spec.title,
                        False,
                        "受委托不得实施行政强制措施（行政强制法第十七条）",
                    )
                )
            elif insp.status != "finished":
                out.append(KindChoice(spec.kind, spec.title, False, "请先完成检查"))
            else:
                out.append(KindChoice(spec.kind, spec.title, True))
        return out

    # -- drafting ------------------------------------------------------------------------------
    def draft_from_inspection(self, kind: str, inspection_id: str) -> Draft:
        spec = SPECS.get(kind)
        if spec is None or not spec.from_inspection:
            raise UserError(f"不能从检查记录直接制作该文书（{kind}）。")
        with self.ctx.store.read() as s:
            insp = s.get(Inspection, inspection_id)
            if insp is None:
                raise UserError("找不到该检查记录。")
            if insp.status != "finished":
                raise UserError("请先完成检查，再制作执法文书。")
            unit = s.get(Unit, insp.unit_id)
            assert unit is not None
            officers = self._officers(s, inspection_id)
            hazards = s.exec(
                select(Hazard)
                .where(Hazard.inspection_id == inspection_id)
                .where(col(Hazard.status) != HazardStatus.WITHDRAWN.value)
                .order_by(col(Hazard.created_at))
            ).all()
            photos = s.exec(
                select(Photo.id).where(
                    Photo.inspection_id == inspection_id, Photo.removed_reason == ""
                )
            ).all()
            agency = self._agency(s, insp.agency_id)
        party = Party(
            name=unit.name,
            address=unit.address,
            legal_rep=insp.representative or unit.legal_rep,
            legal_rep_title=insp.representative_title,
            phone=insp.representative_phone or unit.contact_phone,
            credit_code=unit.credit_code or "",
        )
        if kind in PENALTY_KINDS:
            # the party penalised is the unit: its 法定代表人, not whoever received the inspectors
            same = insp.representative.strip() == unit.legal_rep.strip()
            party = replace(
                party,
                legal_rep=unit.legal_rep,
                legal_rep_title=insp.representative_title if same else "",
                phone=unit.contact_phone or party.phone,
            )
        if spec.person:
            party = Party(name="", address="")
        if spec.kind == "inquiry_record":  # the unit's representative is asked first, usually
            party = Party(
                name=insp.representative,
                phone=insp.representative_phone,
                workplace=unit.name,
                legal_rep_title=insp.representative_title,
            )
        power = agency_power(agency)
        items = [
            DraftItem(
                text=h.description,
                legal_basis=h.legal_basis,
                deadline=h.deadline,
                measure=h.measure,
                hazard_id=h.id,
                grade=h.grade,
                authority=authority_of(h.authority),
            )
            for h in hazards
        ]
        fields = self._default_fields(spec, insp, unit)
        if kind == CASE_TRANSFER:
            items = self._transfer_items(items, power, fields, agency.county, inspection_id)
        elif kind in ORDER_KINDS:
            for item in items:
                if not power.may_act_on(item.authority):
                    item.include = False
                    item.exclude_reason = (
                        f"不属本机关职权，应移送{receiving_body(item.authority, agency.county)}"
                    )
        draft = Draft(
            kind=kind,
            unit_id=unit.id,
            agency_id=insp.agency_id,
            party=party,
            officers=officers,
            inspection_id=inspection_id,
            fields=fields,
            items=items if spec.items_label else [],
            rows=[{"q": q, "a": ""} for q in INQUIRY_OPENING] if kind == "inquiry_record" else [],
            photo_ids=[] if kind == "inquiry_record" else list(photos),
        )
        if kind == "inquiry_record":
            fields["recorder"] = officers[-1].name if officers else ""
        draft.signers = self.default_signers(draft)
        return draft

    def draft_from_document(self, kind: str, document_id: str) -> Draft:
        """A document drafted from an issued one (KindSpec.follows): 整改复查意见书 from an order
        (its items with a verdict each), 送达回执 for any document, and the follow-up decisions
        (services.documents.follow_ups). A source of the wrong kind drafts, and the rules refuse."""
        spec = SPECS.get(kind)
        if spec is None or spec.from_inspection:
            raise UserError(f"该文书（{kind}）应从检查记录制作。")
        with self.ctx.store.read() as s:
            doc = s.get(Document, document_id)
            if doc is None:
                raise UserError("找不到所依据的文书。")
            unit = s.get(Unit, doc.unit_id)
            assert unit is not None
            data = json.loads(doc.data or "{}")
            review = s.exec(
                select(Inspection)
                .where(Inspection.review_of_id == document_id)
                .order_by(col(Inspection.started_at).desc())
            ).first()
            source_insp = review.id if review else doc.inspection_id
            officers = self._officers(s, source_insp) if source_insp else []
        party = party_from(data) or Party(
            name=unit.name, address=unit.address, legal_rep=unit.legal_rep
        )
        issued_on = str(data.get("issued_on", ""))
        fields: dict[str, str] = {}
        items: list[DraftItem] = []
        rows: list[dict[str, str]] = []
        if kind == PENALTY_DECISION:
            fields = self._decision_fields(doc, data)
        elif spec.reviews:
            fields = {
                "order_date": chinese_date(date.fromisoformat(issued_on)) if issued_on else "",
                "order_number": doc.number or "",
                "order_title": doc.title,
                "conclusion": "",
            }
            done = self._settled_hazards(
                [str(it.get("hazard_id") or "") for it in data.get("items", [])]
            )
            for it in data.get("items", []):
                if it.get("hazard_id") in done:
                    continue  # already 销号 by an earlier 复查: nothing left to judge
                items.append(
                    DraftItem(
                        text=str(it.get("text", "")),
                        legal_basis=str(it.get("legal_basis", "")),
                        deadline=None,
                        measure=str(it.get("measure", "")),
                        hazard_id=it.get("hazard_id"),
                        grade=str(it.get("grade", HazardGrade.GENERAL.value)),
                    )
                )
        elif kind in FOLLOW_UP_KINDS:
            fields, rows = follow_up_draft(kind, doc.title, doc.number or "", data)
        else:
            when = to_local(self.ctx.clock.now())
            fields = {
                "case_name": f"{unit.name}安全生产检查",
                "method": "直接送达",
                "place": unit.address,
                "remarks": "",
                "recipient_name": party.legal_rep,
            }
            rows = [
                {
                    "document": f"{doc.title}{doc.number or ''}",
                    "place": unit.address,
                    "time": chinese_date(when.date()) + f"{when.hour}时{when.minute:02d}分",
                    "method": "直接送达",
                    "server": "、".join(o.name for o in officers),
                }
            ]
        draft = Draft(
            kind=kind,
            unit_id=unit.id,
            agency_id=self._doc_agency(doc),
            party=party,
            officers=officers,
            inspection_id=review.id if (review and spec.reviews) else doc.inspection_id,
            refers_to_id=document_id,
            fields=fields,
            items=items,
            rows=rows,
        )
        draft.signers = self.default_signers(draft)
        return draft

    @staticmethod
    def _decision_fields(doc: Document, data: dict[str, object]) -> dict[str, str]:
        """A 处罚决定书 starts from its 罚告: what the notice intended, and whether it offered a
        hearing (as printed, so a hearing forced by the amount stays offered)."""
        if doc.kind != "penalty_notice" or doc.status != "issued":
            raise UserError("行政处罚决定书须依据已签发的行政处罚告知书制作。")
        given = data.get("input_fields") or {}
        printed = data.get("fields") or {}
        assert isinstance(given, dict) and isinstance(printed, dict)
        keys = [f.key for f in SPECS[PENALTY_DECISION].fields]
        fields = {k: str(given.get(k, "")) for k in keys}
        fields.update(
            notice_number=doc.number or "",
            notice_issued_on=str(data.get("issued_on", "")),
            statement_outcome="none",
            statement="",
            statement_in_writing="",
            hearing="yes" if printed.get("hearing") else "",
            hearing_outcome="not_requested" if printed.get("hearing") else "",
        )
        return fields

    def draft_correction(self, document_id: str) -> Draft:
        """A replacement for a voided document, pre-filled with its content (更正)."""
        with self.ctx.store.read() as s:
            doc = s.get(Document, document_id)
            if doc is None:
                raise UserError("找不到要更正的文书。")
            if doc.status != VOIDED:
                raise UserError("请先作废原文书（写明作废理由），再制作更正文书。")
            data = json.loads(doc.data or "{}")
        if doc.kind not in SPECS:
            raise UserError("该种文书的更正请重新从检查记录制作。")
        party = party_from(data) or Party(name="")
        items = [
            DraftItem(
                text=str(it.get("text", "")),
                legal_basis=str(it.get("legal_basis", "")),
                deadline=parse_date(str(it.get("deadline") or "")),
                measure=str(it.get("measure", "")),
                verdict=str(it.get("verdict", "")),
                note=str(it.get("note", "")),
                hazard_id=it.get("hazard_id"),
                grade=str(it.get("grade", HazardGrade.GENERAL.value)),
            )
            for it in data.get("items", [])
        ]
        draft = Draft(
            kind=doc.kind,
            unit_id=doc.unit_id,
            agency_id=self._doc_agency(doc),
            party=party,
            officers=[Officer(str(o["name"]), str(o["cert_no"])) for o in data.get("officers", [])],
            inspection_id=doc.inspection_id,
            refers_to_id=doc.refers_to_id,
            supersedes_id=doc.id,
            fields={str(k): str(v) for k, v in (data.get("input_fields") or {}).items()},
            items=items,
            rows=[{str(k): str(v) for k, v in r.items()} for r in data.get("rows", [])],
        )
        draft.signers = self.default_signers(draft)
        return draft

    @staticmethod
    def _outside_power(s: Session, inspection_id: str, power: AgencyPower) -> list[str]:
        """The authorities of this inspection's findings that the agency may not act on."""
        found = s.exec(
            select(Hazard.authority)
            .where(Hazard.inspection_id == inspection_id)
            .where(col(Hazard.status) != HazardStatus.WITHDRAWN.value)
            .order_by(col(Hazard.created_at))
        ).all()
        out: list[str] = []
        for code in (authority_of(a) for a in found):
            if not power.may_act_on(code) and code not in out:
                out.append(code)
        return out

    def _transfer_items(
        self,
        items: list[DraftItem],
        power: AgencyPower,
        fields: dict[str, str],
        county: str,
        inspection_id: str,
    ) -> list[DraftItem]:
        """A 案件移送书 goes to one body: the first authority of the record's findings not yet
        transferred; the findings of the others wait for their own 移送书."""
        with self.ctx.store.read() as s:
            outside = self._outside_power(s, inspection_id, power)
            done = {
                str((json.loads(d.data or "{}").get("input_fields") or {}).get("authority", ""))
                for d in s.exec(
                    select(Document).where(
                        Document.inspection_id == inspection_id,
                        Document.kind == CASE_TRANSFER,
                        Document.status == "issued",
                    )
                )
            }
        if not outside:
            raise UserError("本次检查没有需要移送的问题：发现的问题均属本机关职权。")
        authority = next((a for a in outside if a not in done), outside[0])
        fields.update(
            authority=authority,
            receiver=receiving_body(authority, county),
            transfer_basis=TRANSFER_BASIS.get(authority, TRANSFER_BASIS[""]),
        )
        out = []
        for item in items:
            if item.authority == authority:
                out.append(item)
            elif not power.may_act_on(item.authority):
                item.include = False
                item.exclude_reason = (
                    f"属{AUTHORITY_NAMES.get(item.authority, item.authority)}职权，"
                    f"另行移送{receiving_body(item.authority, county)}"
                )
                out.append(item)
        return out

    def _settled_hazards(self, ids: list[str]) -> set[str]:
        with self.ctx.store.read() as s:
            return {
                h.id
                for h in s.exec(select(Hazard).where(col(Hazard.id).in_(ids)))
                if h.status in (HazardStatus.CLOSED.value, HazardStatus.WITHDRAWN.value)
            }

    def _doc_agency(self, doc: Document) -> str:
        with self.ctx.store.read() as s:
            if doc.inspection_id:
                insp = s.get(Inspection, doc.inspection_id)
                if insp is not None:
                    return insp.agency_id
            return self._agency(s).id

    @staticmethod
    def _officers(s: Session, inspection_id: str) -> list[Officer]:
        rows = s.exec(
            select(User)
            .join(InspectionInspector, col(InspectionInspector.user_id) == User.id)
            .where(InspectionInspector.inspection_id == inspection_id)
            .order_by(col(InspectionInspector.seq))
        ).all()
        return [Officer(u.name, u.cert_no) for u in rows]

    def _default_fields(self, spec: KindSpec, insp: Inspection, unit: Unit) -> dict[str, str]:
        today = self.ctx.clock.today()
        started = to_local(insp.started_at).date()
        fields: dict[str, str] = {"inspection_date": chinese_date(started)}
        for f in spec.fields:
            fields.setdefault(f.key, "")
        if spec.kind == "seizure":
            fields.update(measure="查封", period_start=today.isoformat())
        if spec.kind.startswith("onsite_penalty"):
            fields.update(penalty_type="warning", payment="bank", decided_place=unit.address)
        if spec.kind == "inquiry_notice":
            fields.update(
                matter=f"{unit.name}的安全生产有关情况",
                appear_date=(today + timedelta(days=3)).isoformat(),
                appear_time="09:00",
            )
        if spec.kind == "inquiry_record":
            now = to_local(self.ctx.clock.now())
            fields.update(
                inquiry_date=today.isoformat(),
                time_from=f"{now.hour:02d}:{now.minute:02d}",
                place=unit.address,
                position=insp.representative_title,
            )
        if spec.kind in ("penalty_notice", "evidence_notice"):
            fields["party_type"] = "unit"
        if spec.kind == CASE_TRANSFER:
            fields["attachments"] = "现场检查记录（复印件）1份\n现场照片及说明"
        if spec.kind == "hazard_notice":
            with self.ctx.store.read() as s:
                agency = self._agency(s, insp.agency_id)
            fields["report_to"] = (
                f"{agency.county}应急管理局等部门" if agency.county else "县应急管理局等部门"
            )
        return fields
