"""Applying server rows to the local store, inside the caller's write transaction.

Used by the pull (each page together with its cursor) and by the push (the row the server returns
with an answer, in the transaction that marks the op done). Upserts are by id and idempotent.

Units keep the device's search columns (`sn`, pinyin, FTS text) derived here, as `insert_units`
does, and take the server's `version`. A unit field named in a pending (unsent or unanswered)
`patch` op is *dirty*: the pulled value does not overwrite it, the op stays queued (A5.4).
Parents the device has not seen yet (a user's agency, a unit's township or grid, when the parent's
later change sits on a later page) get a placeholder row that its own change fills in later, so a
page never fails on a foreign key.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from inspector.domain.agency_settings import stored
from inspector.domain.audit import canonical_json
from inspector.domain.enums import HazardStatus
from inspector.domain.search_text import syllables_from_wire, unit_search_text
from inspector.domain.tasks import state_rank
from inspector.services.journal import audit, to_jsonable
from inspector.store.models import (
    Agency,
    Checklist,
    ChecklistItem,
    Grid,
    Hazard,
    HazardEvent,
    InspectionChecklist,
    ItemResult,
    NumberBlock,
    Outbox,
    Task,
    TaskStep,
    Township,
    Unit,
    User,
)
from inspector.store.unit_search import insert_units_indexed
from inspector.util.clock import Clock
from inspector.util.ids import uuid7
from sync.contract import UNIT_DEFAULTS, UNIT_FIELDS, UNIT_NAME_SYLLABLES

log = logging.getLogger("inspector.sync")

_AGENCY_FIELDS = frozenset(Agency.model_fields) - {"id"}
_AGENCY_NULLABLE = frozenset({"large_fine_person_yuan", "large_fine_unit_yuan"})
_ITEM_FIELDS = frozenset(ChecklistItem.model_fields) - {"id", "checklist_id"}


# -- the local edit of a shared unit ------------------------------------------------------------
def queue_unit_patch(
    session: Session, clock: Clock, unit_id: str, changes: Mapping[str, Any]
) -> Unit:
    """Change fields of a unit locally and queue a 3-way `patch` op (A5.5):
    ``{"set": {field: new}, "base": {field: old}}`` with ``base_version`` = the unit's version.

    An unsent patch of the same unit (never attempted) is merged: its base values stay for the
    fields it already had. Inside the caller's write transaction."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise KeyError(unit_id)
    sets = {f: v for f, v in changes.items() if f in UNIT_FIELDS}
    if not sets:
        return unit
    base = {f: getattr(unit, f) for f in sets}
    for field, value in sets.items():
        setattr(unit, field, value)
    if "name" in sets or "address" in sets:
        st = unit_search_text(unit.name, unit.address)
        unit.name_pinyin, unit.name_initials = st.name_pinyin, st.name_initials
        unit.search_name, unit.search_addr = st.search_name, st.search_addr
        unit.search_pyfull = st.search_pyfull
    unit.updated_at = clock.now()
    session.add(unit)
    pending = session.exec(
        select(Outbox)
        .where(Outbox.entity == "unit", Outbox.entity_id == unit_id, Outbox.kind == "patch")
        .where(Outbox.state == "pending", Outbox.attempts == 0)
        .order_by(col(Outbox.seq).desc())
        .limit(1)
    ).first()
    base_version: int | None = unit.version
    if pending is not None:
        old = json.loads(pending.payload)
        sets = {**old["set"], **sets}
        base = {**base, **old["base"]}
        base_version = pending.base_version
    payload = to_jsonable({"set": sets, "base": base})
    body = canonical_json(payload)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    if pending is not None:
        pending.payload, pending.payload_sha256 = body, digest
        session.add(pending)
    else:
        session.add(
            Outbox(
                op_id=uuid7(),
                kind="patch",
                entity="unit",
                entity_id=unit_id,
                payload=body,
                payload_sha256=digest,
                base_version=base_version,
                created_at=clock.now(),
            )
        )
    session.flush()
    return unit


