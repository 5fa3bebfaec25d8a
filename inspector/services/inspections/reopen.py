"""Before and after 完成检查: what the confirmation summarises, and the audited reopen.

Finishing fixes the record (the hazards enter the loop, the 现场检查记录 can be issued). The
confirmation names what is still unchecked (`finish_summary`). A finished inspection with no
document issued from it yet may be reopened by its creator with a reason (`reopen`): the inspection
goes back to 检查中, the reason, time and person are appended to `inspection.reopenings` (so every
later snapshot the server receives carries them), and the write is one transaction with its
outbox entry and the `inspection.reopened` audit event. Once a document of the inspection is
issued (or issued and voided) the paper exists, and the reopen is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, select

from inspector.domain.enums import InspectionStatus, ItemResult
from inspector.domain.errors import UserError
from inspector.services.changes import Changes, Done, done
from inspector.services.inspections.recording import InspectionService, InspectionView
from inspector.services.setting_rows import current_user_id
from inspector.services.textcheck import clean_text
from inspector.store.models import Document, Inspection

SHOWN_UNCHECKED = 5  # unchecked items named in the confirmation; the rest are counted


@dataclass(frozen=True)
class FinishSummary:
    total: int
    unchecked: tuple[str, ...]  # "第3项 …" for each item not yet marked
    findings: int

    def text(self) -> str:
        """The confirmation's sentence, e.g. "25 项中 14 项未检查：第3项…、第4项…等。"."""
        if not self.unchecked:
            head = f"{self.total} 项已全部检查。"
        else:
            named = "；".join(self.unchecked[:SHOWN_UNCHECKED])
            more = f"等 {len(self.unchecked)} 项" if len(self.unchecked) > SHOWN_UNCHECKED else ""
            head = f"{self.total} 项中 {len(self.unchecked)} 项未检查：{named}{more}。"
        return (
            f"{head}发现隐患 {self.findings} 处。完成后记录即固定，隐患进入整改闭环；"
            "签发文书前如需更正，可凭理由重新打开。"
        )


def finish_summary(view: InspectionView) -> FinishSummary:
    """What 完成检查 would fix: the items not yet marked and the findings, from one view."""
    items = [it for cl in view.checklists for it in cl.items]
    unchecked = tuple(
        f"第{it.seq}项 {_short(it.content)}"
        for it in items
        if it.result == ItemResult.UNCHECKED.value
    )
    return FinishSummary(len(items), unchecked, len(view.hazards))


def reopen(service: InspectionService, inspection_id: str, reason: str) -> Done[None]:
    """Reopen a finished inspection that no document was issued from (UserError otherwise)."""
    ctx = service.ctx
    text = clean_text("重新打开的理由", reason, max_chars=500, required=True)
    with ctx.store.write() as s:
        insp = s.get(Inspection, inspection_id)
        if insp is None:
            raise UserError("检查记录不存在。")
        refusal = reopen_refusal(s, insp)
        if refusal:
            raise UserError(refusal)
        now = ctx.clock.now()
        me = current_user_id(s)
        history = json.loads(insp.reopenings or "[]")
        history.append({"at": now.isoformat(), "by": me, "reason": text})
        insp.reopenings = json.dumps(history, ensure_ascii=False)
        insp.status = InspectionStatus.IN_PROGRESS
        insp.ended_at = None
        insp.updated_at = now
        s.add(insp)
        service.journal_inspection(s, insp, "inspection.reopened")
    return done(Changes(inspections=frozenset({inspection_id}), units=frozenset({insp.unit_id})))


def reopen_refusal(s: Session, insp: Inspection) -> str | None:
    """Why this inspection cannot be reopened now (a Chinese sentence), or None."""
    if insp.status != InspectionStatus.FINISHED:
        return "该检查尚未完成，无需重新打开。"
    me = current_user_id(s)
    if insp.created_by is not None and me is not None and insp.created_by != me:
        return "只有创建该检查记录的人员才能重新打开它。"
    issued = s.exec(
        select(Document.kind, Document.number).where(Document.inspection_id == insp.id)
    ).first()
    if issued is not None:
        number = f"（{issued[1]}）" if issued[1] else ""
        return (
            f"该检查已签发文书{number}，记录已作为文书依据，不能重新打开；"
            "如需更正，请作废文书后另行检查或出具更正文书。"
        )
    return None


def _short(content: str, limit: int = 16) -> str:
    content = content.strip().rstrip("？?。")
    return content if len(content) <= limit else content[: limit - 1] + "…"
