"""Administration on the server's database: agencies, townships, grids, users, the unit import,
checklists and document-number blocks. Each function is one write transaction."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine, func
from sqlmodel import col, select

from inspector.domain import creditcode
from inspector.domain.agency_settings import (
    AUTHORITIES,
    FLAG,
    SETTING_KEYS,
    SETTINGS,
    YUAN,
    PowerKind,
    describe,
    parse_setting,
    settings_problems,
)
from inspector.domain.checklist_items import device_item
from inspector.domain.citations import CitationError
from inspector.domain.enums import SUPERVISION_LEVELS, Role
from inspector.domain.errors import UserError
from inspector.util.ids import uuid7
from sync.contract import UNIT_DEFAULTS
from sync.server.auth import hash_password
from sync.server.db import (
    Agency,
    Checklist,
    Grid,
    NumberBlock,
    SyncCounter,
    Township,
    Unit,
    User,
    read_session,
    take_seq,
    take_seqs,
    utcnow,
    write_session,
)
from sync.server.push_units import tombstone_unit
from sync.server.unit_sheet import (
    HEADERS,
    RISK_INDEX,
    ImportReport,
    RowReport,
    SheetError,
    find_header,
    fold,
    read_rows,
)


class AdminError(Exception):
    """A refusal to show the administrator (in Chinese)."""


# -- agencies, townships, grids, users ------------------------------------------------------------
def create_agency(
    engine: Engine, name: str, short_name: str = "", *, agency_id: str | None = None, **extra: Any
) -> str:
    with write_session(engine) as s:
        aid = agency_id or uuid7()
        if s.get(Agency, aid) is not None:
            raise AdminError(f"机关 {aid} 已存在。")
        s.add(Agency(id=aid, name=name, short_name=short_name, data=extra, seq=take_seq(s)))
    return aid


def set_agency(engine: Engine, agency_id: str, raw: Mapping[str, str]) -> dict[str, Any]:
    """Set agency settings from the administrator's text (key → text, keys of
    `domain.agency_settings.SETTINGS`): every value is checked, then the whole set, and nothing
    is written unless all hold. The row takes a new change number, so devices pull it. Returns
    the agency's settings as they now are."""
    unknown = [k for k in raw if k not in SETTING_KEYS]
    if unknown:
        raise AdminError(f"没有这项机关设置：{'、'.join(unknown)}。")
    problems: list[str] = []
    typed: dict[str, Any] = {}
    for key, text in raw.items():
        try:
            typed[key] = parse_setting(key, text)
        except UserError as exc:
            problems.append(str(exc))
    with write_session(engine) as s:
        row = s.get(Agency, agency_id)
        if row is None:
            raise AdminError(f"没有机关 {agency_id}。")
        values = {**agency_settings(row), **typed}
        problems += settings_problems(values)
        if problems:
            raise AdminError("机关设置未保存，请改正：\n" + "\n".join(f"· {p}" for p in problems))
        if "power_kind" in typed:  # the old switch kept in step, for older devices
            values["has_enforcement_power"] = typed["power_kind"] != PowerKind.NONE
        row.name, row.short_name = values.pop("name"), values.pop("short_name")
        row.data = {**row.data, **values}
        row.version += 1
        row.seq = take_seq(s)
        row.updated_at = utcnow()
        s.add(row)
        return agency_settings(row)


def agency_settings(row: Agency) -> dict[str, Any]:
    """Every setting of the agency (those never set at their defaults)."""
    d = row.data
    out: dict[str, Any] = {"name": row.name, "short_name": row.short_name}
    for spec in SETTINGS:
        if spec.key in out:
            continue
        default: Any = {FLAG: False, YUAN: None, AUTHORITIES: []}.get(spec.kind, "")
        out[spec.key] = d.get(spec.key, default)
    out["has_enforcement_power"] = bool(d.get("has_enforcement_power", True))
    return out


def show_agency(engine: Engine, agency_id: str) -> list[str]:
    with read_session(engine) as s:
        row = s.get(Agency, agency_id)
        if row is None:
            raise AdminError(f"没有机关 {agency_id}。")
        return describe(agency_settings(row))


