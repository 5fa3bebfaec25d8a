"""Plain data handed to the document renderers (no database, no Qt)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Officer:
    name: str
    cert_no: str  # 执法证号


@dataclass(frozen=True)
class Finding:
    """One line of 检查情况: a checklist item not complied with, or an ad-hoc finding."""

    description: str
    grade_label: str  # 一般隐患 / 重大隐患
    legal_basis: str
    measure: str
    deadline: date | None
    location: str = ""
    photo_count: int = 0


@dataclass(frozen=True)
class CheckedItem:
    """A checklist item and its result, for the item-by-item part of 检查情况."""

    checklist: str
    content: str
    result_label: str  # 符合 / 不符合 / 不涉及 / 未检查
    note: str = ""


@dataclass(frozen=True)
class SiteRecordData:
    """Everything printed on a 现场检查记录 (检记)."""

    agency_name: str  # issuing body, e.g. 柴桑区应急管理局
    number: str | None  # 文号, e.g. （柴）应急检记〔2026〕15号; None → blank line to fill in
    unit_name: str
    unit_address: str
    legal_rep: str  # 法定代表人（负责人）
    legal_rep_title: str  # 职务
    phone: str
    place: str  # 检查场所
    started_at: datetime  # local time
    ended_at: datetime | None  # local time
    officers: list[Officer]
    representative: str  # 被检查单位现场负责人
    summary: str  # free-text overview written by the inspectors
    checklists: list[str]  # names of the checklists used
    items: list[CheckedItem]  # every item with a result other than 未检查
    findings: list[Finding]
    photo_count: int = 0
    copies_note: str = "本文书一式两份：一份由执法机关存档，一份交被检查单位。"
    issued_on: date | None = None  # the date printed by the signatures
    extra: dict[str, str] = field(default_factory=dict)
