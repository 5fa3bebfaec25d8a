"""`inspector verify`: every stored file against its hash, every issued document against what was
frozen when it was issued, the whole audit chain, and the rows against the chain (`verify_rows`:
every record an event is about exists in the state its last event recorded, every blob is named
by a row) — each break named precisely (which document, photo, hazard or file, which event)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from inspector.domain.audit import verify_chain
from inspector.services.audit.verify_rows import check_rows, event_label
from inspector.services.context import Context
from inspector.services.journal import event_body
from inspector.store.models import AuditEvent, Blob, Document, Photo, Signature


@dataclass
class VerifyReport:
    blobs_checked: int = 0
    events_checked: int = 0
    documents_checked: int = 0
    rows_checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # worth knowing, not a break

    @property
    def ok(self) -> bool:
        return not self.problems


def _owners(s: Session) -> dict[str, list[str]]:
    """sha256 → what a person would call the file ("文书（岚）应急责改〔2026〕3号的PDF")."""
    owners: dict[str, list[str]] = {}
    for doc in s.exec(select(Document)):
        if doc.pdf_sha256:
            name = f"文书《{doc.title}》{doc.number or '（草稿）'}的PDF"
            owners.setdefault(doc.pdf_sha256, []).append(name)
    for photo in s.exec(select(Photo)):
        label = f"照片“{photo.original_name or photo.id}”"
        owners.setdefault(photo.original_sha256, []).append(f"{label}的原图")
        owners.setdefault(photo.display_sha256, []).append(f"{label}的显示图")
        owners.setdefault(photo.thumb_sha256, []).append(f"{label}的缩略图")
    for sig in s.exec(select(Signature)):
        if sig.image_sha256:
            owners.setdefault(sig.image_sha256, []).append(f"{sig.name}的签名图像")
    return owners


def _issued_payloads(events: list[AuditEvent]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for e in events:
        if e.kind == "document.issued":
            try:
                out[e.entity_id] = {"seq": e.seq, **json.loads(e.payload)}
            except ValueError:
                continue
    return out


def _document_problems(
    ctx: Context,
    doc: Document,
    frozen: dict[str, object] | None,
    void: dict[str, object] | None,
    registered: set[str],
) -> list[str]:
    """One document against the events that issued (and voided) it, and its PDF file itself."""
    name = f"文书《{doc.title}》{doc.number or '（草稿）'}"
    out: list[str] = []
    unregistered = doc.pdf_sha256 and doc.pdf_sha256 not in registered  # else checked as a blob
    if unregistered and doc.pdf_sha256 and (problem := ctx.blobs.verify(doc.pdf_sha256)):
        out.append(f"{name}的PDF（{doc.pdf_sha256[:12]}…）：{problem}")
    if frozen is None:
        if doc.status in ("issued", "voided"):
            out.append(f"{name}：找不到它的签发审计事件，来源不明。")
        return out
    seq = frozen["seq"]
    if doc.status not in ("issued", "voided"):
        out.append(f"{name}：已于审计事件 #{seq} 签发，现状态却为“{doc.status}”，被改动。")
    checks = (
        ("pdf_sha256", doc.pdf_sha256, "记录的PDF与签发时不一致，文书被替换"),
        ("number", doc.number, "文号与签发时记录的不一致"),
        ("kind", doc.kind, "文书种类与签发时记录的不一致"),
        ("unit_id", doc.unit_id, "所属单位与签发时记录的不一致"),
    )
    for key, actual, what in checks:
        if frozen.get(key) and frozen[key] != actual:
            out.append(f"{name}：{what}（审计事件 #{seq}）。")
    data_sha = frozen.get("data_sha256")
    if data_sha and data_sha != hashlib.sha256(doc.data.encode("utf-8")).hexdigest():
        out.append(f"{name}：文书内容与签发时（审计事件 #{seq}）不一致，已被改动。")
    if doc.status == "voided" and void is None:
        out.append(f"{name}：标为作废，但没有作废审计事件。")
    if doc.status == "issued" and void is not None:
        out.append(f"{name}：已有作废审计事件，现状态却为已签发，被改动。")
    if void is not None and void.get("reason") != doc.void_reason:
        out.append(f"{name}：作废理由与作废时记录的不一致。")
    return out


def verify(ctx: Context) -> VerifyReport:
    report = VerifyReport()
    with ctx.store.read() as s:
        owners = _owners(s)
        registered: set[str] = set()
        blobs = list(s.exec(select(Blob).order_by(col(Blob.created_at))))
        for blob in blobs:
            registered.add(blob.sha256)
            report.blobs_checked += 1
            problem = ctx.blobs.verify(blob.sha256)
            if problem:
                names = "、".join(owners.get(blob.sha256, [])) or "文件"
                report.problems.append(f"{names}（{blob.sha256[:12]}…）：{problem}")
        events = list(s.exec(select(AuditEvent).order_by(col(AuditEvent.seq))))
        issued = _issued_payloads(events)
        voided = {e.entity_id: json.loads(e.payload) for e in events if e.kind == "document.voided"}
        for doc in s.exec(select(Document)):
            report.problems += _document_problems(
                ctx, doc, issued.get(doc.id), voided.get(doc.id), registered
            )
            if doc.id in issued:
                report.documents_checked += 1
        findings = check_rows(s, events, blobs, ctx.blobs.root)
    report.problems += findings.problems
    report.notes += findings.notes
    report.rows_checked = findings.rows_checked
    report.events_checked = len(events)
    rows = [(e.seq or 0, e.prev_hash, e.hash, event_body(e)) for e in events]
    by_seq = {e.seq: e for e in events}
    for brk in verify_chain(rows):
        event = by_seq.get(brk.seq)
        what = event_label(event) if event else f"审计事件 #{brk.seq}"
        report.problems.append(f"{what}：{brk.reason}")
    return report