def create_township(engine: Engine, agency_id: str, name: str, county: str = "") -> str:
    with write_session(engine) as s:
        if s.get(Agency, agency_id) is None:
            raise AdminError(f"没有机关 {agency_id}。")
        tid = uuid7()
        s.add(Township(id=tid, agency_id=agency_id, name=name, county=county, seq=take_seq(s)))
    return tid


def create_grid(engine: Engine, township_id: str, name: str, code: str = "") -> str:
    with write_session(engine) as s:
        t = s.get(Township, township_id)
        if t is None:
            raise AdminError(f"没有乡镇（街道） {township_id}。")
        gid = uuid7()
        s.add(
            Grid(
                id=gid,
                agency_id=t.agency_id,
                township_id=t.id,
                name=name,
                code=code,
                seq=take_seq(s),
            )
        )
    return gid


def create_user(
    engine: Engine,
    *,
    username: str,
    password: str,
    name: str,
    agency_id: str,
    role: str = "inspector",
    townships: Sequence[str] = (),
    grids: Sequence[str] = (),
    agency_wide: bool = False,
    cert_no: str = "",
    phone: str = "",
    hasher: PasswordHasher | None = None,
) -> str:
    """A user; townships and grids may be given by id or by name (within the agency)."""
    if role not in {r.value for r in Role}:
        raise AdminError(f"角色应为 {', '.join(r.value for r in Role)} 之一。")
    if len(password) < 8:
        raise AdminError("密码至少8位。")
    pw_hash = hash_password(password, hasher)
    with write_session(engine) as s:
        if s.get(Agency, agency_id) is None:
            raise AdminError(f"没有机关 {agency_id}。")
        if s.exec(select(User.id).where(User.username == username)).first():
            raise AdminError(f"用户名 {username} 已被使用。")
        t_rows = list(s.exec(select(Township).where(Township.agency_id == agency_id)))
        g_rows = list(s.exec(select(Grid).where(Grid.agency_id == agency_id)))
        t_ids = [find_place(t_rows, key, "乡镇（街道）") for key in townships]
        g_ids = [find_place(g_rows, key, "网格") for key in grids]
        uid = uuid7()
        s.add(
            User(
                id=uid,
                username=username,
                password_hash=pw_hash,
                name=name,
                role=role,
                agency_id=agency_id,
                agency_wide=agency_wide,
                township_ids=t_ids,
                grid_ids=g_ids,
                cert_no=cert_no,
                phone=phone,
                seq=take_seq(s),
            )
        )
    return uid


def find_place(rows: Sequence[Township | Grid], key: str, what: str) -> str:
    """The id of the township or grid named `key` (its id, or its name in any width)."""
    for r in rows:
        if r.id == key or fold(r.name) == fold(key):
            return r.id
    raise AdminError(f"本机关没有{what}“{key}”。")


