"""Drafting a document: from the inspection, from an issued document (复查, 送达回执), a
correction of a voided one; the printed fields and the preview."""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from datetime import date, timedelta

from sqlmodel import Session, col, select

from inspector.documents.form_document import template_default
from inspector.documents.layout import chinese_date
from inspector.documents.model import (
    AnnexPhoto,
    DocItem,
    DocumentData,
    Officer,
    Party,
    SignatureMark,
)
from inspector.domain.agency_settings import AgencyPower, authority_of, receiving_body
from inspector.domain.authorities import AUTHORITY_NAMES
from inspector.domain.document_kinds import (
    CASE_TRANSFER,
    KEEP_MODES,
    ORDER_KINDS,
    PENALTY_DECISION,
    PENALTY_KINDS,
    SPECS,
    TRANSFER_BASIS,
    KindSpec,
    clock_minutes,
    decision_statement_wording,
    fine_of,
    hearing_basis,
    hearing_items,
    hearing_wording,
    intended_penalty,
    party_is_person,
    statement_wording,
)
from inspector.domain.enums import HazardGrade, HazardStatus
from inspector.domain.errors import UserError
from inspector.services.context import Context
from inspector.services.documents.follow_ups import (
    FOLLOW_UP_KINDS,
    follow_up_draft,
    printed_rows,
)
from inspector.services.documents.follow_ups import (
    printed_fields as follow_up_fields,
)
from inspector.services.documents.model import (
    ELECTRONIC,
    PARTY_LABELS,
    VOIDED,
    Draft,
    DraftItem,
    KindChoice,
    SignerInput,
    agency_info,
    agency_power,
    field_label,
    large_fine,
    parse_date,
    party_from,
    render,
)
from inspector.services.journal import (
    get_setting,
)
from inspector.services.textcheck import clean_text
from inspector.store.models import (
    Agency,
    Document,
    Hazard,
    Inspection,
    InspectionInspector,
    Photo,
    Unit,
    User,
)
from inspector.util.clock import clock_note, to_local

# the questions a 询问笔录 opens with, after the notice of rights is read (the inspector edits them)
INQUIRY_OPENING = (
    "以上告知的内容，你听清楚了吗？",
    "你是否申请执法人员回避？",
    "请讲一下你的基本情况（姓名、工作单位、职务）。",
)


