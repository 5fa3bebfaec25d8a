"""`verify`, second half: the rows against the audit chain, and the blobs against the rows.

Every record an event is about must still exist, in the state its last event recorded (events
written since the row digests came in carry one, `row_state`; older ones vouch for existence
only); every row of an audited table must have come with an event; every step of a hazard's loop
an event recorded must still be there; every stored blob must be named by a row. Each table is
read once and each event parsed once, so a store with thousands of events checks in one pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from inspector.domain.hazard_loop import HazardStep
from inspector.domain.record_kinds import event_name, record_name
from inspector.services import row_state
from inspector.store.models import AuditEvent, Blob, ChecklistItem, HazardEvent, Signature, Unit
from inspector.store.split import SPLIT_EVENT
from inspector.util.clock import to_local
from inspector.util.dates import day_text, moment_text

FIELD_NAMES = {
    "description": "隐患描述",
    "grade": "隐患等级",
    "location": "隐患部位",
    "legal_basis": "依据",
    "measure": "整改措施",
    "deadline": "整改期限",
    "status": "状态",
    "supervised": "挂牌督办",
    "unit_id": "所属单位",
    "inspection_id": "所属检查",
    "hazard_id": "所属隐患",
    "place": "检查场所",
    "summary": "检查情况小结",
    "representative": "现场负责人",
    "representative_title": "职务",
    "representative_phone": "联系电话",
    "started_at": "开始时间",
    "ended_at": "结束时间",
    "result": "检查结果",
    "note": "备注",
    "original_sha256": "原图",
    "display_sha256": "显示图",
    "thumb_sha256": "缩略图",
    "original_name": "文件名",
    "captured_at": "拍摄登记时间",
    "gps_lat": "纬度",
    "gps_lon": "经度",
    "exif_time": "拍摄时间",
    "watermark": "水印",
    "caption": "说明",
    "number": "文号",
    "pdf_sha256": "PDF",
    "data": "文书内容",
    "print_count": "打印份数",
    "void_reason": "作废理由",
    "created_by": "记录人",
    "updated_at": "修改时间",
}
_BLOB_FIELDS = {
    "original_sha256": "原图",
    "display_sha256": "显示图",
    "thumb_sha256": "缩略图",
    "pdf_sha256": "PDF",
    "image_sha256": "签名图像",
    "signed_copy_sha256": "签字文书照片",
}
_SHA = re.compile(r"[0-9a-f]{64}")


@dataclass
class RowFindings:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rows_checked: int = 0


@dataclass
class _Record:
    """What the chain says about one record: its events (seq order) and their payloads."""

    events: list[AuditEvent] = field(default_factory=list)
    payloads: list[dict[str, Any]] = field(default_factory=list)


def event_label(e: AuditEvent) -> str:
    """ "审计事件 #12（签发文书，2026-12-06 10:24）": the event and the device time it was made."""
    try:
        when = moment_text(datetime.fromisoformat(e.device_time))
    except ValueError:
        when = e.device_time[:16].replace("T", " ")
    return f"审计事件 #{e.seq}（{event_name(e.kind)}，{when}）"


def _short(value: Any, n: int = 24) -> str:
    text = "空" if value in (None, "") else str(value)
    return text if len(text) <= n else text[:n] + "…"


class _Names:
    """What a person calls a record, from its row or the values its events recorded."""

    def __init__(self, s: Session, wanted: Iterable[Mapping[Any, Any]]) -> None:
        units: set[str] = set()
        items: set[str] = set()
        for v in wanted:
            if isinstance(v.get("unit_id"), str):
                units.add(v["unit_id"])
            if isinstance(v.get("item_id"), str):
                items.add(v["item_id"])
        self.units = dict(s.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(units))).all())
        self.items = dict(
            s.exec(
                select(ChecklistItem.id, ChecklistItem.content).where(
                    col(ChecklistItem.id).in_(items)
                )
            ).all()
        )

    def of(self, entity: str, rid: str, v: Mapping[Any, Any]) -> str:
        what = record_name(entity)
        unit = self.units.get(str(v.get("unit_id")), "")
        when = _made(v)
        if entity == "hazard" and v.get("description"):
            return f"隐患“{_short(v['description'])}”（{unit or when}）"
        if entity == "photo":
            return (
                f"照片“{v.get('original_name')}”" if v.get("original_name") else f"照片（{when}）"
            )
        if entity == "document":
            return f"文书{v.get('number') or '（未编号，' + when + '）'}"
        if entity == "inspection":
            day = _local_date(v.get("started_at"))
            return f"检查记录（{'，'.join(p for p in (unit, day) if p) or when}）"
        if entity == "item_result":
            item = self.items.get(str(v.get("item_id")), "")
            return f"检查项“{_short(item)}”的结果" if item else f"检查项结果（{when}）"
        if entity == "patrolvisit" and v.get("place_name"):
            return f"巡查走访记录（{v['place_name']}）"
        if entity == "task" and v.get("title"):
            return f"任务“{_short(v['title'])}”"
        if entity == "numberblock" and v.get("series"):
            return f"号段 {v['series']} {v.get('first')}–{v.get('last')}"
        return f"{what}（{unit or when}）"


def _made(v: Mapping[Any, Any]) -> str:
    """When a record was made, for naming one that has no name of its own (never its id)."""
    for key in ("created_at", "started_at", "at", "taken_at", "issued_at", "loaded_at"):
        try:
            return moment_text(datetime.fromisoformat(str(v.get(key)))) + " 所记"
        except ValueError:
            continue
    return "名称不详"


def _step(kind: Any) -> str:
    try:
        return HazardStep(str(kind)).label
    except ValueError:
        return str(kind)


def _same(recorded: Any, now: Any) -> bool:
    now = now.isoformat() if hasattr(now, "isoformat") else now
    if recorded == now:
        return True
    try:  # a time recorded in another offset
        return datetime.fromisoformat(str(recorded)) == datetime.fromisoformat(str(now))
    except ValueError:
        return False


def _local_date(value: Any) -> str:
    try:
        return day_text(to_local(datetime.fromisoformat(str(value))).date())
    except ValueError:
        return ""


def _differences(payload: Mapping[Any, Any], row: Mapping[Any, Any], fields: list[str]) -> str:
    """ "（隐患描述：“A”改为“B”）" when the event recorded the row's values; else ""."""
    out = [
        f"{FIELD_NAMES.get(f, f)}：“{_short(payload[f])}”改为“{_short(row.get(f))}”"
        for f in fields
        if f in payload and f in row and not _same(payload[f], row[f])
    ]
    missing = [FIELD_NAMES.get(f, f) for f in fields if f not in row]
    if missing:
        out.append("缺少字段 " + "、".join(missing))
    return f"（{'；'.join(out)}）" if out else ""