# -- unit import ------------------------------------------------------------------------------------
def import_units(
    engine: Engine, path: Path, agency_id: str, *, skip_bad: bool = False
) -> ImportReport:
    """Import units from .xlsx/.csv. Every row is checked first; when any row is rejected nothing
    is imported, unless skip_bad (then the good rows, in one transaction)."""
    try:
        rows = read_rows(path)
        head, cols = find_header(rows)
    except SheetError as exc:
        raise AdminError(str(exc)) from None
    with write_session(engine) as s:
        if s.get(Agency, agency_id) is None:
            raise AdminError(f"没有机关 {agency_id}。")
        townships = {
            fold(t.name): t for t in s.exec(select(Township).where(Township.agency_id == agency_id))
        }
        grids = {
            (g.township_id, fold(g.name)): g
            for g in s.exec(select(Grid).where(Grid.agency_id == agency_id))
        }
        reports: list[RowReport] = []
        good: list[tuple[RowReport, dict[str, Any]]] = []
        seen_codes: dict[str, list[RowReport]] = {}
        for i, row in enumerate(rows[head + 1 :], start=head + 2):
            if not any(row):
                continue

            def get(key: str, row: list[str] = row) -> str:
                j = cols.get(key)
                return row[j] if j is not None and j < len(row) else ""

            rep = RowReport(row=i, name=get("name"))
            reports.append(rep)
            data = dict(UNIT_DEFAULTS)
            data["name"] = get("name")
            if not data["name"]:
                rep.reasons.append("单位名称为空")
            elif len(data["name"]) > 200:
                rep.reasons.append("单位名称超过200字")
            raw_code = get("credit_code")
            if raw_code:
                try:
                    data["credit_code"] = creditcode.validate(raw_code).code
                except UserError as exc:
                    rep.reasons.append(str(exc).rstrip("。"))
            township_name = get("township")
            township = townships.get(fold(township_name))
            if not township_name:
                rep.reasons.append("未填写乡镇（街道）")
            elif township is None:
                rep.reasons.append(f"乡镇（街道）“{township_name}”不在本机关的名单中")
            else:
                data["township_id"] = township.id
            grid_name = get("grid")
            if grid_name and township is not None:
                grid = grids.get((township.id, fold(grid_name)))
                if grid is None:
                    rep.reasons.append(f"网格“{grid_name}”不属于“{township.name}”")
                else:
                    data["grid_id"] = grid.id
            risk = get("risk")
            if risk:
                colour = RISK_INDEX.get(fold(risk).lower())
                if colour is None:
                    rep.reasons.append(f"风险等级“{risk}”无法识别（应为红、橙、黄、蓝）")
                else:
                    data["risk_colour"] = colour
            level = fold(get("supervision_level")).upper().removesuffix("级")
            if level:
                if level not in SUPERVISION_LEVELS:
                    rep.reasons.append(f"监管分级“{level}”无法识别（应为A、B、C、D）")
                else:
                    data["supervision_level"] = level
            for key, limit in (
                ("address", 300),
                ("industry", 30),
                ("legal_rep", 50),
                ("contact_name", 50),
            ):
                data[key] = get(key)
                if len(data[key]) > limit:
                    rep.reasons.append(f"{HEADERS[key][0]}超过{limit}字")
            data["contact_phone"] = fold(get("contact_phone"))
            if len(data["contact_phone"]) > 30:
                rep.reasons.append("联系电话超过30字")
            if data["credit_code"]:
                seen_codes.setdefault(data["credit_code"], []).append(rep)
            good.append((rep, data))
        # duplicates inside the file: every row of the group is rejected (which one is right?)
        for code, group in seen_codes.items():
            if len(group) > 1:
                for rep in group:
                    others = "、".join(str(o.row) for o in group if o is not rep)
                    rep.reasons.append(f"统一社会信用代码{code}与第{others}行重复")
        if seen_codes:
            known = dict(
                s.exec(
                    select(Unit.credit_code, Unit.data).where(
                        Unit.agency_id == agency_id, col(Unit.credit_code).in_(list(seen_codes))
                    )
                ).all()
            )
            for code, group in seen_codes.items():
                if code in known:
                    name = (known[code] or {}).get("name", "")
                    for rep in group:
                        rep.reasons.append(f"统一社会信用代码{code}已登记为“{name}”")
        bad = [r for r in reports if not r.ok]
        if bad and not skip_bad:
            return ImportReport(reports, 0)
        todo = [(rep, data) for rep, data in good if rep.ok]
        if todo:
            seqs = take_seqs(s, len(todo))
            for (_rep, data), seq in zip(todo, seqs, strict=True):
                s.add(
                    Unit(
                        id=uuid7(),
                        agency_id=agency_id,
                        township_id=data["township_id"],
                        grid_id=data["grid_id"],
                        credit_code=data["credit_code"],
                        data=data,
                        seq=seq,
                    )
                )
    return ImportReport(reports, len(todo))


def delete_unit(engine: Engine, unit_id: str) -> bool:
    """Soft-delete a unit; False when there is no such live unit."""
    with write_session(engine) as s:
        unit = s.get(Unit, unit_id)
        if unit is None or unit.deleted_at is not None:
            return False
        tombstone_unit(s, unit)
    return True


def purge_tombstones(engine: Engine) -> int:
    """Forget the tombstones seen so far: the horizon moves to the latest change number, so a
    device whose cursor is older must re-pull from 0 (HTTP 410). Returns the new horizon. The
    unit rows stay (records refer to them, and their ids are never reused)."""
    with write_session(engine) as s:
        horizon = int(
            s.exec(select(func.max(Unit.seq)).where(col(Unit.deleted_at).is_not(None))).one() or 0
        )
        row = s.get(SyncCounter, 1)
        assert row is not None
        row.tombstone_horizon = max(row.tombstone_horizon, horizon)
        s.add(row)
        return row.tombstone_horizon