def dirty_unit_fields(session: Session, unit_ids: Iterable[str]) -> dict[str, set[str]]:
    """Fields of these units changed on the device and not yet answered by the server."""
    ids = list(unit_ids)
    out: dict[str, set[str]] = {}
    if not ids:
        return out
    rows = session.exec(
        select(Outbox.entity_id, Outbox.payload)
        .where(Outbox.entity == "unit", Outbox.kind == "patch", Outbox.state == "pending")
        .where(col(Outbox.entity_id).in_(ids))
    ).all()
    for unit_id, payload in rows:
        try:
            fields = json.loads(payload).get("set", {})
        except ValueError:
            continue
        out.setdefault(unit_id, set()).update(fields)
    return out


# -- placeholders for parents not seen yet ------------------------------------------------------
def _ensure_agency(s: Session, agency_id: str | None) -> None:
    if agency_id and s.get(Agency, agency_id) is None:
        s.add(Agency(id=agency_id, name="", short_name=""))
        s.flush()


def _ensure_township(s: Session, township_id: str | None) -> None:
    if township_id and s.get(Township, township_id) is None:
        s.add(Township(id=township_id, name=""))
        s.flush()


def _ensure_grid(s: Session, grid_id: str | None, township_id: str | None) -> None:
    if grid_id and s.get(Grid, grid_id) is None:
        _ensure_township(s, township_id)
        if township_id is None:
            return
        s.add(Grid(id=grid_id, township_id=township_id, name=""))
        s.flush()


# -- per entity ---------------------------------------------------------------------------------
def apply_agency(s: Session, data: dict[str, Any]) -> None:
    """The agency's settings as the server holds them; a threshold the server sends as None is
    "not set" and clears the device's value."""
    row = s.get(Agency, data["id"]) or Agency(id=data["id"], name="", short_name="")
    for key, value in data.items():
        if key in _AGENCY_FIELDS and (value is not None or key in _AGENCY_NULLABLE):
            setattr(row, key, stored(key, value))
    s.add(row)


def apply_user(s: Session, data: dict[str, Any]) -> None:
    _ensure_agency(s, data.get("agency_id"))
    row = s.get(User, data["id"]) or User(id=data["id"], agency_id=data["agency_id"], name="")
    for key in ("agency_id", "name", "cert_no", "role", "phone", "active"):
        if key in data and data[key] is not None:
            setattr(row, key, data[key])
    s.add(row)


def apply_township(s: Session, data: dict[str, Any]) -> None:
    row = s.get(Township, data["id"]) or Township(id=data["id"], name="")
    row.name = data.get("name", row.name)
    row.county = data.get("county", row.county) or ""
    s.add(row)


def apply_grid(s: Session, data: dict[str, Any]) -> None:
    _ensure_township(s, data.get("township_id"))
    row = s.get(Grid, data["id"]) or Grid(id=data["id"], township_id=data["township_id"], name="")
    row.township_id = data["township_id"]
    row.name = data.get("name", row.name)
    row.code = data.get("code", row.code) or ""
    s.add(row)


