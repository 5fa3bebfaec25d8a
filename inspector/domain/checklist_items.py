"""A checklist item as forms/checklists/*.json writes it → the fields a device stores.

In forms/ an item cites by structured reference (`legal_basis`: a list, `major_basis`: one
reference or null) and names its `authority` and its `finding`. Devices store the printed
citations, generated from the registry, so documents, sync and the hazard's own `legal_basis`
stay plain text. The client's importer and the server's publish path both go through here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from inspector.domain.authorities import AUTHORITIES
from inspector.domain.citations import CitationError, refs_of, registry


def reads_as_question(text: str) -> bool:
    """A finding must state a fact: "是否…" or a question mark reads as the checklist's question."""
    return "是否" in text or "？" in text or "?" in text


def device_item(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The stored fields of one item (printed citations); CitationError names what is wrong."""
    content = str(raw.get("content", "")).strip()
    if not content:
        raise CitationError("检查表中有一项没有检查内容（content）。")
    where = f"检查项“{content[:20]}…”"
    if not refs_of(raw.get("legal_basis")):
        raise CitationError(f"{where}没有写明依据（legal_basis）。")
    major = bool(raw.get("major", False))
    major_refs = refs_of(raw.get("major_basis"))
    if major and len(major_refs) != 1:
        raise CitationError(f"{where}是重大事故隐患判定项，须写明一条判定依据（major_basis）。")
    authority = str(raw.get("authority", ""))
    if authority not in AUTHORITIES:
        raise CitationError(f"{where}的主管部门代码“{authority}”不在已知代码中。")
    finding = str(raw.get("finding", "")).strip()
    if not finding or reads_as_question(finding):
        raise CitationError(f"{where}须写明不符合时的事实（finding），不能写成问句。")
    try:
        legal_basis = registry().printed(refs_of(raw.get("legal_basis")))
        major_basis = registry().printed(major_refs) if major else ""
    except CitationError as exc:
        raise CitationError(f"{where}：{exc}") from None
    return {
        "category": str(raw.get("category", "")),
        "content": content,
        "method": str(raw.get("method", "")),
        "legal_basis": legal_basis,
        "major": major,
        "major_basis": major_basis,
        "measure": str(raw.get("measure", "")),
        "deadline_days": int(raw.get("deadline_days", 7)),
        "authority": authority,
        "finding": finding,
    }
