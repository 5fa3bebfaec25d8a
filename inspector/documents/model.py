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
    clock_note: str = ""  # printed under the signatures when the times were corrected
    # issued (not a preview): an unnumbered kind (询问笔录) is then printed without the draft mark
    issued: bool = False


# --- every other document kind: one generic shape, laid out by its template --------------------


@dataclass(frozen=True)
class AgencyInfo:
    """The issuing body and the agency settings its documents print."""

    name: str
    short_name: str = ""
    review_government: str = ""  # 行政复议机关: the 本级人民政府 (行政复议法 2023 §24)
    court: str = ""  # 行政诉讼 court
    address: str = ""
    contact: str = ""
    phone: str = ""
    postcode: str = ""
    bank_name: str = ""
    bank_account: str = ""
    seal: str = ""  # whose seal the document bears ("" = the issuing body's)
    acting_note: str = ""  # under 委托: which body acted, printed under the signatures


@dataclass(frozen=True)
class Party:
    """The addressee: a unit (被检查/被处罚单位) or a person (个人当事人)."""

    name: str
    address: str = ""
    postcode: str = ""
    legal_rep: str = ""  # 法定代表人（负责人）
    legal_rep_title: str = ""
    phone: str = ""
    credit_code: str = ""
    gender: str = ""
    age: str = ""
    id_no: str = ""
    workplace: str = ""


@dataclass(frozen=True)
class DocItem:
    """One numbered entry: a problem found, a measure, or an earlier order's item under review."""

    text: str
    legal_basis: str = ""
    deadline: date | None = None
    measure: str = ""
    verdict: str = ""  # 复查: "ok" (已整改) / "failed" (未整改)
    note: str = ""
    hazard_id: str | None = None


@dataclass(frozen=True)
class SignatureMark:
    """A signer as printed: electronic image, or blank line to sign by hand; or a refusal."""

    role: str  # officer | party | witness | recipient | server
    name: str
    cert_no: str = ""
    image_png: bytes | None = None
    refused: bool = False
    refusal_reason: str = ""
    witness: str = ""


@dataclass(frozen=True)
class AnnexPhoto:
    image: bytes  # JPEG (the watermarked display copy)
    caption: str


@dataclass(frozen=True)
class DocumentData:
    """Everything one enforcement document prints; `fields` holds the kind's own values (already
    worded: dates as 2026年11月22日, money as 2000元) under the names its template uses."""

    kind: str
    agency: AgencyInfo
    number: str | None
    party: Party
    officers: list[Officer]
    issued_on: date
    fields: dict[str, str] = field(default_factory=dict)
    items: list[DocItem] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)  # 清单 / 送达 table rows
    signatures: list[SignatureMark] = field(default_factory=list)
    photos: list[AnnexPhoto] = field(default_factory=list)
    supersedes: str = ""  # 文号 of the voided document this one replaces
    clock_note: str = ""  # printed under the signatures when the times were corrected
    # issued (not a preview): an unnumbered kind (询问笔录) is then printed without the draft mark
    issued: bool = False