def apply_units(
    s: Session,
    clock: Clock,
    rows: list[tuple[dict[str, Any], int, bool]],
    *,
    keep_dirty: bool = True,
) -> None:
    """Upsert units from server rows (data, version, deleted). New rows get an `sn` and their
    search text; dirty fields keep the device's value."""
    if not rows:
        return
    s.flush()
    ids = [d["id"] for d, _v, _del in rows]
    existing = {u.id: u for u in s.exec(select(Unit).where(col(Unit.id).in_(ids)))}
    dirty = dirty_unit_fields(s, ids) if keep_dirty else {}
    next_sn: int | None = None
    now = clock.now()
    new_rows: list[dict[str, Any]] = []
    places: set[tuple[str | None, str | None]] = set()
    for data, _v, _del in rows:
        places.add((data.get("township_id"), data.get("grid_id")))
    for township_id, grid_id in sorted(places, key=str):  # placeholders, once per place
        _ensure_township(s, township_id)
        _ensure_grid(s, grid_id, township_id)
    # who holds each credit code locally, kept up to date row by row (a code may move)
    codes = [d["credit_code"] for d, _v, _del in rows if d.get("credit_code")]
    holder: dict[str, str] = {}  # credit code → local unit id
    for i in range(0, len(codes), 500):
        found = s.exec(
            select(Unit.id, Unit.credit_code).where(col(Unit.credit_code).in_(codes[i : i + 500]))
        )
        holder.update((code, uid) for uid, code in found if code)
    code_of = {u.id: u.credit_code for u in existing.values()}
    for data, version, deleted in rows:
        values = {f: data.get(f, UNIT_DEFAULTS[f]) for f in UNIT_FIELDS}
        values["deleted"] = bool(deleted or data.get("deleted", False))
        old_code = code_of.get(data["id"])
        code = values["credit_code"]
        if "credit_code" in dirty.get(data["id"], ()):
            code = None  # the device's own code stays (and keeps holding it)
        elif old_code and holder.get(old_code) == data["id"]:
            del holder[old_code]
        if code:
            other = holder.get(code)
            if other is not None and other != data["id"]:
                # a unit added on this device with the same code (its push will be refused):
                # the server's unit comes in without the code rather than stopping the pull
                log.warning("pulled unit %s: credit code held by local unit %s", data["id"], other)
                values["credit_code"] = None
            else:
                holder[code] = data["id"]
            code_of[data["id"]] = values["credit_code"]
        unit = existing.get(data["id"])
        if unit is not None:
            for field in dirty.get(unit.id, set()):
                values.pop(field, None)
            for field, value in values.items():
                setattr(unit, field, value)
            st = unit_search_text(unit.name, unit.address, _spoken(data, unit.name))
            unit.name_pinyin, unit.name_initials = st.name_pinyin, st.name_initials
            unit.search_name, unit.search_addr = st.search_name, st.search_addr
            unit.search_pyfull = st.search_pyfull
            unit.version = version
            unit.updated_at = _parse_time(data.get("updated_at")) or now
            s.add(unit)
            continue
        if next_sn is None:
            next_sn = int(
                s.connection().execute(text("SELECT COALESCE(MAX(sn), 0) FROM unit")).scalar_one()
            )
        next_sn += 1
        st = unit_search_text(values["name"], values["address"], _spoken(data, values["name"]))
        new_rows.append(
            {
                **values,
                "id": data["id"],
                "sn": next_sn,
                "name_pinyin": st.name_pinyin,
                "name_initials": st.name_initials,
                "search_name": st.search_name,
                "search_addr": st.search_addr,
                "search_pyfull": st.search_pyfull,
                "version": version,
                "updated_at": _parse_time(data.get("updated_at")) or now,
            }
        )
    s.flush()
    insert_units_indexed(s.connection(), Unit.__table__, new_rows)  # type: ignore[attr-defined]


def _spoken(data: dict[str, Any], name: str) -> list[str] | None:
    """The server's pinyin of the unit's name, if it was sent for this very name (a name the
    device changed keeps its own), and well formed."""
    if data.get("name") != name:
        return None
    return syllables_from_wire(data.get(UNIT_NAME_SYLLABLES), name)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _item_in_use(s: Session, item_id: str) -> bool:
    used = s.exec(select(ItemResult.id).where(ItemResult.item_id == item_id).limit(1)).first()
    if used is not None:
        return True
    return s.exec(select(Hazard.id).where(Hazard.item_id == item_id).limit(1)).first() is not None


