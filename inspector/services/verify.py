"""`inspector verify`: every stored file against its hash, and the whole audit chain."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import col, select

from inspector.domain.audit import verify_chain
from inspector.services.context import Context
from inspector.services.journal import event_body
from inspector.store.models import AuditEvent, Blob


@dataclass
class VerifyReport:
    blobs_checked: int = 0
    events_checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(ctx: Context) -> VerifyReport:
    report = VerifyReport()
    with ctx.store.read() as s:
        for blob in s.exec(select(Blob).order_by(col(Blob.created_at))):
            report.blobs_checked += 1
            problem = ctx.blobs.verify(blob.sha256)
            if problem:
                report.problems.append(f"文件 {blob.sha256}：{problem}")
        events = list(s.exec(select(AuditEvent).order_by(col(AuditEvent.seq))))
    report.events_checked = len(events)
    rows = [(e.seq or 0, e.prev_hash, e.hash, event_body(e)) for e in events]
    for brk in verify_chain(rows):
        report.problems.append(f"审计事件 #{brk.seq}（{brk.event_id}）：{brk.reason}")
    return report
