"""Checklists come as data from forms/checklists/*.json (later also from the server)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from inspector.domain.checklist_items import device_item
from inspector.domain.citations import CitationError
from inspector.domain.errors import UserError
from inspector.store.models import Checklist, ChecklistItem
from inspector.util.ids import uuid7
from inspector.util.paths import forms_path


def checklist_files() -> list[Path]:
    return sorted(forms_path("checklists").glob("*.json"))


def load_checklist_file(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise UserError(f"检查表文件 {path.name} 无法读取：{exc}") from None
    for key in ("code", "name", "items"):
        if key not in data:
            raise UserError(f"检查表文件 {path.name} 缺少字段 {key}。")
    return data


def install_checklist(session: Session, data: dict[str, Any]) -> str:
    """Insert a checklist version unless the same code and version is already there."""
    existing = session.exec(
        select(Checklist).where(
            Checklist.code == data["code"], Checklist.version == str(data.get("version", "1"))
        )
    ).first()
    if existing is not None:
        return existing.id
    cl = Checklist(
        id=uuid7(),
        code=data["code"],
        name=data["name"],
        industry=data.get("industry", ""),
        version=str(data.get("version", "1")),
        source=data.get("source", ""),
    )
    session.add(cl)
    session.flush()
    try:
        items = [device_item(item) for item in data["items"]]
    except CitationError as exc:
        raise UserError(f"检查表 {data['name']}：{exc}") from None
    for n, fields in enumerate(items, start=1):
        session.add(ChecklistItem(id=uuid7(), checklist_id=cl.id, seq=n, **fields))
    session.flush()
    return cl.id


def install_bundled_checklists(session: Session) -> dict[str, str]:
    """Every checklist shipped in forms/; returns code → id."""
    out: dict[str, str] = {}
    for path in checklist_files():
        data = load_checklist_file(path)
        out[data["code"]] = install_checklist(session, data)
    return out