def apply_checklist(s: Session, data: dict[str, Any], deleted: bool) -> None:
    cid = data["id"]
    row = s.get(Checklist, cid)
    if deleted:
        if row is None:
            return
        used = s.exec(
            select(InspectionChecklist.inspection_id)
            .where(InspectionChecklist.checklist_id == cid)
            .limit(1)
        ).first()
        items = list(s.exec(select(ChecklistItem).where(ChecklistItem.checklist_id == cid)))
        if used is not None or any(_item_in_use(s, i.id) for i in items):
            return  # inspections refer to it: it stays, as the record of what was checked
        for item in items:
            s.delete(item)
        s.flush()
        s.delete(row)
        return
    if row is None:
        row = Checklist(id=cid, code=data.get("code", ""), name=data.get("name", ""))
    row.code = data.get("code", row.code)
    row.name = data.get("name", row.name)
    row.industry = data.get("industry", "") or ""
    row.version = str(data.get("version", row.version))
    row.source = data.get("source", "") or ""
    s.add(row)
    s.flush()
    seen: set[str] = set()
    for n, item in enumerate(data.get("items", []), start=1):
        iid = item.get("id")
        if not isinstance(iid, str):
            continue
        seen.add(iid)
        it = s.get(ChecklistItem, iid) or ChecklistItem(id=iid, checklist_id=cid, seq=n, content="")
        it.checklist_id = cid
        it.seq = int(item.get("seq", n))
        for key in _ITEM_FIELDS - {"seq"}:
            if key in item and item[key] is not None:
                setattr(it, key, item[key])
        s.add(it)
    s.flush()
    for it in s.exec(select(ChecklistItem).where(ChecklistItem.checklist_id == cid)):
        if it.id not in seen and not _item_in_use(s, it.id):
            s.delete(it)


def apply_numberblock(s: Session, clock: Clock, data: dict[str, Any], device_id: str) -> None:
    """A block leased to this device: added once; an existing block's `next` is never touched."""
    if data.get("device_id") not in (None, device_id):
        return
    if s.get(NumberBlock, data["id"]) is not None:
        return
    _ensure_agency(s, data.get("agency_id"))
    s.add(
        NumberBlock(
            id=data["id"],
            agency_id=data["agency_id"],
            series=data["series"],
            year=int(data["year"]),
            first=int(data["first"]),
            last=int(data["last"]),
            next=int(data["first"]),
            source="server",
            loaded_at=clock.now(),
        )
    )


def apply_task(s: Session, data: dict[str, Any], version: int) -> None:
    """A township task as the server holds it. A step this device took that the server has not
    answered yet stays visible: the state shown is the further of the two along the ladder."""
    task = s.get(Task, data["id"]) or Task(
        id=data["id"],
        kind="",
        title="",
        created_at=_parse_time(data.get("created_at")) or _EPOCH,
        updated_at=_EPOCH,
    )
    state = str(data.get("state") or "accepted")
    pending = s.exec(
        select(TaskStep.step)
        .join(Outbox, col(Outbox.entity_id) == TaskStep.id)
        .where(TaskStep.task_id == task.id, Outbox.entity == "taskstep", Outbox.state == "pending")
    ).all()
    for step in pending:
        if state_rank(step) > state_rank(state):
            state = step
    due = data.get("due_date")
    task.origin = "server"
    task.kind = str(data.get("kind") or "")
    task.title = str(data.get("title") or "")
    task.detail = str(data.get("detail") or "")
    task.unit_id = data.get("unit_id")
    task.township_id = data.get("township_id")
    task.grid_id = data.get("grid_id")
    task.report_id = data.get("report_id")
    task.due_date = date.fromisoformat(due) if isinstance(due, str) else None
    task.state = state
    task.assignee_ids = json.dumps(data.get("assignee_ids") or [], ensure_ascii=False)
    task.history = json.dumps(data.get("history") or [], ensure_ascii=False)
    task.updated_at = max(task.updated_at, _parse_time(data.get("created_at")) or _EPOCH)
    task.version = version
    s.add(task)