def check_rows(
    s: Session, events: list[AuditEvent], blobs: list[Blob], blob_root: Path
) -> RowFindings:
    """Replay the chain against the rows. Records a `store.split` event names as moved to another
    person's store (`store.split`) are expected to be absent."""
    found = RowFindings()
    records: dict[tuple[str, str], _Record] = {}
    steps: list[tuple[AuditEvent, dict[str, Any]]] = []  # hazard loop steps the chain recorded
    blob_events: dict[str, tuple[AuditEvent, str, tuple[str, str]]] = {}
    moved: set[tuple[str, str]] = set()
    for e in events:
        try:
            payload = json.loads(e.payload)
        except ValueError:
            payload = {}  # the chain check names this event
        if not isinstance(payload, dict):
            payload = {}
        if e.kind == SPLIT_EVENT:  # records that went to another person's store at the upgrade
            for entity, ids in (payload.get("moved_out") or {}).items():
                moved.update((entity, rid) for rid in ids if isinstance(rid, str))
            continue
        rec = records.setdefault((e.entity, e.entity_id), _Record())
        rec.events.append(e)
        rec.payloads.append(payload)
        if e.entity == "hazard" and payload.get("hazard_id") == e.entity_id and "id" in payload:
            steps.append((e, payload))
        for key, value in payload.items():
            if key in _BLOB_FIELDS and isinstance(value, str):
                blob_events[value] = (e, key, (e.entity, e.entity_id))

    for key in moved & records.keys():
        del records[key]
    steps = [(e, p) for e, p in steps if ("hazard", e.entity_id) not in moved]
    conn = s.connection()
    rows: dict[str, dict[str, Mapping[Any, Any]]] = {
        entity: {r["id"]: r for r in row_state.all_rows(conn, entity)}
        for entity in row_state.ROW_TABLES
    }
    present: dict[str, set[str]] = {}
    for entity in row_state.PRESENCE_TABLES:
        table = row_state.table_of(entity)
        assert table is not None
        present[entity] = set(conn.execute(select(table.c.id)).scalars())
    step_ids = set(conn.execute(select(HazardEvent.id)).scalars())

    pending: list[tuple[str, str, Mapping[Any, Any], str]] = []  # entity, id, values, message
    old_only = 0
    for (entity, rid), rec in records.items():
        first, last = rec.events[0], rec.events[-1]
        values = _latest(rec)
        if entity in row_state.PRESENCE_TABLES:
            if rid not in present[entity]:
                pending.append(
                    (
                        entity,
                        rid,
                        values,
                        f"{event_label(first)}记录了它，记录本身却已不存在（被删除）。",
                    )
                )
            continue
        if entity not in row_state.ROW_TABLES:
            continue
        row = rows[entity].get(rid)
        if row is None:
            said = f"由{event_label(first)}记录" + (
                f"、最后一次见于{event_label(last)}" if last is not first else ""
            )
            pending.append((entity, rid, values, f"{said}，记录本身却已不存在（被删除）。"))
            continue
        found.rows_checked += 1
        payload = rec.payloads[-1]
        recorded = payload.get(row_state.DIGEST)
        if not isinstance(recorded, str):
            old_only += 1
            continue
        fields = str(payload.get(row_state.FIELDS, "")).split(",")
        if row_state.digest(row, fields) != recorded:
            diff = _differences(row_state.recorded_values(payload, rid), row, fields)
            pending.append(
                (
                    entity,
                    rid,
                    {**row, **values},
                    f"与最后一次{event_label(last)}记录的内容不一致，已被改动{diff}。",
                )
            )
    for entity, by_id in rows.items():
        if entity == "document":
            continue  # a document without its issue event is named by the document checks
        for rid, row in by_id.items():
            if (entity, rid) not in records:
                pending.append(
                    (entity, rid, row, "没有任何审计事件记录它，来源不明（不是经本程序写入的）。")
                )
    for e, payload in steps:
        if payload["id"] not in step_ids:
            hazard = records[(e.entity, e.entity_id)]
            pending.append(
                (
                    "hazard",
                    e.entity_id,
                    _latest(hazard),
                    f"{event_label(e)}记录的处理步骤“{_step(payload.get('kind'))}”已从隐患处理记录中删除。",
                )
            )

    named_rows = _blob_names(s, rows) | _earlier_copies(blob_events, rows)
    orphans = [b for b in blobs if b.sha256 not in named_rows]
    registered = {b.sha256 for b in blobs}
    strays = [(sha, size) for sha, size in _files(blob_root) if sha not in registered]
    hinted = [
        blob_events[sha][2]
        for sha in [b.sha256 for b in orphans] + [x for x, _ in strays]
        if sha in blob_events
    ]
    names = _Names(s, [v for _e, _r, v, _m in pending] + [_latest(records[k]) for k in hinted])
    for entity, rid, known, message in pending:
        found.problems.append(f"{names.of(entity, rid, known)}：{message}")
    for blob in orphans:
        seen = blob_events.get(blob.sha256)
        hint = ""
        if seen is not None:
            e, key, (entity, rid) = seen
            who = names.of(entity, rid, _latest(records[(entity, rid)]))
            hint = f"；{event_label(e)}曾记录它为{who}的{_BLOB_FIELDS[key]}"
        found.problems.append(
            f"附件 {blob.sha256[:12]}…（{blob.media_type}，{blob.size} 字节）没有任何记录引用"
            f"{hint}：引用它的记录已被删除或改动。"
        )
    for sha, size in strays:
        seen = blob_events.get(sha)
        if seen is not None:
            e, key, (entity, rid) = seen
            who = names.of(entity, rid, _latest(records[(entity, rid)]))
            found.problems.append(
                f"文件 {sha[:12]}…（{size} 字节）未登记，但{event_label(e)}曾记录它为{who}的"
                f"{_BLOB_FIELDS[key]}：它的登记已被删除。"
            )
        else:
            found.notes.append(
                f"文件 {sha[:12]}…（{size} 字节）未登记，也没有任何记录或审计事件引用它："
                "多半是一次中断的保存留下的，与已保存的记录无关。"
            )
    if old_only:
        found.notes.append(
            f"{old_only} 条记录的最后一次审计事件由旧版本写入，不带内容校验值：只核对了它们存在，"
            "未核对内容。"
        )
    return found


