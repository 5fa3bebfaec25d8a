"""Enforcement documents other than the 现场检查记录: draft from the record, check, issue, void.

A draft is plain data the person edits in a form (never the PDF). Issuing runs the reviewer's rules,
takes the next number from this device's blocks, renders and hashes the PDF, and stores number,
document, signatures, hazard steps, outbox and audit event in one transaction. An issued document is
never changed: it can be voided (作废, with a reason) and replaced by a new one naming it.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from inspector.documents.layout import chinese_date
from inspector.documents.model import (
    AgencyInfo,
    AnnexPhoto,
    DocItem,
    DocumentData,
    Officer,
    Party,
    SignatureMark,
)
from inspector.domain.document_kinds import (
    ORDER_KINDS,
    SPECS,
    KindSpec,
    RuleInput,
    fine_of,
    problems,
)
from inspector.domain.enums import HazardGrade, HazardStatus
from inspector.domain.errors import UserError
from inspector.domain.hazard_loop import HazardStep, allowed
from inspector.domain.numbering import number_for
from inspector.services.changes import Changes
from inspector.services.context import Context
from inspector.services.hazard_loop import record_step
from inspector.services.journal import (
    audit,
    ensure_blob_row,
    get_setting,
    queue,
    row_payload,
    to_jsonable,
)
from inspector.services.numbering import NumberingService, series_for
from inspector.services.records import export_file
from inspector.services.textcheck import clean_text
from inspector.services.trusted_time import require_confirmed_time
from inspector.store.models import (
    Agency,
    DocDraft,
    Document,
    Hazard,
    Inspection,
    InspectionInspector,
    NumberUse,
    Photo,
    Signature,
    Unit,
    User,
)
from inspector.util.clock import clock_note, to_local
from inspector.util.ids import uuid7

ISSUED, VOIDED = "issued", "voided"
RIGHTS_NOTICE_KINDS = (
    "rectification_order",
    "onsite_measures",
    "seizure",
    "onsite_penalty_unit",
    "onsite_penalty_person",
)
STATUS_LABELS = {"draft": "草稿", ISSUED: "已签发", VOIDED: "已作废"}
PAPER, ELECTRONIC = "paper", "electronic"


@dataclass
class DraftItem:
    text: str
    legal_basis: str = ""
    deadline: date | None = None
    measure: str = ""
    include: bool = True
    exclude_reason: str = ""
    verdict: str = ""  # 复查: ok / failed
    note: str = ""
    hazard_id: str | None = None
    grade: str = HazardGrade.GENERAL.value


@dataclass
class SignerInput:
    role: str  # officer | party | witness | recipient
    name: str
    cert_no: str = ""
    image_png: bytes | None = None
    refused: bool = False
    refusal_reason: str = ""
    witness: str = ""


@dataclass
class Draft:
    """A document being prepared: everything the form edits."""

    kind: str
    unit_id: str
    agency_id: str
    party: Party
    officers: list[Officer]
    inspection_id: str | None = None
    refers_to_id: str | None = None
    supersedes_id: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    items: list[DraftItem] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    signing: str = PAPER
    signers: list[SignerInput] = field(default_factory=list)
    photo_ids: list[str] = field(default_factory=list)

    @property
    def spec(self) -> KindSpec:
        return SPECS[self.kind]

    @property
    def key(self) -> str:
        """Which case this form is for: the same key reopens the same unsaved form."""
        parts = (self.kind, self.inspection_id, self.refers_to_id, self.supersedes_id)
        return "|".join(p or "" for p in parts)


@dataclass(frozen=True)
class IssuedDocument:
    document_id: str
    number: str
    pdf_sha256: str
    low_warning: str | None
    changes: Changes


@dataclass(frozen=True)
class DocumentRow:
    id: str
    unit_id: str
    unit_name: str
    kind: str
    title: str
    number: str
    issued_on: date | None
    status: str
    status_label: str
    signing: str
    print_count: int
    pdf_sha256: str | None
    supersedes: str
    void_reason: str
    inspection_id: str | None


@dataclass(frozen=True)
class KindChoice:
    kind: str
    title: str
    enabled: bool
    why_not: str = ""


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class DocumentService:
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
        out = []
        for spec in SPECS.values():
            if not spec.from_inspection:
                continue
            if spec.enforcement and not agency.has_enforcement_power:
                out.append(KindChoice(spec.kind, spec.title, False, "本机关无执法授权"))
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
            photos = s.exec(select(Photo.id).where(Photo.inspection_id == inspection_id)).all()
        party = Party(
            name=unit.name,
            address=unit.address,
            legal_rep=insp.representative or unit.legal_rep,
            legal_rep_title=insp.representative_title,
            phone=insp.representative_phone or unit.contact_phone,
            credit_code=unit.credit_code or "",
        )
        if spec.person:
            party = Party(name="", address="")
        items = [
            DraftItem(
                text=h.description,
                legal_basis=h.legal_basis,
                deadline=h.deadline,
                measure=h.measure,
                hazard_id=h.id,
                grade=h.grade,
            )
            for h in hazards
        ]
        fields = self._default_fields(spec, insp, unit)
        draft = Draft(
            kind=kind,
            unit_id=unit.id,
            agency_id=insp.agency_id,
            party=party,
            officers=officers,
            inspection_id=inspection_id,
            fields=fields,
            items=items if spec.items_label else [],
            photo_ids=list(photos),
        )
        draft.signers = self.default_signers(draft)
        return draft

    def draft_from_document(self, kind: str, document_id: str) -> Draft:
        """整改复查意见书 from an order (its items with a verdict each) or 送达回执 for a document."""
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
        party = _party(data) or Party(
            name=unit.name, address=unit.address, legal_rep=unit.legal_rep
        )
        issued_on = str(data.get("issued_on", ""))
        fields: dict[str, str] = {}
        items: list[DraftItem] = []
        rows: list[dict[str, str]] = []
        if spec.reviews:
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
        party = _party(data) or Party(name="")
        items = [
            DraftItem(
                text=str(it.get("text", "")),
                legal_basis=str(it.get("legal_basis", "")),
                deadline=_date(str(it.get("deadline") or "")),
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
        name = draft.party.name if draft.spec.person else draft.party.legal_rep
        if draft.kind == "service_receipt":
            name = draft.fields.get("recipient_name") or name
        for signer in draft.signers:
            if signer.role in ("party", "recipient") and signer.name != name:
                signer.name = name
                signer.image_png = None

    def default_signers(self, draft: Draft) -> list[SignerInput]:
        """The signature slots of the kind: the officers, then the party (or recipient)."""
        signers = [SignerInput("officer", o.name, o.cert_no) for o in draft.officers]
        role = "recipient" if draft.kind == "service_receipt" else "party"
        name = draft.party.name if draft.spec.person else draft.party.legal_rep
        signers.append(SignerInput(role, name))
        return signers

    # -- the rules ---------------------------------------------------------------------------
    def problems(self, draft: Draft) -> list[str]:
        """What stops this draft from being issued (empty: ready)."""
        self._sync_signers(draft)
        with self.ctx.store.read() as s:
            agency = self._agency(s, draft.agency_id)
            prior, prior_problem = self._prior(s, draft)
            supersedes_ok = True
            corrected_by: Document | None = None
            if draft.supersedes_id:
                old = s.get(Document, draft.supersedes_id)
                supersedes_ok = old is not None and old.status == VOIDED
                corrected_by = s.exec(
                    select(Document).where(
                        Document.supersedes_id == draft.supersedes_id, Document.status == ISSUED
                    )
                ).first()
            twin = self._issued_twin(s, draft)
        electronic = draft.signing == ELECTRONIC
        out: list[str] = []
        if draft.kind in RIGHTS_NOTICE_KINDS and not (
            agency.review_government.strip() and agency.court.strip()
        ):
            out.append(
                "本机关的行政复议机关或行政诉讼法院尚未设置，文书的权利告知不完整"
                "（未告知的，复议期限最长可延至一年）。请管理员在机关设置中填写。"
            )
        if corrected_by is not None:
            out.append(f"该作废文书已由{corrected_by.number}更正，不能再次更正。")
        if twin is not None and draft.supersedes_id is None:
            out.append(
                f"本次检查已签发{twin.title}（{twin.number}），同一文书不能重复签发；"
                "如需更正，请在“文书”中先作废原文书，再点“更正…”。"
            )
        if electronic and not agency.electronic_signing:
            out.append("本机关未启用电子签名，请打印后手写签名。")
        rule = RuleInput(
            kind=draft.kind,
            today=self.ctx.clock.today(),
            has_power=agency.has_enforcement_power,
            electronic=electronic,
            officers=[(o.name, o.cert_no) for o in draft.officers],
            items=[
                (i.text, i.include, i.exclude_reason, i.deadline, i.verdict) for i in draft.items
            ],
            fields=dict(draft.fields),
            rows=len([r for r in draft.rows if any(v.strip() for v in r.values())]),
            prior_order=prior,
            prior_problem=prior_problem,
            signers=[
                (x.role, x.name, x.image_png is not None, x.refused, x.refusal_reason, x.witness)
                for x in draft.signers
            ],
            agency_bank=bool(agency.bank_name.strip() and agency.bank_account.strip()),
            supersedes_ok=supersedes_ok,
        )
        out += problems(rule)
        out += self._hazard_problems(draft)
        if not draft.spec.person and not draft.party.name.strip():
            out.append("请填写被检查（被处罚）单位名称。")
        if draft.spec.person and not draft.party.name.strip():
            out.append("请填写被处罚人姓名。")
        return out

    def _settled_hazards(self, ids: list[str]) -> set[str]:
        with self.ctx.store.read() as s:
            return {
                h.id
                for h in s.exec(select(Hazard).where(col(Hazard.id).in_(ids)))
                if h.status in (HazardStatus.CLOSED.value, HazardStatus.WITHDRAWN.value)
            }

    def _hazard_problems(self, draft: Draft) -> list[str]:
        """A 复查 cannot judge a hazard that is already 销号 (or withdrawn)."""
        if not draft.spec.reviews:
            return []
        out = []
        with self.ctx.store.read() as s:
            for n, item in enumerate(draft.items, start=1):
                hazard = s.get(Hazard, item.hazard_id) if item.hazard_id else None
                if (
                    item.include
                    and hazard is not None
                    and hazard.status
                    in (
                        HazardStatus.CLOSED.value,
                        HazardStatus.WITHDRAWN.value,
                    )
                ):
                    out.append(
                        f"第{n}项（{item.text[:16]}）的隐患已{HazardStatus(hazard.status).label}，"
                        "无需再复查；请重新制作复查意见书。"
                    )
        return out

    @staticmethod
    def _issued_twin(s: Session, draft: Draft) -> Document | None:
        """An issued document of the same kind, record, source and party (a double issue)."""
        if draft.inspection_id is None:
            return None
        for doc in s.exec(
            select(Document).where(
                Document.kind == draft.kind,
                Document.inspection_id == draft.inspection_id,
                Document.status == ISSUED,
            )
        ):
            party = (_party(json.loads(doc.data or "{}")) or Party(name="")).name
            same_party = party == draft.party.name or not draft.spec.person
            if doc.refers_to_id == draft.refers_to_id and same_party:
                return doc
        return None

    def _case_of(self, s: Session, draft: Draft, per_case: bool) -> str | None:
        """The case whose serial a per-case agency gives this document: the inspection the order
        came from (a 复查 and a 送达回执 belong to the order's case). A correction takes a fresh
        serial, so it never repeats the number of the document it replaces."""
        if not per_case or draft.supersedes_id:
            return None
        case = draft.inspection_id
        if draft.refers_to_id:
            source = s.get(Document, draft.refers_to_id)
            if source is not None and source.inspection_id:
                case = source.inspection_id
        return case

    def _prior(self, s: Session, draft: Draft) -> tuple[str | None, str]:
        if draft.kind not in ("review_opinion", "service_receipt"):
            return "", ""
        doc = s.get(Document, draft.refers_to_id) if draft.refers_to_id else None
        if doc is None or doc.unit_id != draft.unit_id:
            return None, ""
        if doc.status != ISSUED:
            return (
                f"{doc.title}{doc.number or ''}",
                f"所依据的{doc.title}已作废或未签发，不能据此出具。",
            )
        if draft.kind == "review_opinion" and doc.kind not in ORDER_KINDS:
            return None, ""
        return f"{doc.title}{doc.number or ''}", ""

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
        for n, p in enumerate([p for p in photos if p is not None], start=1):
            when = to_local(p.captured_at).strftime("%Y-%m-%d %H:%M")
            caption = p.caption or p.original_name or f"现场照片{n}"
            annex.append(AnnexPhoto(self.ctx.blobs.read(p.display_sha256), f"{caption}（{when}）"))
        included = [i for i in draft.items if i.include]
        return DocumentData(
            kind=draft.kind,
            agency=_agency_info(agency),
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
            rows=[dict(r) for r in draft.rows],
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
                d = _date(f.get(fs.key, ""))
                if d is not None:
                    f[fs.key] = chinese_date(d)
        if spec.kind == "seizure":
            start, end = (
                _date(draft.fields.get("period_start", "")),
                _date(draft.fields.get("period_end", "")),
            )
            if start and end:
                f["period_days"] = str((end - start).days + 1)
            f.setdefault("list_no", "")
            f["legal_basis"] = (
                f.get("legal_basis") or "《中华人民共和国安全生产法》第六十五条第一款第（四）项"
            )
        if spec.kind == "onsite_measures":
            f["measures_basis"] = (
                f.get("measures_basis") or "《中华人民共和国安全生产法》第六十五条第一款第（三）项"
            )
            until = _date(draft.fields.get("suspend_until", ""))
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
        if spec.kind == "penalty_notice":
            f["hearing"] = "yes" if draft.fields.get("hearing") else ""
        if spec.kind == "service_receipt":
            for row in draft.rows:
                row.setdefault("method", draft.fields.get("method", ""))
                row.setdefault("place", draft.fields.get("place", ""))
            f["recipient_name"] = f.get("recipient_name") or draft.party.legal_rep
        if spec.kind == "review_opinion" and not f.get("conclusion"):
            f["conclusion"] = ""
        return f

    def preview(self, draft: Draft) -> bytes:
        """The draft as it would print, with the number left blank (CPU work, no writes)."""

        self._check_texts(draft)
        return _render(self.document_data(draft, None))

    def _check_texts(self, draft: Draft) -> None:
        """Lengths and printable characters of every text the person typed (UserError), and the
        signature slots brought in line with the party as edited."""
        self._sync_signers(draft)
        limit = self.ctx.settings.text_max_chars
        for key, value in draft.fields.items():
            clean_text(_label(draft.spec, key), value, max_chars=limit)
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

    # -- issuing -----------------------------------------------------------------------------
    def issue(self, draft: Draft, *, time_confirmed: bool = False) -> IssuedDocument:
        """Number, freeze and store the document; the rules first (UserError listing problems).
        A doubtful clock correction must have been confirmed (services.trusted_time)."""

        require_confirmed_time(self.ctx, time_confirmed)
        self._check_texts(draft)
        found = self.problems(draft)
        if found:
            raise UserError("还不能签发：\n" + "\n".join(f"· {p}" for p in found))
        spec = draft.spec
        numbering = NumberingService(self.ctx)
        year = self.ctx.clock.today().year
        data = self.document_data(draft, None)
        sig_blobs = {
            id(x): self.ctx.blobs.put(x.image_png)
            for x in draft.signers
            if x.image_png is not None and draft.signing == ELECTRONIC
        }
        with self.ctx.store.write() as s:
            agency = self._agency(s, draft.agency_id)
            actor = get_setting(s, "current_user_id")
            series = series_for(draft.kind, agency.numbers_per_case)
            case_id = self._case_of(s, draft, agency.numbers_per_case)
            taken = numbering.take(s, agency.id, series, year, case_id=case_id)
            number = number_for(draft.kind, agency.short_name, year, taken.serial)
            data = replace(data, number=number)
            pdf = _render(data)
            sha = self.ctx.blobs.put(pdf)  # durable before any row names it
            ensure_blob_row(s, self.ctx.clock, sha, len(pdf), "application/pdf")
            now = self.ctx.clock.now()
            doc = Document(
                id=uuid7(),
                inspection_id=draft.inspection_id,
                unit_id=draft.unit_id,
                kind=draft.kind,
                title=spec.title,
                number=number,
                status=ISSUED,
                pdf_sha256=sha,
                data=self._frozen_json(draft, data, sig_blobs),
                created_at=now,
                issued_at=now,
                signing=draft.signing,
                refers_to_id=draft.refers_to_id,
                supersedes_id=draft.supersedes_id,
                clock_offset_s=self.ctx.clock.offset_s,
            )
            s.add(doc)
            s.flush()
            for signer in draft.signers:
                blob = sig_blobs.get(id(signer))
                if blob is None and not signer.refused:
                    continue
                if blob is not None and signer.image_png is not None:
                    ensure_blob_row(s, self.ctx.clock, blob, len(signer.image_png), "image/png")
                self._add_signature(s, doc.id, signer, ELECTRONIC if blob else "refused", blob)
            use = s.get(NumberUse, taken.use_id)
            assert use is not None
            if use.document_id is None:
                use.document_id = doc.id
                s.add(use)
            hazards = self._hazard_steps(s, draft, doc, actor)
            queue(
                s,
                self.ctx.clock,
                "document",
                doc.id,
                row_payload(doc),
                blob_refs=[sha, *sig_blobs.values()],
            )
            audit(
                s,
                self.ctx.clock,
                "document.issued",
                "document",
                doc.id,
                actor,
                {
                    "kind": draft.kind,
                    "unit_id": draft.unit_id,
                    "number": number,
                    "pdf_sha256": sha,
                    "data_sha256": hashlib.sha256(doc.data.encode("utf-8")).hexdigest(),
                    "supersedes_id": draft.supersedes_id,
                    "refers_to_id": draft.refers_to_id,
                },
            )
            saved = s.get(DocDraft, draft.key)  # the form's autosave is done with
            if saved is not None:
                s.delete(saved)
            doc_id = doc.id
        changes = Changes(
            documents=frozenset({doc_id}),
            hazards=frozenset(hazards),
            units=frozenset({draft.unit_id}),
            inspections=frozenset({draft.inspection_id} if draft.inspection_id else set()),
        )
        return IssuedDocument(doc_id, number, sha, taken.low_warning, changes)

    def _frozen_json(self, draft: Draft, data: DocumentData, sig_blobs: dict[int, str]) -> str:
        """What the document prints, plus the inputs a correction starts from (images by hash)."""
        body = asdict(replace(data, photos=[], signatures=[]))
        body["photos"] = list(draft.photo_ids)
        body["signatures"] = [
            {
                "role": x.role,
                "name": x.name,
                "image_sha256": sig_blobs.get(id(x)),
                "refused": x.refused,
                "refusal_reason": x.refusal_reason,
                "witness": x.witness,
            }
            for x in draft.signers
        ]
        body["input_fields"] = dict(draft.fields)
        body["items"] = [
            {**asdict(i), "deadline": _iso(i.deadline)} for i in draft.items if i.include
        ]
        body["excluded"] = [
            {"text": i.text, "reason": i.exclude_reason, "hazard_id": i.hazard_id}
            for i in draft.items
            if not i.include
        ]
        body["signing"] = draft.signing
        return json.dumps(to_jsonable(body), ensure_ascii=False, sort_keys=True)

    def _add_signature(
        self, s: Session, document_id: str, signer: SignerInput, method: str, blob: str | None
    ) -> None:
        sig = Signature(
            id=uuid7(),
            document_id=document_id,
            role=signer.role,
            name=signer.name,
            method=method,
            image_sha256=blob,
            refusal_reason=signer.refusal_reason if signer.refused else "",
            witness=signer.witness if signer.refused else "",
            recorded_at=self.ctx.clock.now(),
            clock_offset_s=self.ctx.clock.offset_s,
        )
        s.add(sig)
        s.flush()
        queue(
            s,
            self.ctx.clock,
            "signature",
            sig.id,
            row_payload(sig),
            blob_refs=[blob] if blob else [],
        )

    def _hazard_steps(self, s: Session, draft: Draft, doc: Document, actor: str | None) -> set[str]:
        """The loop steps the document makes: an order puts its hazards under its deadlines; a
        复查 passes (and 销号, unless 挂牌督办 keeps it for the supervisor) or re-orders each."""
        touched: set[str] = set()
        for item in draft.items:
            if not item.include or not item.hazard_id:
                continue
            hazard = s.get(Hazard, item.hazard_id)
            if hazard is None or hazard.status in (HazardStatus.CLOSED, HazardStatus.WITHDRAWN):
                continue
            touched.add(hazard.id)
            steps: list[tuple[HazardStep, date | None, str]] = []
            if draft.spec.orders_hazards and hazard.status != HazardStatus.REVIEWED_OK:
                steps = [(HazardStep.ORDERED, item.deadline, "")]
            elif draft.spec.reviews and item.verdict == "ok":
                steps = [(HazardStep.REVIEW_PASSED, None, "")]
                if not hazard.supervised:
                    steps.append((HazardStep.CLOSED, None, ""))
            elif draft.spec.reviews and item.verdict == "failed":
                steps = [
                    (HazardStep.REVIEW_FAILED, None, item.note),
                    (HazardStep.ORDERED, item.deadline, ""),
                ]
            for step, deadline, note in steps:
                record_step(
                    s,
                    self.ctx.clock,
                    hazard,
                    step,
                    actor,
                    document_id=doc.id,
                    deadline=deadline,
                    note=note,
                )
        return touched

    # -- after issue -------------------------------------------------------------------------
    def void(self, document_id: str, reason: str) -> Changes:
        """作废: the document stays stored and verifiable, marked void with the reason."""
        reason = clean_text("作废理由", reason, max_chars=500, required=True)
        if len(reason) < 4:
            raise UserError("请写明作废理由（至少4个字），例如：单位名称写错。")
        with self.ctx.store.write() as s:
            doc = s.get(Document, document_id)
            if doc is None or doc.status != ISSUED:
                raise UserError("只有已签发的文书才能作废。")
            dependants = s.exec(
                select(Document).where(
                    Document.refers_to_id == document_id, Document.status == ISSUED
                )
            ).all()
            blocking = [d for d in dependants if d.kind == "review_opinion"]
            if blocking:
                raise UserError(
                    f"该文书已有复查意见书（{blocking[0].number}），不能作废；如确有错误，请先作废复查意见书。"
                )
            actor = get_setting(s, "current_user_id")
            doc.status = VOIDED
            doc.void_reason = reason
            doc.voided_at = self.ctx.clock.now()
            s.add(doc)
            touched = self._undo_hazard_steps(s, doc, actor, reason)
            queue(s, self.ctx.clock, "document", doc.id, row_payload(doc))
            audit(
                s,
                self.ctx.clock,
                "document.voided",
                "document",
                doc.id,
                actor,
                {"number": doc.number, "reason": reason},
            )
            unit_id = doc.unit_id
        return Changes(
            documents=frozenset({document_id}),
            hazards=frozenset(touched),
            units=frozenset({unit_id}),
        )

    def _undo_hazard_steps(
        self, s: Session, doc: Document, actor: str | None, reason: str
    ) -> set[str]:
        """What voiding takes back: an order's hazards leave 整改中 (unless another issued order
        still covers them); a 复查意见书's verdicts (and the 销号 they made) are undone, the hazard
        going back under its order's deadline."""
        touched: set[str] = set()
        items = [i for i in json.loads(doc.data or "{}").get("items", []) if i.get("hazard_id")]
        if doc.kind == "review_opinion":
            order = s.get(Document, doc.refers_to_id) if doc.refers_to_id else None
            deadlines = {
                i.get("hazard_id"): _date(str(i.get("deadline") or ""))
                for i in (json.loads(order.data or "{}").get("items", []) if order else [])
            }
            for item in items:
                hazard = s.get(Hazard, item["hazard_id"])
                if hazard is not None and allowed(
                    HazardStatus(hazard.status), HazardStep.REVIEW_VOIDED
                ):
                    record_step(
                        s, self.ctx.clock, hazard, HazardStep.REVIEW_VOIDED, actor,
                        document_id=doc.id, deadline=deadlines.get(hazard.id), note=reason,
                    )  # fmt: skip
                    touched.add(hazard.id)
            return touched
        if doc.kind not in (*ORDER_KINDS, "hazard_notice"):
            return touched
        still_ordered = {
            i.get("hazard_id")
            for other in s.exec(
                select(Document).where(
                    col(Document.kind).in_([*ORDER_KINDS, "hazard_notice"]),
                    Document.status == ISSUED,
                    Document.id != doc.id,
                    Document.unit_id == doc.unit_id,
                )
            )
            for i in json.loads(other.data or "{}").get("items", [])
        }
        for item in items:
            hazard = s.get(Hazard, item["hazard_id"])
            if (
                hazard is not None
                and hazard.status == HazardStatus.RECTIFYING
                and hazard.id not in still_ordered
            ):
                record_step(
                    s, self.ctx.clock, hazard, HazardStep.ORDER_VOIDED, actor,
                    document_id=doc.id, note=reason,
                )  # fmt: skip
                touched.add(hazard.id)
        return touched

    def record_paper_signing(
        self,
        document_id: str,
        signers: list[SignerInput],
        signed_copy: bytes | Path | None,
    ) -> Changes:
        """After printing: who signed the paper by hand (a photo of the signed copy as evidence),
        and who refused, with reason and witness."""
        with self.ctx.store.read() as s:
            doc = s.get(Document, document_id)
            if doc is None or doc.status != ISSUED:
                raise UserError("只能为已签发的文书登记签名。")
        for x in signers:
            if x.refused and (not x.refusal_reason.strip() or not x.witness.strip()):
                raise UserError(f"{x.name or '当事人'}拒绝签名的，须记录理由和见证人。")
            clean_text("拒签理由", x.refusal_reason, max_chars=500)
            clean_text("见证人", x.witness, max_chars=100)
        if not signers:
            raise UserError("请至少登记一位签名人。")
        signed_copy_jpeg: bytes | None
        if isinstance(signed_copy, Path):
            try:
                signed_copy_jpeg = signed_copy.read_bytes()
            except OSError:
                raise UserError(f"无法读取签字文书照片：{signed_copy}。") from None
        else:
            signed_copy_jpeg = signed_copy
        blob = self.ctx.blobs.put(signed_copy_jpeg) if signed_copy_jpeg else None
        with self.ctx.store.write() as s:
            if blob is not None and signed_copy_jpeg is not None:
                ensure_blob_row(s, self.ctx.clock, blob, len(signed_copy_jpeg), "image/jpeg")
            for x in signers:
                self._add_signature(s, document_id, x, "refused" if x.refused else PAPER, blob)
            audit(
                s,
                self.ctx.clock,
                "document.signed_on_paper",
                "document",
                document_id,
                get_setting(s, "current_user_id"),
                {
                    "signers": [
                        {"role": x.role, "name": x.name, "refused": x.refused} for x in signers
                    ],
                    "signed_copy_sha256": blob,
                },
            )
        return Changes(documents=frozenset({document_id}))

    def paper_signers(self, document_id: str) -> list[SignerInput]:
        """Who is expected to sign the printed copy (officers, then the party or recipient)."""
        with self.ctx.store.read() as s:
            doc = s.get(Document, document_id)
            if doc is None:
                raise UserError("找不到该文书。")
            data = json.loads(doc.data or "{}")
        listed = [
            SignerInput(str(x.get("role", "")), str(x.get("name", "")))
            for x in data.get("signatures", [])
            if isinstance(x, dict)
        ]
        if listed:
            return listed
        officers = [
            SignerInput("officer", str(o.get("name", "")), str(o.get("cert_no", "")))
            for o in data.get("officers", [])
        ]
        return [*officers, SignerInput("party", str(data.get("representative", "")))]

    def signatures(self, document_id: str) -> list[Signature]:
        with self.ctx.store.read() as s:
            return list(
                s.exec(
                    select(Signature)
                    .where(Signature.document_id == document_id)
                    .order_by(col(Signature.recorded_at))
                )
            )

    # -- the register (文书台账) ---------------------------------------------------------------
    def register(
        self,
        *,
        kind: str | None = None,
        status: str | None = None,
        unit_text: str = "",
        limit: int = 5000,
    ) -> list[DocumentRow]:
        with self.ctx.store.read() as s:
            q = select(Document, Unit.name).join(Unit, col(Unit.id) == Document.unit_id)
            q = q.where(col(Document.status).in_([ISSUED, VOIDED]))
            if kind:
                q = q.where(Document.kind == kind)
            if status:
                q = q.where(Document.status == status)
            if unit_text.strip():
                q = q.where(col(Unit.name).contains(unit_text.strip()))
            rows = s.exec(q.order_by(col(Document.created_at).desc()).limit(limit)).all()
            numbers = {d.id: d.number for d, _ in rows}
            missing = {
                d.supersedes_id
                for d, _ in rows
                if d.supersedes_id and d.supersedes_id not in numbers
            }
            for did in missing:
                old = s.get(Document, did)
                numbers[str(did)] = old.number if old else ""
        out = []
        for d, unit_name in rows:
            issued = to_local(d.issued_at or d.created_at).date()
            out.append(
                DocumentRow(
                    id=d.id,
                    unit_id=d.unit_id,
                    unit_name=unit_name,
                    kind=d.kind,
                    title=d.title,
                    number=d.number or "",
                    issued_on=issued,
                    status=d.status,
                    status_label=STATUS_LABELS.get(d.status, d.status),
                    signing="电子签名" if d.signing == ELECTRONIC else "手写签名",
                    print_count=d.print_count,
                    pdf_sha256=d.pdf_sha256,
                    supersedes=numbers.get(d.supersedes_id or "", "") or "",
                    void_reason=d.void_reason,
                    inspection_id=d.inspection_id,
                )
            )
        return out

    def start_review(self, order_id: str, inspector_ids: list[str]) -> str:
        """Start the 复查 of an issued order: an inspection of kind 复查 that names the order; the
        整改复查意见书 drafted from the order then pre-loads its items."""
        from inspector.services.inspections import InspectionService, StartInspection

        with self.ctx.store.read() as s:
            order = s.get(Document, order_id)
            if order is None or order.kind not in ORDER_KINDS:
                raise UserError(
                    "复查须针对已签发的责令限期整改指令书、现场处理措施决定书或查封扣押决定书。"
                )
            if order.status != ISSUED:
                raise UserError("该文书已作废，不能据此复查。")
            unit_id = order.unit_id
        inspection_id, _ = InspectionService(self.ctx).start(
            StartInspection(
                unit_id=unit_id,
                inspector_ids=inspector_ids,
                checklist_ids=[],
                kind="复查",
                review_of_id=order_id,
            )
        )
        return inspection_id

    def export_register(self, path: Path, rows: list[DocumentRow]) -> Path:
        """文书台账 as an .xlsx workbook (one row per document)."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "文书台账"
        header = [
            "序号",
            "单位",
            "文书种类",
            "文号",
            "签发日期",
            "状态",
            "签名方式",
            "打印份数",
            "更正的文书",
            "作废理由",
        ]
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for n, r in enumerate(rows, start=1):
            ws.append(
                [
                    n,
                    r.unit_name,
                    r.title,
                    r.number,
                    r.issued_on,
                    r.status_label,
                    r.signing,
                    r.print_count,
                    r.supersedes,
                    r.void_reason,
                ]
            )
            ws.cell(row=n + 1, column=5).number_format = "yyyy-mm-dd"
        for col_letter, width in zip(
            "ABCDEFGHIJ", (6, 36, 26, 30, 12, 8, 10, 8, 30, 30), strict=True
        ):
            ws.column_dimensions[col_letter].width = width
        ws.freeze_panes = "A2"
        buf = io.BytesIO()
        wb.save(buf)
        return export_file(path, buf.getvalue())

    def pdf(self, document_id: str) -> tuple[str, bytes]:
        with self.ctx.store.read() as s:
            doc = s.get(Document, document_id)
            if doc is None or doc.pdf_sha256 is None:
                raise UserError("找不到该文书的PDF。")
            title = f"{doc.title} {doc.number or ''}".strip()
            sha = doc.pdf_sha256
        return title, self.ctx.blobs.read(sha)


def _render(data: DocumentData) -> bytes:
    """The PDF, or a Chinese message when a single cell or paragraph cannot fit on a page."""
    from reportlab.platypus.doctemplate import LayoutError

    from inspector.documents.form_document import render_document

    try:
        return render_document(data)
    except LayoutError:
        raise UserError(
            "有一项内容过长，一页排不下（如清单中的一行或一段文字）。请精简，或拆成几项。"
        ) from None


PARTY_LABELS = {
    "name": "名称（姓名）",
    "address": "地址",
    "postcode": "邮政编码",
    "legal_rep": "负责人",
    "legal_rep_title": "职务",
    "phone": "联系电话",
    "credit_code": "统一社会信用代码",
    "gender": "性别",
    "age": "年龄",
    "id_no": "身份证号",
    "workplace": "工作单位",
}


def _agency_info(agency: Agency) -> AgencyInfo:
    """What a document prints of the agency: the same-named columns of its row."""
    return AgencyInfo(**{f.name: getattr(agency, f.name) for f in fields(AgencyInfo)})


def _party(data: dict[str, object]) -> Party | None:
    """The party stored in a document's frozen data (None when it has none, e.g. a 检记)."""
    raw = data.get("party")
    if not isinstance(raw, dict) or not raw.get("name"):
        return None
    return Party(**{k: str(v) for k, v in raw.items() if k in Party.__dataclass_fields__})


def _label(spec: KindSpec, key: str) -> str:
    for f in spec.fields:
        if f.key == key:
            return f.label
    return key
