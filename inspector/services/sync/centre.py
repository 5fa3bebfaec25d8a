"""The sync centre's view and actions: who is signed in where, what waits to be sent, the records
the server did not take (with 重试) and the conflicts inbox (server values kept, the device's
values offered again)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from inspector.domain.errors import UserError
from inspector.domain.record_kinds import record_name
from inspector.services.context import Context
from inspector.services.counts import Unsynced, unsynced
from inspector.services.setting_rows import (
    LAST_SYNC,
    SERVER_URL,
    USERNAME,
    clock_offset,
    get_setting,
)
from inspector.services.sync.apply import queue_unit_patch
from inspector.services.sync.texts import FIELD_NAMES, reason_text
from inspector.store.models import Outbox, Unit
from inspector.util.ids import uuid7

CLOCK_WARN_S = 300
UNNAMED_UNIT = "（本机没有名称的单位）"  # a conflict on a unit this device cannot name


@dataclass(frozen=True)
class Problem:
    """A record the server did not take (rejected) or asked to send again (retry)."""

    op_id: str
    entity: str
    entity_id: str
    state: str  # rejected | pending (a `retry` answer)
    reason: str  # Chinese
    title: str = ""  # what a person calls the record (a unit's name), when known
    queued_at: datetime | None = None  # when this device queued it (names a record with no title)

    @property
    def kind(self) -> str:
        return record_name(self.entity)


@dataclass(frozen=True)
class ConflictField:
    field: str
    server_value: Any
    device_value: Any

    @property
    def label(self) -> str:
        return FIELD_NAMES.get(self.field, self.field)


@dataclass(frozen=True)
class ConflictItem:
    """A unit edit the server did not take as it was: the server's values were kept."""

    op_id: str
    entity_id: str
    title: str  # the unit's name
    reason: str  # Chinese
    fields: list[ConflictField]
    deleted: bool = False


@dataclass(frozen=True)
class SyncStatus:
    username: str | None
    server_url: str | None
    signed_in: bool
    last_sync_at: datetime | None
    clock_offset_s: float | None
    pending: dict[str, int]  # entity → ops still to send
    problems: list[Problem]
    conflicts: list[ConflictItem]
    unsynced: Unsynced  # the status bar's count too (services/counts.py)

    @property
    def total_pending(self) -> int:
        return sum(self.pending.values())

    @property
    def clock_warning(self) -> bool:
        return self.clock_offset_s is not None and abs(self.clock_offset_s) > CLOCK_WARN_S

    @property
    def safe_to_sign_out(self) -> bool:
        """Nothing would stay only on this device (rejected records count: they need a look)."""
        return self.total_pending == 0 and not any(p.state == "rejected" for p in self.problems)


def _unit_names(s: Session, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = s.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(ids))).all()
    return {uid: name for uid, name in rows}


def _conflict_item(row: Outbox, title: str) -> ConflictItem:
    """The fields of a conflicting unit patch: the device's value from the op, the server's from
    the stored answer."""
    payload = json.loads(row.payload or "{}")
    answer = json.loads(row.result or "{}")
    server_row = answer.get("row") or {}
    reason = answer.get("reason") or ""
    if reason.startswith("conflict:"):  # a duplicate's stored first answer
        reason = reason.partition(":")[2]
    sets = payload.get("set", {}) if isinstance(payload, dict) else {}
    head, _, tail = reason.partition(":")
    names = [f for f in tail.split(",") if f] if head == "field_conflict" else list(sets)
    fields = [ConflictField(f, server_row.get(f), sets.get(f)) for f in names if f in sets]
    return ConflictItem(
        op_id=row.op_id,
        entity_id=row.entity_id,
        title=title,
        reason=row.last_error or reason_text(reason),
        fields=fields,
        deleted=head == "deleted",
    )


def pending_count(ctx: Context) -> dict[str, int]:
    """Ops still to send, per entity (the "safe to sign out?" question)."""
    with ctx.store.read() as s:
        rows = s.exec(select(Outbox.entity).where(Outbox.state == "pending")).all()
    out: dict[str, int] = {}
    for entity in rows:
        out[entity] = out.get(entity, 0) + 1
    return out


def sync_status(ctx: Context, signed_in: Callable[[str], bool]) -> SyncStatus:
    """What the sync centre shows: who, where, when, what is waiting and what needs a look."""
    with ctx.store.read() as s:
        server_url = get_setting(s, SERVER_URL)
        username = get_setting(s, USERNAME)
        raw_last = get_setting(s, LAST_SYNC)
        offset = clock_offset(s)
        rows = list(
            s.exec(
                select(Outbox)
                .where(
                    col(Outbox.state).in_(("rejected", "conflict"))
                    | ((Outbox.state == "pending") & (Outbox.retry_reason != ""))
                )
                .order_by(col(Outbox.seq))
            )
        )
        names = _unit_names(s, [r.entity_id for r in rows if r.entity == "unit"])
    problems: list[Problem] = []
    conflicts: list[ConflictItem] = []
    for row in rows:
        if row.state == "conflict":
            conflicts.append(_conflict_item(row, names.get(row.entity_id, UNNAMED_UNIT)))
        else:
            problems.append(
                Problem(
                    op_id=row.op_id,
                    entity=row.entity,
                    entity_id=row.entity_id,
                    state=row.state,
                    reason=row.last_error,
                    title=names.get(row.entity_id, "") if row.entity == "unit" else "",
                    queued_at=row.created_at,
                )
            )
    last = datetime.fromisoformat(raw_last) if raw_last else None
    return SyncStatus(
        username=username,
        server_url=server_url,
        signed_in=bool(username and signed_in(username)),
        last_sync_at=last,
        clock_offset_s=offset,
        pending=pending_count(ctx),
        problems=problems,
        conflicts=conflicts,
        unsynced=unsynced_of(ctx),
    )


def retry(ctx: Context, op_id: str) -> None:
    """Send a rejected record again at the next sync. The server keeps its answer to an op id,
    so the record goes under a new op id (nothing of the rejected one was applied); a pending
    `retry` op is already going again and is left as it is."""
    with ctx.store.write() as s:
        row = s.exec(select(Outbox).where(Outbox.op_id == op_id)).first()
        if row is None:
            raise UserError("找不到这条待同步记录，可能已经处理。")
        if row.state != "rejected":
            return
        row.op_id = uuid7()
        row.state = "pending"
        row.attempts = 0
        row.last_error = ""
        row.retry_reason = ""
        row.result = ""
        s.add(row)


def settle_conflict(ctx: Context, op_id: str, keep_device_fields: list[str] | None = None) -> None:
    """Close a conflict: the server's values stay (they are already on this device); for each
    field in `keep_device_fields` the device's value is queued again as a new patch on top of
    the server's version (an ordinary edit the server merges at the next sync)."""
    with ctx.store.write() as s:
        row = s.exec(select(Outbox).where(Outbox.op_id == op_id)).first()
        if row is None or row.state != "conflict":
            raise UserError("这条冲突已经处理过了。")
        if keep_device_fields:
            item = _conflict_item(row, "")
            if item.deleted:
                raise UserError("该单位已在服务器删除，无法保留本机的修改。")
            values = {f.field: f.device_value for f in item.fields}
            keep = {f: values[f] for f in keep_device_fields if f in values}
            if keep:
                queue_unit_patch(s, ctx.clock, row.entity_id, keep)
        row.state = "settled"
        s.add(row)


def unsynced_of(ctx: Context) -> Unsynced:
    with ctx.store.read() as s:
        return unsynced(s)
