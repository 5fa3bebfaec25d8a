"""The 现场检查记录 of a finished inspection: data gathered from the record, rendered to PDF, kept as
a content-addressed file with a document row and an audit event."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from sqlmodel import col, select

from inspector.documents.model import CheckedItem, Finding, Officer, SiteRecordData
from inspector.domain.enums import HazardGrade, ItemResult
from inspector.domain.errors import UserError
from inspector.fonts import coverage
from inspector.services.context import Context
from inspector.services.inspections import InspectionView, _view
from inspector.services.journal import audit, queue, row_payload, to_jsonable
from inspector.store.models import Blob, Document, Inspection, Unit
from inspector.util.clock import to_local
from inspector.util.ids import uuid7

SITE_RECORD = "site_record"


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
        legal_rep=view.unit_legal_rep,
        legal_rep_title="",
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
    )


class RecordService:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def render_site_record(self, inspection_id: str) -> RenderedRecord:
        """Render and keep the 现场检查记录 of a finished inspection (a new version each time)."""
        from inspector.documents.site_record import render_site_record

        with self.ctx.store.read() as s:
            view = _view(s, inspection_id)
        if not view.finished:
            raise UserError("请先完成检查，再生成现场检查记录。")
        data = site_record_data(view)
        text = json.dumps(to_jsonable(asdict(data)), ensure_ascii=False)
        unprintable = coverage().missing(text)
        pdf = render_site_record(data)
        sha = self.ctx.blobs.put(pdf)
        with self.ctx.store.write() as s:
            insp = s.get(Inspection, inspection_id)
            unit = s.get(Unit, view.unit_id)
            assert insp is not None and unit is not None
            now = self.ctx.clock.now()
            if s.get(Blob, sha) is None:
                s.add(Blob(sha256=sha, size=len(pdf), media_type="application/pdf", created_at=now))
                s.flush()
            doc = Document(
                id=uuid7(),
                inspection_id=inspection_id,
                unit_id=unit.id,
                kind=SITE_RECORD,
                title="现场检查记录",
                status="draft",
                pdf_sha256=sha,
                data=text,
                created_at=now,
            )
            s.add(doc)
            s.flush()
            payload = row_payload(doc)
            queue(s, self.ctx.clock, "document", doc.id, payload, blob_refs=[sha])
            audit(
                s,
                self.ctx.clock,
                "document.rendered",
                "document",
                doc.id,
                insp.created_by,
                {"kind": SITE_RECORD, "pdf_sha256": sha, "inspection_id": inspection_id},
            )
        return RenderedRecord(doc.id, sha, unprintable)

    def latest_pdf(self, inspection_id: str) -> bytes | None:
        with self.ctx.store.read() as s:
            doc = s.exec(
                select(Document)
                .where(Document.inspection_id == inspection_id, Document.kind == SITE_RECORD)
                .order_by(col(Document.created_at).desc())
            ).first()
        if doc is None or doc.pdf_sha256 is None:
            return None
        return self.ctx.blobs.read(doc.pdf_sha256)

    def pdf(self, sha256: str) -> bytes:
        return self.ctx.blobs.read(sha256)