def _latest(rec: _Record) -> dict[str, Any]:
    """The record's values as its events last recorded them (later events win)."""
    out: dict[str, Any] = {}
    for payload in rec.payloads:
        values = payload.get(row_state.VALUES)
        for source in (payload, values if isinstance(values, dict) else {}):
            out.update({k: v for k, v in source.items() if v not in (None, "")})
    return out


def _blob_names(s: Session, rows: dict[str, dict[str, Mapping[Any, Any]]]) -> set[str]:
    """Every blob a row names: photos (original, display copy, thumbnail), documents' PDFs and
    signature images (drawn, or a photo of the signed paper)."""
    named: set[str] = set()
    for row in rows["photo"].values():
        named.update(row[k] for k in ("original_sha256", "display_sha256", "thumb_sha256"))
    named.update(r["pdf_sha256"] for r in rows["document"].values() if r["pdf_sha256"])
    named.update(
        sha for sha in s.connection().execute(select(Signature.image_sha256)).scalars() if sha
    )
    return named


def _earlier_copies(
    blob_events: dict[str, tuple[AuditEvent, str, tuple[str, str]]],
    rows: dict[str, dict[str, Mapping[Any, Any]]],
) -> set[str]:
    """Display copies and thumbnails a photo had before it was turned (`photo.rotated`): kept,
    and accounted for by the photo an event recorded them for, as long as that photo exists."""
    return {
        sha
        for sha, (_e, key, (entity, rid)) in blob_events.items()
        if entity == "photo" and key in ("display_sha256", "thumb_sha256") and rid in rows["photo"]
    }


def _files(root: Path) -> list[tuple[str, int]]:
    """(sha, size) of every stored file under the blob folder (temporary files skipped)."""
    out: list[tuple[str, int]] = []
    if not root.is_dir():
        return out
    for sub in sorted(root.iterdir()):
        if not sub.is_dir() or len(sub.name) != 2:
            continue
        for path in sorted(sub.iterdir()):
            if _SHA.fullmatch(path.name) and path.name.startswith(sub.name) and path.is_file():
                out.append((path.name, path.stat().st_size))
    return out
