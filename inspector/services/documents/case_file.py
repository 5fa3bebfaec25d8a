"""The case (案件): the inspection a matter started from and every document that came from it or
refers to, supersedes or follows one of them (refers_to_id / supersedes_id chains), in statutory
order with the deadlines that run from each; and its one-click 案卷 PDF for the archive."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, or_, select

from inspector.documents.case_pdf import ArchivePart, CaseCover, TocRow, build_case_pdf
from inspector.domain.document_kinds import (
    EVIDENCE_DECISION_DAYS,
    HEARING_DAYS,
    SEIZURE_MAX_DAYS,
    STATEMENT_DAYS,
)
from inspector.domain.errors import UserError
from inspector.services.documents.model import ISSUED, agency_info, parse_date, party_from
from inspector.services.documents.register import Register
from inspector.store.models import Agency, Document, Inspection, Signature, Unit
from inspector.util.clock import to_local

# the order documents take in a case file (行政处罚 procedure); a 送达回执 follows the document it
# served; a kind not listed (added later) keeps its place by date among the 强制措施 stage
STATUTORY_ORDER: tuple[str, ...] = (
    "site_record",
    "inquiry_notice",
    "inquiry_record",
    "hazard_notice",
    "rectification_order",
    "onsite_measures",
    "evidence_notice",
    "evidence_decision",
    "seizure",
    "seizure_extension",
    "seizure_decision",
    "review_opinion",
    "case_transfer",
    "onsite_penalty_unit",
    "onsite_penalty_person",
    "penalty_notice",
    "penalty_decision",
)
UNLISTED_RANK = STATUTORY_ORDER.index("seizure") + 0.5
PENALTY_DECISIONS = ("penalty_decision", "onsite_penalty_unit", "onsite_penalty_person")


@dataclass(frozen=True)
class CaseDeadline:
    label: str
    due: date  # the last day
    passed: bool


@dataclass(frozen=True)
class CaseEntry:
    document_id: str
    kind: str
    title: str
    number: str
    issued_on: date | None
    status: str
    deadlines: tuple[CaseDeadline, ...] = ()


@dataclass(frozen=True)
class Case:
    inspection_id: str
    unit_name: str
    cause: str  # 案由
    opened_on: date | None
    closed_on: date | None
    entries: list[CaseEntry]


def _rank(kind: str) -> float:
    return STATUTORY_ORDER.index(kind) if kind in STATUTORY_ORDER else UNLISTED_RANK


def deadlines_of(
    kind: str, issued_on: date | None, data: dict[str, object], today: date
) -> list[CaseDeadline]:
    """The periods that run from an issued document (the last day of each)."""
    if issued_on is None:
        return []
    out: list[tuple[str, date]] = []
    printed = data.get("fields") or {}
    given = data.get("input_fields") or {}
    assert isinstance(printed, dict) and isinstance(given, dict)
    if kind == "penalty_notice":
        out.append(("陈述、申辩期限", issued_on + timedelta(days=STATEMENT_DAYS)))
        if printed.get("hearing"):
            out.append(("要求听证期限", issued_on + timedelta(days=HEARING_DAYS)))
    if kind == "evidence_notice":
        out.append(("先行登记保存处理决定期限", issued_on + timedelta(days=EVIDENCE_DECISION_DAYS)))
    if kind == "seizure":
        end = parse_date(str(given.get("period_end", "")))
        out.append(("查封扣押期限", end or issued_on + timedelta(days=SEIZURE_MAX_DAYS - 1)))
    if kind == "seizure_extension":
        end = parse_date(str(given.get("new_end", "")))
        if end is not None:
            out.append(("延长后的查封扣押期限", end))
    return [CaseDeadline(label, due, today > due) for label, due in out]


class CaseFile(Register):
    """The documents of one case, its deadlines and its 案卷 PDF."""

    def _case_documents(self, s: Session, document_id: str) -> tuple[Inspection, list[Document]]:
        start = s.get(Document, document_id)
        if start is None:
            raise UserError("找不到该文书。")
        # up the chain to the document that came from an inspection (a 复查's own inspection
        # re-inspects an order: the case is the order's)
        root: Document = start
        seen: set[str] = set()
        while root.id not in seen:
            seen.add(root.id)
            parent_id = root.refers_to_id or root.supersedes_id
            parent = s.get(Document, parent_id) if parent_id else None
            if parent is None:
                break
            root = parent
        insp = s.get(Inspection, root.inspection_id) if root.inspection_id else None
        if insp is None:
            raise UserError("该文书不是从检查记录制作的，无法确定所属案件。")
        found = {d.id: d for d in s.exec(select(Document).where(Document.inspection_id == insp.id))}
        frontier = set(found)
        while frontier:
            more = s.exec(
                select(Document).where(
                    or_(
                        col(Document.refers_to_id).in_(frontier),
                        col(Document.supersedes_id).in_(frontier),
                    )
                )
            ).all()
            frontier = {d.id for d in more if d.id not in found}
            found.update({d.id: d for d in more})
        return insp, list(found.values())

    def case_of(self, document_id: str) -> Case:
        """The case the document belongs to, its documents in statutory order."""
        today = self.ctx.clock.today()
        with self.ctx.store.read() as s:
            insp, docs = self._case_documents(s, document_id)
            unit = s.get(Unit, insp.unit_id)
            unit_name = unit.name if unit else ""
        by_id = {d.id: d for d in docs}
        when = {d.id: (d.issued_at or d.created_at) for d in docs}
        main = sorted(
            (d for d in docs if d.kind != "service_receipt"),
            key=lambda d: (_rank(d.kind), when[d.id]),
        )
        ordered: list[Document] = []
        for d in main:
            ordered.append(d)
            ordered += sorted(
                (r for r in docs if r.kind == "service_receipt" and r.refers_to_id == d.id),
                key=lambda r: when[r.id],
            )
        ordered += [d for d in docs if d not in ordered]
        entries = []
        for d in ordered:
            data = json.loads(d.data or "{}")
            issued = to_local(d.issued_at).date() if d.issued_at else None
            deadlines = deadlines_of(d.kind, issued, data, today) if d.status == ISSUED else []
            entries.append(
                CaseEntry(d.id, d.kind, d.title, d.number or "", issued, d.status, tuple(deadlines))
            )
        issued_entries = [e for e in entries if e.status == ISSUED]
        decisions = [e for e in issued_entries if e.kind in PENALTY_DECISIONS]
        return Case(
            inspection_id=insp.id,
            unit_name=unit_name,
            cause=self._cause(by_id, [e.document_id for e in issued_entries], unit_name),
            opened_on=to_local(insp.started_at).date(),
            closed_on=decisions[-1].issued_on if decisions else None,
            entries=entries,
        )

    @staticmethod
    def _cause(by_id: dict[str, Document], ids: list[str], unit_name: str) -> str:
        """案由: the violation the penalty documents name, else the inspection itself."""
        for doc_id in reversed(ids):
            fields = json.loads(by_id[doc_id].data or "{}").get("input_fields") or {}
            facts = str(fields.get("facts", "")).strip().rstrip("。")
            if facts:
                return f"{unit_name}{facts[:30]}{'…' if len(facts) > 30 else ''}案"
        return f"{unit_name}安全生产监督检查案"

    def case_pdf(self, document_id: str) -> tuple[str, bytes, list[TocRow]]:
        """The 案卷 PDF of the document's case (title, PDF, 目录 rows): every issued document's
        stored PDF, checked against the hash taken when it was issued, and its signed-copy photos."""
        case = self.case_of(document_id)
        issued = [e for e in case.entries if e.status == ISSUED]
        if not issued:
            raise UserError("该案件还没有已签发的文书，无法生成案卷。")
        parts: list[ArchivePart] = []
        with self.ctx.store.read() as s:
            insp = s.get(Inspection, case.inspection_id)
            assert insp is not None
            agency = s.get(Agency, insp.agency_id)
            unit = s.get(Unit, insp.unit_id)
            party_name = unit.name if unit else case.unit_name
            for e in issued:
                doc = s.get(Document, e.document_id)
                assert doc is not None and doc.pdf_sha256 is not None
                party = party_from(json.loads(doc.data or "{}"))
                if party is not None and e.kind in PENALTY_DECISIONS:
                    party_name = party.name
                try:
                    pdf = self.ctx.blobs.read(doc.pdf_sha256)
                except OSError:
                    pdf = b""
                if hashlib.sha256(pdf).hexdigest() != doc.pdf_sha256:
                    raise UserError(
                        f"{doc.title}{doc.number or ''}的PDF与签发时的校验值不符，可能已缺失或损坏，"
                        "案卷未生成。请联系管理员从服务器恢复该文书。"
                    )
                photos = [
                    self.ctx.blobs.read(sha)
                    for sha in dict.fromkeys(
                        sig.image_sha256
                        for sig in s.exec(
                            select(Signature)
                            .where(Signature.document_id == doc.id)
                            .order_by(col(Signature.recorded_at))
                        )
                        if sig.image_sha256 and sig.method != "electronic"
                    )
                    if sha
                ]
                parts.append(ArchivePart(e.title, e.number, e.issued_on, pdf, photos))
        cover = CaseCover(
            cause=case.cause,
            party=party_name,
            agency=agency_info(agency).name if agency else "",
            opened_on=case.opened_on,
            closed_on=case.closed_on,
            unit_address=unit.address if unit else "",
        )
        pdf, rows = build_case_pdf(cover, parts)
        return f"案卷 {case.unit_name}", pdf, rows
