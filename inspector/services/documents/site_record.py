"""The 现场检查记录 of a finished inspection: data gathered from the record, rendered to PDF, kept as
a content-addressed file with a document row and an audit event."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sqlmodel import Session, select

from inspector.documents.model import CheckedItem, Finding, Officer, SiteRecordData
from inspector.domain.enums import SITE_RECORD, HazardGrade, ItemResult
from inspector.domain.errors import UserError
from inspector.domain.numbering import DOC_CODES, format_number
from inspector.fonts import coverage
from inspector.services.agency import agency_power
from inspector.services.blob_rows import ensure_blob_row
from inspector.services.changes import Changes, Done
from inspector.services.context import Context
from inspector.services.documents.numbering import NumberingService, series_for
from inspector.services.inspections.views import InspectionView, inspection_view
from inspector.services.journal import audit, queue, row_payload, to_jsonable
from inspector.services.people.role import refuse_enforcement
from inspector.services.sync.trusted_time import require_confirmed_time
from inspector.store.blobs import disk_problem, write_durably
from inspector.store.models import Agency, Document, Inspection, NumberUse
from inspector.util.clock import clock_note, to_local
from inspector.util.ids import uuid7


@dataclass(frozen=True)
class RenderedRecord:
    document_id: str
    pdf_sha256: str
    unprintable: list[str]  # characters no shipped font has (already reported to the person)


def site_record_data(view: InspectionView) -> SiteRecordData:
    items = [
        CheckedItem(cl.name, it.content, ItemResult(it.result).label, it.note)
        for cl in view.checklists
        for it in cl.items
        if it.result != ItemResult.UNCHECKED
    ]
    findings = [
        Finding(
            description=h.description,
            grade_label=HazardGrade(h.grade).label,
            legal_basis=h.legal_basis,
            measure=h.measure,
            deadline=h.deadline,
            location=h.location,
            photo_count=len(h.photo_ids),
        )
        for h in view.hazards
    ]
    ended = to_local(view.ended_at) if view.ended_at else None
    return SiteRecordData(
        agency_name=view.agency_name,
        number=None,
        unit_name=view.unit_name,
        unit_address=view.unit_address,
        legal_rep=view.unit_legal_rep or view.representative,
        legal_rep_title=_legal_rep_title(view),
        phone=view.representative_phone or view.unit_phone,
        place=view.place,
        started_at=to_local(view.started_at),
        ended_at=ended,
        officers=[Officer(p.name, p.cert_no) for p in view.inspectors],
        representative=view.representative,
        summary=view.summary,
        checklists=[cl.name for cl in view.checklists],
        items=items,
        findings=findings,
        photo_count=len(view.photos),
        issued_on=ended.date() if ended else None,
        clock_note=clock_note(view.clock_offset_s),
    )


def _legal_rep_title(view: InspectionView) -> str:
    """The 职务 beside 法定代表人（负责人）: the on-site representative's title when the
    representative is that person (or the unit has no legal representative on file); blank — to
    fill by hand — when someone else received the inspectors, whose title is not the legal
    representative's."""
    legal_rep = view.unit_legal_rep.strip()
    same = view.representative.strip() in (legal_rep, "") or not legal_rep
    return view.representative_title if same else ""


@dataclass(frozen=True)
class IssuedRecord:
    document_id: str
    number: str
    pdf_sha256: str
    low_warning: str | None
    unprintable: list[str]


@dataclass(frozen=True)
class PreparedRecord:
    inspection_id: str
    unit_id: str
    pdf: bytes
    data_json: str
    unprintable: list[str]


