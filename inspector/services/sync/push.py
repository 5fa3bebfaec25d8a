"""Step 3 of a run: the pending ops in order, each batch once the blobs it refers to are up;
each answer stored with its op in one transaction on the writer."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from inspector.services.sync.apply import apply_units
from inspector.services.sync.report import Rejection
from inspector.services.sync.steps import RunState
from inspector.services.sync.texts import reason_text
from inspector.services.sync.uploads import UploadQueue
from inspector.store.models import Outbox
from sync.contract import MAX_OPS, OpResult, PushResponse

MAX_PUSH_PASSES = 4  # a child queued before its parent comes back `retry: missing_parent`


class PushSteps(RunState):
    def push(self, uploads: UploadQueue | None = None) -> None:
        """The pending ops in order, MAX_OPS a request; each batch goes as soon as the blobs it
        refers to are uploaded (`uploads` runs alongside)."""
        with self.ctx.store.read() as s:
            total = len(s.exec(select(Outbox.seq).where(Outbox.state == "pending")).all())
        done = 0
        after = 0  # seq of the last op sent in this pass
        seen: set[int] = set()
        for _pass in range(MAX_PUSH_PASSES):
            progressed = False
            after = 0
            while True:
                self.check()
                with self.ctx.store.read() as s:
                    batch = (
                        s.connection()
                        .execute(
                            select(Outbox.seq, Outbox.blob_refs)
                            .where(Outbox.state == "pending", col(Outbox.seq) > after)
                            .order_by(col(Outbox.seq))
                            .limit(MAX_OPS)
                        )
                        .all()
                    )
                if not batch:
                    break
                seqs = [int(seq) for seq, _refs in batch]
                after = seqs[-1]
                if uploads is not None and not uploads.done:
                    refs = {
                        sha for _seq, blob_refs in batch for sha in json.loads(blob_refs or "[]")
                    }
                    uploads.wait_for(refs, self.upload_progress)
                else:
                    self.progress("上传记录", min(done, total), total)
                applied = self.push_batch(seqs)
                progressed = progressed or applied > 0
                for seq in seqs:
                    if seq not in seen:
                        seen.add(seq)
                        done += 1
            if not progressed or not self.has_parent_retries():
                break
        if uploads is not None:
            uploads.finish(self.upload_progress)
        self.progress("上传记录", total, total)

    def has_parent_retries(self) -> bool:
        with self.ctx.store.read() as s:
            return (
                s.exec(
                    select(Outbox.seq)
                    .where(Outbox.state == "pending")
                    .where(Outbox.retry_reason == "missing_parent")
                    .limit(1)
                ).first()
                is not None
            )

    def push_batch(self, seqs: list[int]) -> int:
        """Send one batch of ops (outbox seqs, in order); returns how many were answered
        applied/duplicate/conflict. Plain statements, not ORM objects: building and flushing a
        hundred Outbox objects twice was half of the client's time per batch."""
        # freeze the payloads first: from here on journal.queue makes a new op for a new edit
        rows = self.write(lambda s: freeze(s, seqs))
        batch = [rows[seq] for seq in seqs if seq in rows and rows[seq].state == "pending"]
        if not batch:
            return 0
        body = {"device_id": self.device_id, "ops": [wire_op(op) for op in batch]}
        r = self.request("POST", "/sync/push", json=body)
        results = self.answer(
            r, PushResponse, "上传记录", "服务器对上传的回答无法识别。已保存的记录不受影响。"
        ).results
        by_id = {res.op_id: res for res in results}
        return self.write(lambda s: self.store_answers(s, batch, by_id))

    def store_answers(self, s: Session, batch: list[Any], by_id: dict[str, OpResult]) -> int:
        """The answers on their ops (a retry keeps its op pending with its reason) and the unit
        rows the server sent back; returns how many were applied/duplicate/conflict."""
        answered: list[dict[str, Any]] = []
        retries: list[dict[str, Any]] = []
        unit_rows: list[dict[str, Any]] = []
        conn = s.connection()
        states: dict[int, str] = dict(
            conn.execute(
                select(Outbox.seq, Outbox.state).where(
                    col(Outbox.seq).in_([op.seq for op in batch])
                )
            ).all()
        )
        for op in batch:
            res = by_id.get(op.op_id)
            if res is None or states.get(op.seq) != "pending":
                continue
            values = self.take_answer(op, res)
            final = "b_state" in values  # not a retry
            (answered if final else retries).append(values)
            if final and op.entity == "unit" and res.row is not None:
                unit_rows.append(res.row)
        where = col(Outbox.seq) == bindparam("b_seq")
        if answered:
            conn.execute(
                update(Outbox)
                .where(where)
                .values(
                    state=bindparam("b_state"),
                    result=bindparam("b_result"),
                    last_error=bindparam("b_error"),
                    retry_reason=bindparam("b_retry"),
                ),
                answered,
            )
        if retries:
            conn.execute(
                update(Outbox)
                .where(where)
                .values(last_error=bindparam("b_error"), retry_reason=bindparam("b_retry")),
                retries,
            )
        # after the answers are stored, so that an answered patch no longer holds its fields
        for row in unit_rows:
            apply_units(s, self.ctx.clock, [(row, int(row.get("version", 0)), False)])
        return sum(1 for values in answered if values["b_state"] in ("done", "conflict"))

    def take_answer(self, op: Any, res: OpResult) -> dict[str, Any]:
        """What one answer changes on its op (parameters of push_batch's update; a retry changes
        only its error and reason code), noted in the report."""
        status: str = res.status
        reason = res.reason
        if status == "duplicate":
            self.report.duplicates += 1
            first, _, rest = (reason or "applied").partition(":")
            status, reason = first, rest or None
        if status == "retry":
            said = reason_text(reason)
            self.waiting[op.op_id] = Rejection(op.entity, op.entity_id, op.op_id, "retry", said)
            code = (reason or "retry").partition(":")[0]
            return {"b_seq": op.seq, "b_error": said, "b_retry": code}
        self.waiting.pop(op.op_id, None)
        if status == "rejected" and op.entity == "unit" and reason == "deleted":
            status = "conflict"  # a local edit to a deleted unit is kept and shown (A5.5)
        state = {"applied": "done", "conflict": "conflict"}.get(status, "rejected")
        error = "" if status == "applied" else reason_text(reason)
        if status == "applied":
            if res.status != "duplicate":
                self.report.add_pushed(op.entity)
        else:
            item = Rejection(op.entity, op.entity_id, op.op_id, state, error)
            (self.report.conflicts if state == "conflict" else self.report.rejected).append(item)
        result = {
            "status": res.status,
            "reason": res.reason,
            "version": res.version,
            "row": res.row,
        }
        return {
            "b_seq": op.seq,
            "b_state": state,
            "b_result": json.dumps(result, ensure_ascii=False),
            "b_error": error,
            "b_retry": "",
        }


