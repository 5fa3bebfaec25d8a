"""Steps of the hazard closed loop: each one an append-only event, an audit entry and an outbox entry,
written in the caller's transaction; the hazard row keeps the fold's result for fast lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from inspector.domain.enums import HazardStatus
from inspector.domain.errors import UserError
from inspector.domain.hazard_loop import (
    HazardStep,
    LoopState,
    Step,
    allowed,
    apply,
    refusal,
)
from inspector.services.changes import Changes, Done, done
from inspector.services.context import Context
from inspector.services.journal import audit, queue, row_payload
from inspector.services.setting_rows import current_user_id
from inspector.store.models import Hazard, HazardEvent
from inspector.util.clock import Clock
from inspector.util.dates import moment_text
from inspector.util.ids import uuid7


def record_step(
    s: Session,
    clock: Clock,
    hazard: Hazard,
    step: HazardStep,
    actor_id: str | None,
    *,
    document_id: str | None = None,
    deadline: date | None = None,
    note: str = "",
    strict: bool = True,
) -> HazardEvent:
    """Append one step; with strict, a step the loop does not allow now is refused (UserError)."""
    status = HazardStatus(hazard.status)
    if strict and not allowed(status, step):
        raise UserError(refusal(status, step))
    event = HazardEvent(
        id=uuid7(),
        hazard_id=hazard.id,
        kind=step.value,
        document_id=document_id,
        deadline=deadline,
        note=note,
        actor_id=actor_id,
        at=clock.now(),
        clock_offset_s=clock.offset_s,
    )
    s.add(event)
    state = apply(
        LoopState(status, hazard.deadline, hazard.supervised),
        Step(step, deadline),
    )
    hazard.status = state.status.value
    hazard.deadline = state.deadline
    hazard.supervised = state.supervised
    hazard.updated_at = event.at
    s.add(hazard)
    s.flush()
    payload = row_payload(event)
    queue(s, clock, "hazardevent", event.id, payload)
    queue(s, clock, "hazard", hazard.id, row_payload(hazard))
    audit(s, clock, f"hazard.{step.value}", "hazard", hazard.id, actor_id, payload)
    return event


@dataclass(frozen=True)
class HazardHistoryRow:
    at: str
    step: str
    note: str
    deadline: date | None


class HazardLoopService:
    """The person-initiated steps: 挂牌督办, 解除督办, 销号."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _step(self, hazard_id: str, step: HazardStep, note: str = "") -> Done[None]:
        with self.ctx.store.write() as s:
            hazard = s.get(Hazard, hazard_id)
            if hazard is None:
                raise UserError("找不到该隐患。")
            if step == HazardStep.SUPERVISED and hazard.grade != "major":
                raise UserError("只有重大事故隐患才能挂牌督办。")
            actor = current_user_id(s)
            record_step(s, self.ctx.clock, hazard, step, actor, note=note)
            inspection_id = hazard.inspection_id
        return done(Changes(hazards=frozenset({hazard_id}), inspections=frozenset({inspection_id})))

    def supervise(self, hazard_id: str, on: bool = True) -> Done[None]:
        return self._step(hazard_id, HazardStep.SUPERVISED if on else HazardStep.UNSUPERVISED)

    def close(self, hazard_id: str, note: str = "") -> Done[None]:
        """销号: only after a passed 复查."""
        return self._step(hazard_id, HazardStep.CLOSED, note)

    def recheck(
        self, hazard_id: str, passed: bool, note: str = "", new_deadline: date | None = None
    ) -> Done[None]:
        """The township's 复查 of a hazard under its 安全隐患整改通知书 (the notice's 复查栏): not an
        执法文书, so no 复查意见书 — passed closes it (销号, unless 挂牌督办), failed sets a new
        deadline. Hazards under an enforcement order are judged by a 整改复查意见书 instead."""
        from inspector.services.textcheck import clean_text

        note = clean_text("复查情况", note, max_chars=500)
        today = self.ctx.clock.today()
        if not passed and (new_deadline is None or new_deadline <= today):
            raise UserError("复查未通过的，请给出今天以后的新整改期限。")
        with self.ctx.store.write() as s:
            hazard = s.get(Hazard, hazard_id)
            if hazard is None:
                raise UserError("找不到该隐患。")
            kind, notice_id = self._current_order(s, hazard_id)
            if kind != "hazard_notice":
                raise UserError(
                    "该隐患由执法文书责令整改，请在“文书”中对该文书“开始复查”，出具整改复查意见书。"
                )
            actor = current_user_id(s)
            if passed:
                record_step(s, self.ctx.clock, hazard, HazardStep.REVIEW_PASSED, actor, note=note)
                if not hazard.supervised:
                    record_step(s, self.ctx.clock, hazard, HazardStep.CLOSED, actor, note=note)
            else:
                record_step(s, self.ctx.clock, hazard, HazardStep.REVIEW_FAILED, actor, note=note)
                record_step(
                    s,
                    self.ctx.clock,
                    hazard,
                    HazardStep.ORDERED,
                    actor,
                    document_id=notice_id,  # still under the same notice, with a new deadline
                    deadline=new_deadline,
                )
            inspection_id = hazard.inspection_id
        return done(Changes(hazards=frozenset({hazard_id}), inspections=frozenset({inspection_id})))

    @staticmethod
    def _current_order(s: Session, hazard_id: str) -> tuple[str | None, str | None]:
        """The kind and id of the document behind the hazard's latest 责令整改 step."""
        from inspector.store.models import Document

        event = s.exec(
            select(HazardEvent)
            .where(HazardEvent.hazard_id == hazard_id, HazardEvent.kind == HazardStep.ORDERED.value)
            .order_by(col(HazardEvent.at).desc(), col(HazardEvent.id).desc())
            .limit(1)
        ).first()
        if event is None or event.document_id is None:
            return None, None
        doc = s.get(Document, event.document_id)
        return (doc.kind, doc.id) if doc is not None else (None, None)

    def history(self, hazard_id: str) -> list[HazardHistoryRow]:
        with self.ctx.store.read() as s:
            events = s.exec(
                select(HazardEvent)
                .where(HazardEvent.hazard_id == hazard_id)
                .order_by(col(HazardEvent.at), col(HazardEvent.id))
            ).all()
        return [
            HazardHistoryRow(
                moment_text(e.at),
                HazardStep(e.kind).label,
                e.note,
                e.deadline,
            )
            for e in events
        ]
