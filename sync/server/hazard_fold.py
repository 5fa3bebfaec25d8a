"""The hazard closed loop across devices: every `hazardevent` a push stores is added to its
hazard's steps, and the steps of all devices are folded in time order by the client's own fold
(inspector.domain.hazard_loop). A step that does not fit the state the others led to — a
复查不合格 after another device's 销号 — is kept with the others and named in `anomalies`; the
hazard is then flagged. Once a hazard has steps from two devices, or a flag, its fold is pulled
(entity ``hazardstate``) so every device that holds it shows the same status and the flag.

Runs inside the push's write transaction, after the request's records are written
(`refold_pushed`), so a step and the fold it changes commit together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from inspector.domain.hazard_loop import HazardStep, LoopState, Step, apply
from sync.contract import Op, OpResult
from sync.server.auth import Caller
from sync.server.db import HazardFold, Record, Unit, take_seq, utcnow

ENTITY = "hazardstate"  # the pulled entity
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def refold_pushed(s: Session, caller: Caller, ops: list[Op], results: list[OpResult]) -> None:
    """Fold again every hazard that a step of this push was applied to."""
    by_hazard: dict[str, list[dict[str, Any]]] = {}
    for op, result in zip(ops, results, strict=True):
        hazard_id = op.payload.get("hazard_id")
        if op.entity != "hazardevent" or result.status != "applied":
            continue
        if not isinstance(hazard_id, str):
            continue
        by_hazard.setdefault(hazard_id, []).append(_step_of(op, caller))
    if by_hazard:
        refold(s, by_hazard)


def _step_of(op: Op, caller: Caller) -> dict[str, Any]:
    p = op.payload
    return {
        "id": op.entity_id,
        "kind": str(p.get("kind")),
        "at": str(p.get("at")),
        "deadline": p.get("deadline") if isinstance(p.get("deadline"), str) else None,
        "device_id": caller.device_id,
        "user_id": caller.user_id,
    }


def refold(s: Session, new_steps: dict[str, list[dict[str, Any]]]) -> None:
    """Add steps (by hazard id; a step already held is replaced) and fold each hazard again."""
    ids = sorted(new_steps)
    folds = {f.id: f for f in s.exec(select(HazardFold).where(col(HazardFold.id).in_(ids)))}
    hazards = {
        r.id: r
        for r in s.exec(select(Record).where(Record.entity == "hazard", col(Record.id).in_(ids)))
    }
    unit_ids = {r.unit_id for r in hazards.values() if r.unit_id is not None}
    units = {u.id: u for u in s.exec(select(Unit).where(col(Unit.id).in_(unit_ids)))}
    fresh: list[dict[str, Any]] = []
    for hazard_id in ids:
        record = hazards.get(hazard_id)
        if record is None:  # steps hang under their hazard, so it is there; be safe anyway
            continue
        fold = folds.get(hazard_id)
        held = {st["id"]: st for st in (fold.steps if fold is not None else [])}
        held.update({st["id"]: st for st in new_steps[hazard_id]})
        steps = sorted(held.values(), key=lambda st: (_moment(st.get("at")), str(st["id"])))
        state, anomalies = fold_steps(steps, _day(record.data.get("deadline")))
        devices = {st.get("device_id") for st in steps}
        unit = units.get(record.unit_id) if record.unit_id else None
        values: dict[str, Any] = {
            "steps": steps,
            "status": state.status.value,
            "deadline": state.deadline,
            "supervised": state.supervised,
            "anomalies": anomalies,
            "unit_id": record.unit_id,
            "township_id": unit.township_id if unit else None,
            "grid_id": unit.grid_id if unit else None,
        }
        shared = bool(anomalies) or len(devices) > 1
        if fold is None:
            fresh.append(
                {
                    "id": hazard_id,
                    "agency_id": record.agency_id,
                    **values,
                    "version": 1,
                    "seq": take_seq(s) if shared else 0,
                    "updated_at": utcnow(),
                }
            )
            continue
        if all(getattr(fold, k) == v for k, v in values.items()):
            continue
        for key, value in values.items():
            setattr(fold, key, value)
        fold.version += 1
        fold.updated_at = utcnow()
        if shared or fold.seq > 0:  # once told, every later change is told too
            fold.seq = take_seq(s)
        s.add(fold)
    if fresh:
        s.connection().execute(insert(HazardFold.__table__), fresh)  # type: ignore[attr-defined]


def fold_steps(
    steps: Iterable[dict[str, Any]], deadline: date | None = None
) -> tuple[LoopState, list[str]]:
    """The client's fold over stored steps, in the order given; each step that does not fit is
    named with the time it was taken."""
    state = LoopState(deadline=deadline)
    anomalies: list[str] = []
    for st in steps:
        when = _shown(st.get("at"))
        try:
            kind = HazardStep(str(st.get("kind")))
        except ValueError:
            anomalies.append(f"无法识别的步骤“{st.get('kind')}”（{when}）")
            continue
        before = len(state.anomalies)
        state = apply(state, Step(kind, _day(st.get("deadline"))))
        if len(state.anomalies) > before:
            anomalies.append(f"{state.anomalies[-1]}（{when}记录）")
    return state, anomalies


def state_row(fold: Any) -> dict[str, Any]:
    """A hazard's fold as it is pulled (the `data` of a change)."""
    deadline = fold.deadline
    return {
        "id": fold.id,
        "unit_id": fold.unit_id,
        "status": fold.status,
        "deadline": deadline.isoformat() if deadline is not None else None,
        "supervised": bool(fold.supervised),
        "anomalies": list(fold.anomalies or []),
        "steps": len(fold.steps or []),
    }


def _moment(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return _EARLIEST
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _shown(value: Any) -> str:
    moment = _moment(value)
    if moment == _EARLIEST:
        return "时间不明"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