class RecordService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _finished_view(self, inspection_id: str, action: str) -> InspectionView:
        with self.ctx.store.read() as s:
            view = inspection_view(s, inspection_id)
        if not view.finished:
            raise UserError(f"请先完成检查，再{action}现场检查记录。")
        return view

    @staticmethod
    def _render(view: InspectionView, number: str | None) -> tuple[bytes, str]:
        """The record's PDF and the JSON of exactly what it prints."""
        from inspector.documents.site_record import render_site_record

        data = replace(site_record_data(view), number=number)
        return render_site_record(data), json.dumps(to_jsonable(asdict(data)), ensure_ascii=False)

    def prepare_site_record(self, inspection_id: str) -> PreparedRecord:
        """Read the finished inspection and render its 现场检查记录 (CPU work, no writes)."""
        view = self._finished_view(inspection_id, "生成")
        pdf, text = self._render(view, None)
        return PreparedRecord(inspection_id, view.unit_id, pdf, text, coverage().missing(text))

    def store_site_record(self, prepared: PreparedRecord) -> Done[RenderedRecord]:
        """Keep the PDF (file first, then document row + outbox + audit in one transaction)."""
        sha = self.ctx.blobs.put(prepared.pdf)
        with self.ctx.store.write() as s:
            insp = s.get(Inspection, prepared.inspection_id)
            assert insp is not None
            doc = self._keep_pdf(
                s,
                insp,
                prepared.unit_id,
                prepared.pdf,
                sha,
                prepared.data_json,
                number=None,
                audit_payload={"kind": SITE_RECORD},
            )
        record = RenderedRecord(doc.id, sha, prepared.unprintable)
        return Done(record, Changes(documents=frozenset({doc.id})))

    def issue_site_record(
        self, inspection_id: str, *, time_confirmed: bool = False
    ) -> Done[IssuedRecord]:
        """Give the record its 文号 from this device's blocks and freeze it: number, PDF (hash),
        document row, audit event and outbox entry are stored together or not at all. A doubtful
        clock correction must have been confirmed (services.trusted_time)."""
        view = self._finished_view(inspection_id, "签发")
        require_confirmed_time(self.ctx, time_confirmed)
        numbering = NumberingService(self.ctx)
        year = self.ctx.clock.today().year
        with self.ctx.store.write() as s:
            refuse_enforcement(s)
            insp = s.get(Inspection, inspection_id)
            assert insp is not None
            agency = s.get(Agency, insp.agency_id)
            if agency is None:
                raise UserError("检查记录缺少执法机关信息，无法取号。")
            issued = s.exec(
                select(Document).where(
                    Document.inspection_id == inspection_id,
                    Document.kind == SITE_RECORD,
                    Document.status == "issued",
                )
            ).first()
            if issued is not None:
                raise UserError(
                    f"该现场检查记录已签发（{issued.number}），签发后不能再改动或重签。"
                )
            series = series_for(SITE_RECORD, agency.numbers_per_case)
            taken = numbering.take(s, agency.id, series, year, case_id=inspection_id)
            short_name = agency_power(agency).number_short_name()  # under 委托: the 委托机关's
            number = format_number(short_name, DOC_CODES[SITE_RECORD], year, taken.serial)
            pdf, text = self._render(view, number)
            sha = self.ctx.blobs.put(pdf)  # durable before any row names it
            doc = self._keep_pdf(
                s, insp, view.unit_id, pdf, sha, text, number=number, audit_payload={}
            )
            use = s.get(NumberUse, taken.use_id)
            assert use is not None
            use.document_id = doc.id
            s.add(use)
        record = IssuedRecord(doc.id, number, sha, taken.low_warning, coverage().missing(text))
        return Done(record, Changes(documents=frozenset({doc.id})))

    def _keep_pdf(
        self,
        s: Session,
        insp: Inspection,
        unit_id: str,
        pdf: bytes,
        sha: str,
        data_json: str,
        *,
        number: str | None,
        audit_payload: dict[str, str],
    ) -> Document:
        """The rows for a stored PDF (written durably already): blob, document (draft, or issued
        when it has a number), outbox entry and audit event — in the caller's transaction."""
        ensure_blob_row(s, self.ctx.clock, sha, len(pdf), "application/pdf")
        now = self.ctx.clock.now()
        doc = Document(
            id=uuid7(),
            inspection_id=insp.id,
            unit_id=unit_id,
            kind=SITE_RECORD,
            title="现场检查记录",
            number=number,
            status="issued" if number else "draft",
            pdf_sha256=sha,
            data=data_json,
            created_at=now,
            issued_at=now if number else None,  # what the monthly figures count it by
            clock_offset_s=self.ctx.clock.offset_s,
        )
        s.add(doc)
        s.flush()
        queue(s, self.ctx.clock, "document", doc.id, row_payload(doc), blob_refs=[sha])
        kind = "document.issued" if number else "document.rendered"
        payload = {**audit_payload, "pdf_sha256": sha, "inspection_id": insp.id}
        if number:
            payload["number"] = number
        audit(s, self.ctx.clock, kind, "document", doc.id, insp.created_by, payload)
        return doc

    def render_site_record(self, inspection_id: str) -> Done[RenderedRecord]:
        """Both steps in one call (scripts and tests; the UI runs them on different threads)."""
        return self.store_site_record(self.prepare_site_record(inspection_id))

    def pdf(self, sha256: str) -> bytes:
        return self.ctx.blobs.read(sha256)


def export_file(path: Path, data: bytes) -> Path:
    """Save a copy somewhere the person chose (a USB stick, the desktop): readable by others
    there (0644), unlike the evidence store's own files."""
    try:
        write_durably(path, data, mode=0o644)
    except OSError as exc:
        raise UserError(f"无法保存到 {path}：{disk_problem(exc)}。") from None
    return path
