"""The answers of a push (sync.contract.OpResult): an op's answer with its reason code, a
repeated op's stored first answer, and what is refused before the database is asked."""

from __future__ import annotations

from typing import Any

from sync.contract import Op, OpResult, OpStatus, Reason, reason
from sync.server.auth import Caller
from sync.server.db import AppliedOp

BIGINT = 2**62  # what a JSON integer may reach (PostgreSQL's bigint, with room)


def bad_text(value: Any) -> bool:
    """True when a string inside has a NUL or a lone surrogate (PostgreSQL and UTF-8 refuse both)."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(bad_text(k) or bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(bad_text(v) for v in value)
    if isinstance(value, float):
        return value != value or value in (float("inf"), float("-inf"))
    if isinstance(value, int) and not isinstance(value, bool):
        return not -BIGINT < value < BIGINT
    return False


class Abort(Exception):
    """Roll the op's transaction back and answer with this result (not stored)."""

    def __init__(self, result: OpResult) -> None:
        super().__init__(result.reason)
        self.result = result


def answer(
    op: Op, status: OpStatus, code: Reason | None = None, detail: str = "", **kw: Any
) -> OpResult:
    """The answer to an op: its status, and why (a code of sync.contract.Reason, `detail` the
    field or fields it names)."""
    return OpResult(
        op_id=op.op_id, status=status, reason=reason(code, detail) if code else None, **kw
    )


def _stored(row: AppliedOp) -> OpResult:
    r = row.result
    reason = row.status + (f":{r['reason']}" if r.get("reason") else "")
    return OpResult(
        op_id=row.op_id,
        status="duplicate",
        reason=reason,
        version=r.get("version"),
        row=r.get("row"),
    )


def repeat(prior: AppliedOp, op: Op, caller: Caller, digest: str) -> OpResult:
    same = (
        prior.payload_sha256 == digest
        and prior.device_id == caller.device_id
        and (prior.entity, prior.entity_id, prior.kind) == (op.entity, op.entity_id, op.kind)
    )
    if same:
        return _stored(prior)
    return answer(op, "rejected", "idempotency_key_reused")


def precheck(op: Op, digest: str) -> OpResult | None:
    """What can be refused without the database."""
    if not digest:
        return answer(op, "rejected", "invalid_text")
    if digest != op.payload_sha256:
        return answer(op, "rejected", "payload_hash_mismatch")
    if op.base_version is not None and not 0 <= op.base_version < BIGINT:
        return answer(op, "rejected", "malformed")
    return None
