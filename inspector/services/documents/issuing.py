"""Issuing a document — number from the blocks, PDF, row, signatures, hazard steps, outbox and
audit event in one transaction — and voiding it (作废), which takes back its hazard steps."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from datetime import date

from sqlmodel import Session, col, select

from inspector.documents.model import (
    DocumentData,
)
from inspector.domain.document_kinds import (
    ORDER_KINDS,
)
from inspector.domain.enums import HazardStatus
from inspector.domain.errors import UserError
from inspector.domain.hazard_loop import HazardStep, allowed
from inspector.domain.numbering import number_for
from inspector.services.blob_rows import ensure_blob_row
from inspector.services.changes import Changes, Done, done
from inspector.services.documents.model import (
    ELECTRONIC,
    ISSUED,
    VOIDED,
    Draft,
    IssuedDocument,
    SignerInput,
    agency_power,
    iso_date,
    parse_date,
    render,
)
from inspector.services.documents.numbering import NumberingService, series_for
from inspector.services.documents.rules import Rules
from inspector.services.hazards.loop import record_step
from inspector.services.journal import audit, queue, row_payload, to_jsonable
from inspector.services.people.role import refuse_enforcement
from inspector.services.setting_rows import current_user_id
from inspector.services.sync.trusted_time import require_confirmed_time
from inspector.services.textcheck import clean_text
from inspector.store.models import (
    DocDraft,
    Document,
    Hazard,
    NumberUse,
    Signature,
)
from inspector.util.ids import uuid7


class Issuing(Rules):
    """Issuing (number, freeze, store) and voiding."""

    # -- issuing -----------------------------------------------------------------------------
    def issue(self, draft: Draft, *, time_confirmed: bool = False) -> Done[IssuedDocument]:
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
            refuse_enforcement(s)
            agency = self._agency(s, draft.agency_id)
            actor = current_user_id(s)
            taken = None  # a kind without a 文号 (询问笔录) is issued unnumbered
            number: str | None = None
            if spec.numbered:
                series = series_for(draft.kind, agency.numbers_per_case)
                case_id = self._case_of(s, draft, agency.numbers_per_case)
                taken = numbering.take(s, agency.id, series, year, case_id=case_id)
                short_name = agency_power(agency).number_short_name(spec.enforcement)
                number = number_for(draft.kind, short_name, year, taken.serial)
            data = replace(data, number=number, issued=True)
            pdf = render(data)
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
            use = s.get(NumberUse, taken.use_id) if taken is not None else None
            if use is not None and use.document_id is None:
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
        low = taken.low_warning if taken is not None else None
        return Done(IssuedDocument(doc_id, number or "", sha, low), changes)

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
            {**asdict(i), "deadline": iso_date(i.deadline)} for i in draft.items if i.include
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
    def void(self, document_id: str, reason: str) -> Done[None]:
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
            actor = current_user_id(s)
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
        return done(
            Changes(
                documents=frozenset({document_id}),
                hazards=frozenset(touched),
                units=frozenset({unit_id}),
            )
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
                i.get("hazard_id"): parse_date(str(i.get("deadline") or ""))
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