def apply_hazard_state(s: Session, clock: Clock, data: dict[str, Any]) -> None:
    """The server's fold of a hazard stepped on several devices (sync.server.hazard_fold): a
    hazard this device holds takes its status, deadline and 督办 flag, and shows the steps that
    did not fit (`conflict`). While a step of this device waits to be sent, the status stays as
    this device folded it (the server has not seen that step yet); the flag is shown at once.
    Every change is an audit event; nothing is queued (this is the server's own result)."""
    hazard = s.get(Hazard, data["id"])
    if hazard is None:
        return  # not a hazard of this device
    waiting = s.exec(
        select(Outbox.seq)
        .join(HazardEvent, col(HazardEvent.id) == Outbox.entity_id)
        .where(
            Outbox.entity == "hazardevent",
            col(Outbox.state) == "pending",
            HazardEvent.hazard_id == hazard.id,
        )
        .limit(1)
    ).first()
    values: dict[str, Any] = {"conflict": "；".join(str(a) for a in data.get("anomalies") or [])}
    if waiting is None:
        try:
            status = HazardStatus(str(data.get("status")))
            due = data.get("deadline")
            deadline = date.fromisoformat(due) if isinstance(due, str) else None
        except ValueError:
            log.warning("pull: hazard state %s not readable, only its flag kept", hazard.id)
        else:
            values.update(
                status=status.value, deadline=deadline, supervised=bool(data.get("supervised"))
            )
    if all(getattr(hazard, k) == v for k, v in values.items()):
        return
    for key, value in values.items():
        setattr(hazard, key, value)
    s.add(hazard)
    audit(s, clock, "hazard.merged", "hazard", hazard.id, None, {**values, "source": "server"})


_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_ORDER = {
    e: n
    for n, e in enumerate(
        (
            "agency",
            "township",
            "grid",
            "user",
            "unit",
            "checklist",
            "numberblock",
            "task",
            "hazardstate",
        )
    )
}


def apply_changes(s: Session, clock: Clock, changes: list[Any], device_id: str) -> dict[str, int]:
    """Apply one page of `sync.contract.Change` in the caller's transaction; counts per entity."""
    counts: dict[str, int] = {}
    ordered = sorted(changes, key=lambda c: (_ORDER.get(c.entity, 99), c.seq))
    units: list[tuple[dict[str, Any], int, bool]] = []
    for ch in ordered:
        data = {**ch.data, "id": ch.id}
        counts[ch.entity] = counts.get(ch.entity, 0) + 1
        if ch.entity == "agency":
            apply_agency(s, data)
        elif ch.entity == "user":
            apply_user(s, data)
        elif ch.entity == "township":
            apply_township(s, data)
        elif ch.entity == "grid":
            apply_grid(s, data)
        elif ch.entity == "unit":
            units.append((data, ch.version, ch.deleted))
        elif ch.entity == "checklist":
            s.flush()
            apply_checklist(s, data, ch.deleted)
        elif ch.entity == "numberblock":
            apply_numberblock(s, clock, data, device_id)
        elif ch.entity == "task":
            apply_task(s, data, ch.version)
        elif ch.entity == "hazardstate":
            apply_hazard_state(s, clock, data)
        else:
            log.info("pull: entity %s not known to this client, skipped", ch.entity)
        if ch.entity in ("agency", "user", "township", "grid"):
            s.flush()
    apply_units(s, clock, units)
    s.flush()
    return counts


def local_count(s: Session, entity: str) -> int:
    model: Any = {
        "agency": Agency,
        "user": User,
        "township": Township,
        "grid": Grid,
        "unit": Unit,
        "checklist": Checklist,
        "numberblock": NumberBlock,
        "task": Task,
    }[entity]
    stmt = select(func.count()).select_from(model)
    if model is Unit:
        stmt = stmt.where(col(Unit.deleted).is_(False))
    return int(s.exec(stmt).one())
