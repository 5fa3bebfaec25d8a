"""Inside a write transaction: queue the change for the server (outbox) and chain an audit event.

Both rows are written in the caller's transaction, so a change, its outbox entry and its audit event
are stored together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from inspector.domain.audit import GENESIS, EventBody, canonical_json
from inspector.services import row_state
from inspector.store.models import AuditEvent, Outbox
from inspector.util.clock import Clock
from inspector.util.ids import uuid7
from sync.contract import named_blobs


def to_jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def row_payload(row: Any) -> dict[str, Any]:
    """A table row as a JSON-ready dict (the snapshot the server receives)."""
    data: dict[str, Any] = to_jsonable(row.model_dump())
    return data


def queue(
    session: Session,
    clock: Clock,
    entity: str,
    entity_id: str,
    payload: dict[str, Any],
    *,
    kind: str = "upsert",
    blob_refs: list[str] | None = None,
) -> None:
    """Queue a snapshot for the server. A pending, never-sent op for the same record is replaced
    (its payload is not frozen until the first attempt); anything already attempted stays as is.

    The op's blobs are those given, every blob the payload names (the server asks for each of
    them) and, when a pending op is replaced, every blob that op carried: a later change (a void,
    a print count) never drops the PDF or the pictures an earlier version was to send."""
    text = canonical_json(payload)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    refs = set(blob_refs or [])
    refs.update(v for v in named_blobs(payload) if isinstance(v, str))
    pending = session.exec(
        select(Outbox)
        .where(Outbox.entity == entity, Outbox.entity_id == entity_id)
        .where(Outbox.state == "pending", Outbox.attempts == 0, Outbox.kind == kind)
        .order_by(col(Outbox.seq).desc())
        .limit(1)
    ).first()
    if pending is not None:
        refs.update(json.loads(pending.blob_refs or "[]"))
        pending.payload = text
        pending.payload_sha256 = digest
        pending.blob_refs = json.dumps(sorted(refs))
        session.add(pending)
        return
    session.add(
        Outbox(
            op_id=uuid7(),
            kind=kind,
            entity=entity,
            entity_id=entity_id,
            payload=text,
            payload_sha256=digest,
            blob_refs=json.dumps(sorted(refs)),
            created_at=clock.now(),
        )
    )


def audit(
    session: Session,
    clock: Clock,
    kind: str,
    entity: str,
    entity_id: str,
    actor_id: str | None,
    payload: dict[str, Any],
) -> AuditEvent:
    """Append an audit event chained to the previous one (the writer lock orders appends). An
    event about an audited record also carries the digest of the row as it now is
    (`row_state`), so `verify` can tell a row edited or deleted outside the services."""
    session.flush()
    stamp = row_state.stamp(session.connection(), entity, entity_id, payload)
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()
    prev_hash = last.hash if last else GENESIS
    body = EventBody(
        id=uuid7(),
        kind=kind,
        entity=entity,
        entity_id=entity_id,
        actor_id=actor_id,
        device_time=clock.device_now().isoformat(),
        clock_offset_s=clock.offset_s,
        payload={**to_jsonable(payload), **stamp},
    )
    event = AuditEvent(
        id=body.id,
        prev_hash=prev_hash,
        hash=body.digest(prev_hash),
        kind=kind,
        entity=entity,
        entity_id=entity_id,
        actor_id=actor_id,
        device_time=body.device_time,
        clock_offset_s=body.clock_offset_s,
        payload=canonical_json(body.payload),
    )
    session.add(event)
    session.flush()
    return event


def event_body(event: AuditEvent) -> EventBody:
    return EventBody(
        id=event.id,
        kind=event.kind,
        entity=event.entity,
        entity_id=event.entity_id,
        actor_id=event.actor_id,
        device_time=event.device_time,
        clock_offset_s=event.clock_offset_s,
        payload=json.loads(event.payload),
    )
