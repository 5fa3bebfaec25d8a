"""The register (文书台账): listing, filtering and exporting issued documents, a document's PDF,
and starting the 复查 of an order."""

from __future__ import annotations

import io
from pathlib import Path

from sqlmodel import col, select

from inspector.domain.document_kinds import (
    ORDER_KINDS,
)
from inspector.domain.errors import UserError
from inspector.services.changes import Done
from inspector.services.documents.model import (
    ELECTRONIC,
    ISSUED,
    STATUS_LABELS,
    VOIDED,
    DocumentRow,
)
from inspector.services.documents.signing import PaperSigning
from inspector.services.documents.site_record import export_file
from inspector.store.models import (
    Document,
    Unit,
)
from inspector.util.clock import to_local


class Register(PaperSigning):
    """The register of documents (文书台账), its export, a document's PDF, starting a 复查."""

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

    def start_review(self, order_id: str, inspector_ids: list[str]) -> Done[str]:
        """Start the 复查 of an issued order: an inspection of kind 复查 that names the order; the
        整改复查意见书 drafted from the order then pre-loads its items."""
        from inspector.services.inspections.recording import InspectionService, StartInspection

        with self.ctx.store.read() as s:
            order = s.get(Document, order_id)
            if order is None or order.kind not in ORDER_KINDS:
                raise UserError(
                    "复查须针对已签发的责令限期整改指令书、现场处理措施决定书或查封扣押决定书。"
                )
            if order.status != ISSUED:
                raise UserError("该文书已作废，不能据此复查。")
            unit_id = order.unit_id
        return InspectionService(self.ctx).start(
            StartInspection(
                unit_id=unit_id,
                inspector_ids=inspector_ids,
                checklist_ids=[],
                kind="复查",
                review_of_id=order_id,
            )
        )

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