def freeze(s: Session, seqs: list[int]) -> dict[int, Any]:
    """Count an attempt on each op (its payload no longer merges new edits) and read them back
    in the columns a push sends."""
    conn = s.connection()
    conn.execute(
        update(Outbox).where(col(Outbox.seq).in_(seqs)).values(attempts=col(Outbox.attempts) + 1)
    )
    return {r.seq: r for r in conn.execute(sa_select(*_WIRE).where(col(Outbox.seq).in_(seqs)))}


# the outbox columns a push sends, and the state it is sent in
_WIRE: tuple[Any, ...] = (
    Outbox.seq,
    Outbox.op_id,
    Outbox.kind,
    Outbox.entity,
    Outbox.entity_id,
    Outbox.payload,
    Outbox.payload_sha256,
    Outbox.base_version,
    Outbox.blob_refs,
    Outbox.state,
)


def wire_op(op: Any) -> dict[str, Any]:
    """An outbox row (an `Outbox` or a row of its `_WIRE` columns) as the server's
    `sync.contract.Op`.

    The client's snapshots already have the shape the server keeps (each record names its unit or
    its parent record; blob hashes sit in ``*_sha256`` fields and `blob_refs`), and the outbox text
    is the canonical JSON `payload_digest` hashes, so the stored digest is sent as it is."""
    return {
        "op_id": op.op_id,
        "kind": op.kind,
        "entity": op.entity,
        "entity_id": op.entity_id,
        "payload": json.loads(op.payload),
        "payload_sha256": op.payload_sha256,
        "base_version": op.base_version,
        "blob_refs": json.loads(op.blob_refs or "[]"),
    }