class Drafting:
    """Drafts from the record or an earlier document, and how a draft prints."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # -- what can be drafted -------------------------------------------------------------------
    def _agency(self, s: Session, agency_id: str | None = None) -> Agency:
        agency_id = agency_id or get_setting(s, "agency_id")
        agency = s.get(Agency, agency_id) if agency_id else None
        if agency is None:
            raise UserError("本机尚未设置执法机关，请先登录同步或由管理员设置。")
        return agency

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

    @staticmethod
    def _sync_signers(draft: Draft) -> None:
        """The party's (or recipient's) slot carries the name now in the form, not the one the
        draft started with; a signature captured for another name is dropped."""
        name = (
            draft.party.name if party_is_person(draft.kind, draft.fields) else draft.party.legal_rep
        )
        if draft.kind == "service_receipt":
            name = draft.fields.get("recipient_name") or name
        for signer in draft.signers:
            if signer.role in ("party", "recipient") and signer.name != name:
                signer.name = name
                signer.image_png = None

    def default_signers(self, draft: Draft) -> list[SignerInput]:
        """The signature slots of the kind: the officers, then the party (or recipient)."""
        signers = [SignerInput("officer", o.name, o.cert_no) for o in draft.officers]
        if draft.kind == CASE_TRANSFER:
            return signers  # the receiving body signs its receipt on paper
        role = "recipient" if draft.kind == "service_receipt" else "party"
        name = (
            draft.party.name if party_is_person(draft.kind, draft.fields) else draft.party.legal_rep
        )
        signers.append(SignerInput(role, name))
        return signers

    # -- rendering ---------------------------------------------------------------------------
    def document_data(self, draft: Draft, number: str | None) -> DocumentData:
        with self.ctx.store.read() as s:
            agency = self._agency(s, draft.agency_id)
            supersedes = ""
            if draft.supersedes_id:
                old = s.get(Document, draft.supersedes_id)
                supersedes = old.number or "" if old else ""
            photos = [s.get(Photo, pid) for pid in draft.photo_ids]
        annex = []
        for n, p in enumerate([p for p in photos if p is not None and not p.removed_reason], 1):
            when = to_local(p.captured_at).strftime("%Y-%m-%d %H:%M")
            caption = p.caption or p.original_name or f"现场照片{n}"
            annex.append(AnnexPhoto(self.ctx.blobs.read(p.display_sha256), f"{caption}（{when}）"))
        included = [i for i in draft.items if i.include]
        return DocumentData(
            kind=draft.kind,
            agency=agency_info(agency, draft.spec.enforcement),
            number=number,
            party=draft.party,
            officers=list(draft.officers),
            issued_on=self.ctx.clock.today(),
            fields=self._printed_fields(draft),
            items=[
                DocItem(
                    i.text,
                    i.legal_basis,
                    i.deadline,
                    i.measure,
                    i.verdict,
                    i.note,
                    i.hazard_id,
                )
                for i in included
            ],
            rows=printed_rows(draft.kind, draft.fields, draft.rows),
            signatures=[
                SignatureMark(
                    x.role,
                    x.name,
                    x.cert_no,
                    x.image_png if draft.signing == ELECTRONIC else None,
                    x.refused,
                    x.refusal_reason,
                    x.witness,
                )
                for x in draft.signers
                if x.refused or (x.image_png is not None and draft.signing == ELECTRONIC)
            ],
            photos=annex,
            supersedes=supersedes,
            clock_note=clock_note(self.ctx.clock.offset_s),
        )

    def _printed_fields(self, draft: Draft) -> dict[str, str]:
        """The input fields as the template prints them (dates and money worded)."""
        f = dict(draft.fields)
        spec = draft.spec
        for fs in spec.fields:
            if fs.kind == "date":
                d = parse_date(f.get(fs.key, ""))
                if d is not None:
                    f[fs.key] = chinese_date(d)
        if spec.kind == "seizure":
            start, end = (
                parse_date(draft.fields.get("period_start", "")),
                parse_date(draft.fields.get("period_end", "")),
            )
            if start and end:
                f["period_days"] = str((end - start).days + 1)
            f.setdefault("list_no", "")
            f["legal_basis"] = f.get("legal_basis") or template_default(spec.kind, "legal_basis")
        if spec.kind == "onsite_measures":
            f["measures_basis"] = f.get("measures_basis") or template_default(
                spec.kind, "measures_basis"
            )
            until = parse_date(draft.fields.get("suspend_until", ""))
            if until is not None:
                f["suspension"] = (
                    f"暂时停产停业、停止使用期限至{chinese_date(until)}止；事故隐患排除后，"
                    "经本机关审查同意，方可恢复生产经营和使用。"
                )
        if spec.kind.startswith("onsite_penalty"):
            fine = fine_of(draft.fields)
            if draft.fields.get("penalty_type") == "fine" and fine and fine > 0:
                f["penalty"] = f"罚款人民币{fine}元"
            else:
                f["penalty"] = "警告"
                f["payment"] = ""
            now = to_local(self.ctx.clock.now())
            f["decided_at"] = chinese_date(now.date()) + f"{now.hour}时{now.minute:02d}分"
            f["party_signer"] = draft.party.legal_rep if not spec.person else draft.party.name
            f["statement_record"] = statement_wording(draft.fields)
        if spec.kind == "penalty_notice":
            with self.ctx.store.read() as s:
                agency = self._agency(s, draft.agency_id)
            due = hearing_items(
                draft.fields,
                party_is_person(draft.kind, draft.fields),
                large_fine(agency, person=True),
                large_fine(agency, person=False),
            )
            f["penalty"] = intended_penalty(draft.fields)
            # the hearing is not a tick box: a §63 ground prints it whatever the box says
            f["hearing"] = "yes" if (due or draft.fields.get("hearing")) else ""
            f["hearing_basis"] = hearing_basis(due)
        if spec.kind == PENALTY_DECISION:
            f["penalty"] = intended_penalty(draft.fields)
            f["statement_record"] = decision_statement_wording(draft.fields)
            f["hearing_record"] = hearing_wording(draft.fields)
            f["payment"] = "bank" if (fine_of(draft.fields) or 0) > 0 else ""
            f["party_signer"] = (
                draft.party.name
                if party_is_person(draft.kind, draft.fields)
                else draft.party.legal_rep
            )
        if spec.kind == "evidence_notice":
            mode = draft.fields.get("keep_mode", "")
            label = dict(KEEP_MODES).get(mode, "")
            place = draft.fields.get("keep_place", "").strip()
            if mode == "agency":
                place = place or label
            f["keep_place"] = place or "＿＿＿＿"
            f["keep_onsite"] = "yes" if mode == "onsite" else ""
        if spec.kind == "service_receipt":
            for row in draft.rows:
                row.setdefault("method", draft.fields.get("method", ""))
                row.setdefault("place", draft.fields.get("place", ""))
            f["recipient_name"] = f.get("recipient_name") or draft.party.legal_rep
        if spec.kind == "inquiry_record":
            f["inquiry_time"] = _inquiry_time(draft.fields)
        if spec.kind == "inquiry_notice":
            f["appear_time_text"] = _clock_text(draft.fields.get("appear_time", ""))
        f.update(follow_up_fields(spec.kind, draft.fields))
        if spec.kind == "review_opinion" and not f.get("conclusion"):
            f["conclusion"] = ""
        return f

    def preview(self, draft: Draft) -> bytes:
        """The draft as it would print, with the number left blank (CPU work, no writes)."""

        self._check_texts(draft)
        return render(self.document_data(draft, None))

    def _check_texts(self, draft: Draft) -> None:
        """Lengths and printable characters of every text the person typed (UserError), and the
        signature slots brought in line with the party as edited."""
        self._sync_signers(draft)
        limit = self.ctx.settings.text_max_chars
        for key, value in draft.fields.items():
            clean_text(field_label(draft.spec, key), value, max_chars=limit)
        for key, value in asdict(draft.party).items():
            clean_text(PARTY_LABELS.get(key, key), str(value), max_chars=200)
        for n, row in enumerate(draft.rows, start=1):
            for value in row.values():
                clean_text(f"清单第{n}行", value, max_chars=200)
        for n, item in enumerate(draft.items, start=1):
            clean_text(f"第{n}项的说明", item.note, max_chars=limit)
            clean_text(f"第{n}项不列入的理由", item.exclude_reason, max_chars=500)
        for signer in draft.signers:
            clean_text("签名人姓名", signer.name, max_chars=100)
        for n, item in enumerate(draft.items, start=1):
            for label, value in (
                ("问题", item.text),
                ("依据", item.legal_basis),
                ("措施", item.measure),
            ):
                clean_text(f"第{n}项的{label}", value, max_chars=limit)
        for label, value in (("单位名称", draft.party.name), ("负责人", draft.party.legal_rep)):
            clean_text(label, value, max_chars=200)
        for signer in draft.signers:
            clean_text("拒签理由", signer.refusal_reason, max_chars=500)
            clean_text("见证人", signer.witness, max_chars=100)


def _clock_text(value: str) -> str:
    minutes = clock_minutes(value)
    return f"{minutes // 60}时{minutes % 60:02d}分" if minutes is not None else "　　时　　分"


def _inquiry_time(fields: dict[str, str]) -> str:
    """ "2026年12月6日9时30分至10时15分" (blanks where a time is not yet known)."""
    day = parse_date(fields.get("inquiry_date", ""))
    start = chinese_date(day) if day else "　　年　　月　　日"
    return f"{start}{_clock_text(fields.get('time_from', ''))}至{_clock_text(fields.get('time_to', ''))}"
