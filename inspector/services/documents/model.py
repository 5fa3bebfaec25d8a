"""What a document is while it is drafted and once issued: the draft the form edits, the
issued result, a row of the register; the constants and small helpers every part shares."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date

from inspector.documents.model import (
    AgencyInfo,
    DocumentData,
    Officer,
    Party,
)
from inspector.domain.authorities import OWN_AUTHORITY
from inspector.domain.document_kinds import (
    SPECS,
    KindSpec,
)
from inspector.domain.enums import HazardGrade
from inspector.domain.errors import UserError
from inspector.services.agency import agency_power
from inspector.store.models import (
    Agency,
)

ISSUED, VOIDED = "issued", "voided"
RIGHTS_NOTICE_KINDS = (
    "rectification_order",
    "onsite_measures",
    "seizure",
    "onsite_penalty_unit",
    "onsite_penalty_person",
    "penalty_decision",
    "evidence_decision",
    "seizure_extension",
    "seizure_decision",
)
STATUS_LABELS = {"draft": "草稿", ISSUED: "已签发", VOIDED: "已作废"}
PAPER, ELECTRONIC = "paper", "electronic"


@dataclass
class DraftItem:
    text: str
    legal_basis: str = ""
    deadline: date | None = None
    measure: str = ""
    include: bool = True
    exclude_reason: str = ""
    verdict: str = ""  # 复查: ok / failed
    note: str = ""
    hazard_id: str | None = None
    grade: str = HazardGrade.GENERAL.value
    authority: str = OWN_AUTHORITY  # whose matter the finding is (应急, 消防救援 …)


@dataclass
class SignerInput:
    role: str  # officer | party | witness | recipient
    name: str
    cert_no: str = ""
    image_png: bytes | None = None
    refused: bool = False
    refusal_reason: str = ""
    witness: str = ""


@dataclass
class Draft:
    """A document being prepared: everything the form edits."""

    kind: str
    unit_id: str
    agency_id: str
    party: Party
    officers: list[Officer]
    inspection_id: str | None = None
    refers_to_id: str | None = None
    supersedes_id: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    items: list[DraftItem] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    signing: str = PAPER
    signers: list[SignerInput] = field(default_factory=list)
    photo_ids: list[str] = field(default_factory=list)

    @property
    def spec(self) -> KindSpec:
        return SPECS[self.kind]

    @property
    def key(self) -> str:
        """Which case this form is for: the same key reopens the same unsaved form."""
        parts = (self.kind, self.inspection_id, self.refers_to_id, self.supersedes_id)
        return "|".join(p or "" for p in parts)


@dataclass(frozen=True)
class IssuedDocument:
    document_id: str
    number: str
    pdf_sha256: str
    low_warning: str | None


@dataclass(frozen=True)
class DocumentRow:
    id: str
    unit_id: str
    unit_name: str
    kind: str
    title: str
    number: str
    issued_on: date | None
    status: str
    status_label: str
    signing: str
    print_count: int
    pdf_sha256: str | None
    supersedes: str
    void_reason: str
    inspection_id: str | None


@dataclass(frozen=True)
class KindChoice:
    kind: str
    title: str
    enabled: bool
    why_not: str = ""


def iso_date(d: date | None) -> str:
    return d.isoformat() if d else ""


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def render(data: DocumentData) -> bytes:
    """The PDF, or a Chinese message when a single cell or paragraph cannot fit on a page."""
    from reportlab.platypus.doctemplate import LayoutError

    from inspector.documents.form_document import render_document

    try:
        return render_document(data)
    except LayoutError:
        raise UserError(
            "有一项内容过长，一页排不下（如清单中的一行或一段文字）。请精简，或拆成几项。"
        ) from None


PARTY_LABELS = {
    "name": "名称（姓名）",
    "address": "地址",
    "postcode": "邮政编码",
    "legal_rep": "负责人",
    "legal_rep_title": "职务",
    "phone": "联系电话",
    "credit_code": "统一社会信用代码",
    "gender": "性别",
    "age": "年龄",
    "id_no": "身份证号",
    "workplace": "工作单位",
}


ENTRUSTED_NOTE = "本文书由{acting}受{issuer}委托，以{issuer}名义作出。"


def agency_info(agency: Agency, enforcement: bool = True) -> AgencyInfo:
    """What a document prints of the agency: the same-named columns of its row, and as issuer
    and seal the 委托机关 when the agency acts under 委托 (行政处罚法 §20) on an 执法文书."""
    power = agency_power(agency)
    own = {f.name: getattr(agency, f.name) for f in fields(AgencyInfo) if hasattr(agency, f.name)}
    issuer = power.issuer(enforcement)
    note = ""
    if issuer != agency.name:
        note = ENTRUSTED_NOTE.format(acting=agency.name, issuer=issuer)
    return AgencyInfo(
        **{
            **own,
            "name": issuer,
            "short_name": power.number_short_name(enforcement),
            "seal": power.seal(enforcement),
            "acting_note": note,
        }
    )


def large_fine(agency: Agency, *, person: bool) -> int | None:
    """The agency's 较大数额 threshold (yuan) for a person or a unit; None while it is not set."""
    value = agency.large_fine_person_yuan if person else agency.large_fine_unit_yuan
    return value if value is not None and value > 0 else None


def party_from(data: dict[str, object]) -> Party | None:
    """The party stored in a document's frozen data (None when it has none, e.g. a 检记)."""
    raw = data.get("party")
    if not isinstance(raw, dict) or not raw.get("name"):
        return None
    return Party(**{k: str(v) for k, v in raw.items() if k in Party.__dataclass_fields__})


def field_label(spec: KindSpec, key: str) -> str:
    for f in spec.fields:
        if f.key == key:
            return f.label
    return key