# -- checklists -----------------------------------------------------------------------------------
def publish_checklists(
    engine: Engine, directory: Path, agency_id: str | None = None
) -> list[tuple[str, str, str]]:
    """Publish forms/checklists/*.json: (code, version, 新增|更新|未变) per file."""
    files = sorted(directory.glob("*.json"))
    if not files:
        raise AdminError(f"{directory} 中没有检查表（*.json）。")
    out: list[tuple[str, str, str]] = []
    with write_session(engine) as s:
        for path in files:
            try:
                doc = json.loads(path.read_text("utf-8"))
            except (OSError, ValueError) as exc:
                raise AdminError(f"检查表文件 {path.name} 无法读取：{exc}") from None
            if not isinstance(doc, dict) or not all(k in doc for k in ("code", "name", "items")):
                raise AdminError(f"检查表文件 {path.name} 缺少 code、name 或 items。")
            label = str(doc.get("version", "1"))
            try:
                items = [
                    dict(device_item(item), seq=n) for n, item in enumerate(doc["items"], start=1)
                ]
            except CitationError as exc:
                raise AdminError(f"检查表文件 {path.name}：{exc}") from None
            body = {
                "name": doc["name"],
                "industry": doc.get("industry", ""),
                "source": doc.get("source", ""),
            }
            row = s.exec(
                select(Checklist).where(Checklist.code == doc["code"], Checklist.label == label)
            ).first()
            if row is None:
                for item in items:
                    item["id"] = uuid7()
                s.add(
                    Checklist(
                        id=uuid7(),
                        agency_id=agency_id,
                        code=doc["code"],
                        label=label,
                        data={**body, "items": items},
                        seq=take_seq(s),
                    )
                )
                out.append((doc["code"], label, "新增"))
                continue
            old_items = row.data.get("items", [])
            for item, old in zip(items, old_items, strict=False):
                item["id"] = old.get("id") or uuid7()
            for item in items[len(old_items) :]:
                item["id"] = uuid7()
            new = {**body, "items": items}
            if new == row.data:
                out.append((doc["code"], label, "未变"))
                continue
            row.data = new
            row.version += 1
            row.seq = take_seq(s)
            s.add(row)
            out.append((doc["code"], label, "更新"))
    return out


# -- number blocks --------------------------------------------------------------------------------
@dataclass(frozen=True)
class IssuedBlock:
    id: str
    series: str
    year: int
    first: int
    last: int


def issue_blocks(
    engine: Engine,
    *,
    agency_id: str,
    device_id: str,
    series: str,
    year: int,
    count: int,
    blocks: int = 1,
) -> list[IssuedBlock]:
    """Lease `blocks` blocks of `count` serials to a device, after the highest serial ever leased
    for this agency/series/year (under the write lock, so two issuers never overlap)."""
    if not 1 <= count <= 100_000 or not 1 <= blocks <= 100:
        raise AdminError("每块号码数应为1–100000，块数应为1–100。")
    if not 2000 <= year <= 2200:
        raise AdminError("年份无效。")
    series = series.strip()
    if not series or not device_id.strip():
        raise AdminError("文号代字和设备标识不能为空。")
    out: list[IssuedBlock] = []
    with write_session(engine) as s:
        if s.get(Agency, agency_id) is None:
            raise AdminError(f"没有机关 {agency_id}。")
        top = s.exec(
            select(func.max(NumberBlock.last)).where(
                NumberBlock.agency_id == agency_id,
                NumberBlock.series == series,
                NumberBlock.year == year,
            )
        ).one()
        first = int(top or 0) + 1
        for seq in take_seqs(s, blocks):
            b = NumberBlock(
                id=uuid7(),
                agency_id=agency_id,
                device_id=device_id,
                series=series,
                year=year,
                first=first,
                last=first + count - 1,
                seq=seq,
            )
            s.add(b)
            out.append(IssuedBlock(b.id, series, year, b.first, b.last))
            first += count
    return out


def units_in(engine: Engine, agency_id: str) -> Iterable[Unit]:
    """Every unit of an agency (for scripts and tests)."""
    with read_session(engine) as s:
        rows = list(s.exec(select(Unit).where(Unit.agency_id == agency_id)))
        s.expunge_all()  # usable after the session's rollback
        return rows
