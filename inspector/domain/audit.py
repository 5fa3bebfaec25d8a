"""The hash chain of audit events (执法全过程记录): each event carries the previous event's hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Stable JSON for hashing: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class EventBody:
    id: str
    kind: str
    entity: str
    entity_id: str
    actor_id: str | None
    device_time: str
    clock_offset_s: float | None
    payload: dict[str, Any]

    def digest(self, prev_hash: str) -> str:
        body = {
            "prev": prev_hash,
            "id": self.id,
            "kind": self.kind,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "actor": self.actor_id,
            "time": self.device_time,
            "offset": self.clock_offset_s,
            "payload": self.payload,
        }
        return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    event_id: str
    reason: str


def verify_chain(events: Iterable[tuple[int, str, str, EventBody]]) -> list[ChainBreak]:
    """Check (seq, prev_hash, hash, body) rows in seq order; list every break found."""
    breaks: list[ChainBreak] = []
    expected_prev = GENESIS
    for seq, prev_hash, stored_hash, body in events:
        if prev_hash != expected_prev:
            breaks.append(ChainBreak(seq, body.id, "前一事件哈希不连续（事件被删除、插入或改动）"))
        if body.digest(prev_hash) != stored_hash:
            breaks.append(ChainBreak(seq, body.id, "事件内容与其哈希不符（事件被改动）"))
        expected_prev = stored_hash
    return breaks
