"""A draft as it prints: the signature slots in line with the party, the fields worded as the
template prints them (dates, money, the penalty and hearing records), the texts checked, the
:class:`~inspector.documents.model.DocumentData` handed to the PDF renderer, and the preview.
The base of the document service: drafting, the rules and issuing build on it."""

from __future__ import annotations

from dataclasses import asdict

from sqlmodel import Session

from inspector.documents.form_document import template_default
from inspector.documents.layout import chinese_date
from inspector.documents.model import (
    AnnexPhoto,
    DocItem,
    DocumentData,
    SignatureMark,
)
from inspector.domain.document_kinds import (
    CASE_TRANSFER,
    KEEP_MODES,
    PENALTY_DECISION,
    clock_minutes,
    fine_of,
    party_is_person,
)
from inspector.domain.document_wording import (
    decision_statement_wording,
    hearing_basis,
    hearing_items,
    hearing_wording,
    intended_penalty,
    statement_wording,
)
from inspector.domain.errors import UserError
from inspector.services.context import Context
from inspector.services.documents.follow_ups import printed_fields as follow_up_fields
from inspector.services.documents.follow_ups import printed_rows
from inspector.services.documents.model import (
    ELECTRONIC,
    PARTY_LABELS,
    Draft,
    SignerInput,
    agency_info,
    field_label,
    large_fine,
    parse_date,
    render,
)
from inspector.services.setting_rows import current_agency_id
from inspector.services.textcheck import clean_text
from inspector.store.models import (
    Agency,
    Document,
    Photo,
)
from inspector.util.clock import clock_note, to_local


class DraftRendering:
    """How a draft prints; the agency it is issued by."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _agency(self, s: Session, agency_id: str | None = None) -> Agency:
        agency_id = agency_id or current_agency_id(s)
        agency = s.get(Agency, agency_id) if agency_id else None
        if agency is None:
            raise UserError("本机尚未设置执法机关，请先登录同步或由管理员设置。")
        return agency

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
        for n, p in enumerate(
            [p for p in photos if p is not None and not p.removed_reason], start=1
        ):
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
