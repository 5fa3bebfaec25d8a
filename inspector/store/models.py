"""SQLModel tables of the local store. Schema changes go through migrations (store/migrations)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Agency(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str  # 机关全称, e.g. 柴桑区应急管理局
    short_name: str  # 地区简称 used in 文号, e.g. 柴
    county: str = ""
    review_government: str = ""  # 行政复议机关 (本级人民政府)
    court: str = ""  # 行政诉讼法院
    has_enforcement_power: bool = True
    numbers_per_case: bool = False  # all documents of a case share one serial (series 案)
    electronic_signing: bool = False  # the agency accepts signatures captured on screen
    address: str = ""  # printed on 行政处罚告知书 and as the place to report
    contact: str = ""
    phone: str = ""
    postcode: str = ""
    bank_name: str = ""  # where fines are paid (当场处罚决定书)
    bank_account: str = ""
    # where its power comes from (domain.agency_settings.PowerKind; "" = not set: follows
    # has_enforcement_power, as agencies did before the setting)
    power_kind: str = ""
    delegator_name: str = ""  # 委托机关 (under 委托 the documents are issued in its name)
    delegator_short_name: str = ""  # its 简称 in the 文号
    delegator_seal: str = ""  # the seal's name, when it is not the 委托机关's name
    granted_authorities: str = "[]"  # JSON list of authority codes locally granted (赋权)
    large_fine_person_yuan: int | None = (
        None  # 较大数额 (行政处罚法 §63) for a person; None = not set
    )
    large_fine_unit_yuan: int | None = None  # … for a unit


class User(SQLModel, table=True):
    id: str = Field(primary_key=True)
    agency_id: str = Field(foreign_key="agency.id", index=True)
    name: str
    cert_no: str = ""  # 执法证号
    role: str = "inspector"
    phone: str = ""
    active: bool = True


class Township(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str
    county: str = ""


class Grid(SQLModel, table=True):
    id: str = Field(primary_key=True)
    township_id: str = Field(foreign_key="township.id", index=True)
    name: str
    code: str = ""


class Unit(SQLModel, table=True):
    __table_args__ = (
        Index("ix_unit_filters", "risk_colour", "supervision_level"),
        Index("ix_unit_name_pinyin", "name_pinyin"),
        Index("ix_unit_name_initials", "name_initials"),
    )
    id: str = Field(primary_key=True)
    sn: int = Field(unique=True)  # stable small integer: the search index's row id
    credit_code: str | None = Field(default=None, unique=True)
    name: str
    address: str = ""
    township_id: str | None = Field(default=None, foreign_key="township.id", index=True)
    grid_id: str | None = Field(default=None, foreign_key="grid.id", index=True)
    industry: str = Field(default="", index=True)
    supervision_level: str = "D"
    risk_colour: str = "blue"
    tags: str = "[]"  # JSON list of strings
    legal_rep: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    lat: float | None = None
    lon: float | None = None
    status: str = "active"
    # Derived at write time for search (pypinyin costs ~60 µs a name).
    name_pinyin: str = ""
    name_initials: str = ""
    search_name: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    search_addr: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    search_pyfull: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    version: int = 0  # server version this row is based on (0 = never synced)
    updated_at: datetime
    deleted: bool = False


class Checklist(SQLModel, table=True):
    id: str = Field(primary_key=True)
    code: str = Field(index=True)
    name: str
    industry: str = ""
    version: str = "1"
    source: str = ""


class ChecklistItem(SQLModel, table=True):
    id: str = Field(primary_key=True)
    checklist_id: str = Field(foreign_key="checklist.id", index=True)
    seq: int
    category: str = ""
    content: str
    method: str = ""
    legal_basis: str = ""
    major: bool = False  # the item is a 重大事故隐患 criterion
    major_basis: str = ""
    measure: str = ""
    deadline_days: int = 7
    authority: str = "应急"  # whose matter it is: a code of inspector.domain.authorities
    finding: str = ""  # the fact found when the item fails (a statement, not a question)


class Inspection(SQLModel, table=True):
    id: str = Field(primary_key=True)
    unit_id: str = Field(foreign_key="unit.id", index=True)
    agency_id: str = Field(foreign_key="agency.id")
    kind: str = "日常检查"
    place: str = ""
    started_at: datetime
    ended_at: datetime | None = None
    representative: str = ""
    representative_title: str = ""
    representative_phone: str = ""
    summary: str = ""
    status: str = Field(default="in_progress", index=True)
    created_by: str | None = Field(default=None, foreign_key="user.id")
    clock_offset_s: float | None = None
    updated_at: datetime
    review_of_id: str | None = Field(default=None, index=True)  # the order a 复查 re-inspects
    # JSON list of {"at", "by", "reason"}: each audited reopen (services/inspections/reopen.py)
    reopenings: str = "[]"


class InspectionInspector(SQLModel, table=True):
    inspection_id: str = Field(foreign_key="inspection.id", primary_key=True)
    user_id: str = Field(foreign_key="user.id", primary_key=True)
    seq: int = 0


class InspectionChecklist(SQLModel, table=True):
    inspection_id: str = Field(foreign_key="inspection.id", primary_key=True)
    checklist_id: str = Field(foreign_key="checklist.id", primary_key=True)
    seq: int = 0


class ItemResult(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("inspection_id", "item_id"),)
    id: str = Field(primary_key=True)
    inspection_id: str = Field(foreign_key="inspection.id", index=True)
    item_id: str = Field(foreign_key="checklistitem.id")
    result: str = "unchecked"
    note: str = ""
    updated_at: datetime


class Hazard(SQLModel, table=True):
    id: str = Field(primary_key=True)
    inspection_id: str = Field(foreign_key="inspection.id", index=True)
    unit_id: str = Field(foreign_key="unit.id", index=True)
    item_id: str | None = Field(default=None, foreign_key="checklistitem.id")
    grade: str = "general"
    description: str
    location: str = ""
    legal_basis: str = ""
    measure: str = ""
    deadline: date | None = None
    status: str = Field(default="draft", index=True)  # cache of the fold over HazardEvent
    supervised: bool = False  # 挂牌督办 (重大隐患)
    # the server's flag: steps of several devices that do not fit together ("" = none)
    conflict: str = ""
    created_at: datetime
    updated_at: datetime
    clock_offset_s: float | None = None  # the correction its times were made with (s)
    authority: str = "应急"  # whose matter it is (the checklist item's; 新增发现: 应急)


class HazardEvent(SQLModel, table=True):
    """One step of a hazard's closed loop; append-only, the hazard's status is their fold."""

    id: str = Field(primary_key=True)
    hazard_id: str = Field(foreign_key="hazard.id", index=True)
    kind: str  # HazardStep
    document_id: str | None = Field(default=None, foreign_key="document.id")
    deadline: date | None = None
    note: str = ""
    actor_id: str | None = Field(default=None, foreign_key="user.id")
    at: datetime
    clock_offset_s: float | None = None


class Blob(SQLModel, table=True):
    sha256: str = Field(primary_key=True)
    size: int
    media_type: str
    created_at: datetime


class Photo(SQLModel, table=True):
    """An evidence photo of an inspection (and maybe one of its hazards), or of a grid patrol's
    visit (`visit_id`, with the six-one `aspect` it shows) or hazard report (`report_id`)."""

    id: str = Field(primary_key=True)
    inspection_id: str | None = Field(default=None, foreign_key="inspection.id", index=True)
    hazard_id: str | None = Field(default=None, foreign_key="hazard.id", index=True)
    visit_id: str | None = Field(default=None, foreign_key="patrolvisit.id", index=True)
    report_id: str | None = Field(default=None, foreign_key="hazardreport.id", index=True)
    aspect: str = ""  # walk | look | smell | listen | talk | record (patrol photos)
    original_sha256: str = Field(foreign_key="blob.sha256")
    display_sha256: str = Field(foreign_key="blob.sha256")
    thumb_sha256: str = Field(foreign_key="blob.sha256")
    original_name: str = ""
    width: int
    height: int
    exif_time: str | None = None
    gps_lat: float | None = None
    gps_lon: float | None = None
    captured_at: datetime  # trusted time when ingested (the device clock + clock_offset_s)
    clock_offset_s: float | None = None
    watermark: str = ""
    caption: str = ""
    created_by: str | None = Field(default=None, foreign_key="user.id")
    # quarter turns (clockwise) of the display copy and thumbnail from the upright original
    rotation: int = 0
    # set when a person removed the photo (why): no longer shown or printed, the files are kept
    removed_reason: str = ""


class Patrol(SQLModel, table=True):
    """A grid worker's patrol (网格巡查) of their grid: started, places visited, finished."""

    id: str = Field(primary_key=True)
    grid_id: str | None = Field(default=None, foreign_key="grid.id", index=True)
    township_id: str | None = Field(default=None, foreign_key="township.id")
    user_id: str | None = Field(default=None, foreign_key="user.id")
    companions: str = ""
    started_at: datetime
    ended_at: datetime | None = None
    status: str = Field(default="open", index=True)  # open | finished
    summary: str = ""
    clock_offset_s: float | None = None
    updated_at: datetime


class PatrolVisit(SQLModel, table=True):
    """One place visited on a patrol: the six-one observations, problems and the action taken.
    A place without a credit code (九小场所, 出租房, 自建房) is a unit too, of its place kind."""

    id: str = Field(primary_key=True)
    patrol_id: str = Field(foreign_key="patrol.id", index=True)
    unit_id: str = Field(foreign_key="unit.id", index=True)
    seq: int = 0
    place_kind: str = "企业"
    visited_at: datetime
    observations: str = "{}"  # JSON: aspect → note
    problems: str = "[]"  # JSON: [[class, description], …]
    actions: str = "[]"  # JSON: subset of 劝导 制止 报告 跟踪
    fixed_on_spot: bool = False
    deadline: date | None = None
    party: str = ""  # who of the place was present
    party_signed: str = ""  # signed | refused | "" (not asked)
    lat: float | None = None
    lon: float | None = None
    updated_at: datetime


class HazardReport(SQLModel, table=True):
    """A grid worker's quick hazard report (网格上报): becomes a township task on the server."""

    id: str = Field(primary_key=True)
    number: str  # shown to people: 网报 + date + a short part of the id
    patrol_id: str | None = Field(default=None, foreign_key="patrol.id", index=True)
    visit_id: str | None = Field(default=None, foreign_key="patrolvisit.id", index=True)
    unit_id: str = Field(foreign_key="unit.id", index=True)
    grid_id: str | None = None
    township_id: str | None = None
    category: str  # 消防 燃气 用电 通道 危化 其他
    description: str
    urgency: str = "normal"  # normal | urgent
    lat: float | None = None
    lon: float | None = None
    location: str = ""
    user_id: str | None = Field(default=None, foreign_key="user.id")
    reported_at: datetime
    clock_offset_s: float | None = None


class Task(SQLModel, table=True):
    """A task of the work plan: from the server (origin "server", pulled) or made on this device
    (origin "self", pushed as `owntask`). `state` follows inspector.domain.tasks.TaskState."""

    id: str = Field(primary_key=True)
    origin: str = "server"  # server | self
    kind: str
    title: str
    detail: str = ""
    unit_id: str | None = Field(default=None, index=True)
    township_id: str | None = None
    grid_id: str | None = None
    report_id: str | None = Field(default=None, index=True)
    due_date: date | None = Field(default=None, index=True)
    state: str = Field(default="accepted", index=True)
    assignee_ids: str = "[]"  # JSON list of user ids
    history: str = "[]"  # JSON list of {state, at, by, note}
    inspection_id: str | None = None  # the inspection that handled it (own tasks)
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 0


class TaskStep(SQLModel, table=True):
    """A step this device took on a server task (append-only; pushed; the server moves the task)."""

    id: str = Field(primary_key=True)
    task_id: str = Field(index=True)
    step: str  # a TaskState
    note: str = ""
    inspection_id: str | None = None
    assignee_id: str | None = None  # for 分拨: who takes it
    actor_id: str | None = None
    at: datetime


class Document(SQLModel, table=True):
    id: str = Field(primary_key=True)
    inspection_id: str | None = Field(default=None, foreign_key="inspection.id", index=True)
    unit_id: str = Field(foreign_key="unit.id", index=True)
    kind: str
    title: str
    number: str | None = None
    status: str = "draft"
    pdf_sha256: str | None = Field(default=None, foreign_key="blob.sha256")
    data: str = "{}"  # JSON of the values rendered
    created_at: datetime
    issued_at: datetime | None = None
    signing: str = "paper"  # paper | electronic
    refers_to_id: str | None = Field(
        default=None, index=True
    )  # e.g. the order a 复查意见书 reviews
    supersedes_id: str | None = Field(default=None, index=True)  # the voided document it replaces
    void_reason: str = ""
    voided_at: datetime | None = None
    print_count: int = 0  # copies confirmed printed by the print system
    # the correction (server − device, s) of the clock its dates and times were made with
    clock_offset_s: float | None = None


class Signature(SQLModel, table=True):
    """Who signed an issued document, who refused (with reason and witness), and how."""

    id: str = Field(primary_key=True)
    document_id: str = Field(foreign_key="document.id", index=True)
    role: str  # officer | party | witness | recipient
    name: str
    method: str  # electronic | paper | refused
    image_sha256: str | None = Field(default=None, foreign_key="blob.sha256")
    refusal_reason: str = ""
    witness: str = ""
    recorded_at: datetime
    clock_offset_s: float | None = None


class AuditEvent(SQLModel, table=True):
    seq: int | None = Field(default=None, primary_key=True)
    id: str = Field(unique=True)
    prev_hash: str
    hash: str
    kind: str
    entity: str
    entity_id: str = Field(index=True)
    actor_id: str | None = None
    device_time: str
    clock_offset_s: float | None = None
    payload: str = "{}"


class Outbox(SQLModel, table=True):
    seq: int | None = Field(default=None, primary_key=True)
    op_id: str = Field(unique=True)
    kind: str  # upsert | delete
    entity: str
    entity_id: str = Field(index=True)
    payload: str
    payload_sha256: str
    base_version: int | None = None
    blob_refs: str = "[]"
    state: str = Field(default="pending", index=True)
    attempts: int = 0
    last_error: str = ""  # what a person reads about the last answer that did not apply it
    # the server's reason code of its last `retry` answer ("missing_parent", "missing_blobs"):
    # the op is still pending and goes again; "" when there was none
    retry_reason: str = ""
    result: str = ""
    created_at: datetime


class DocDraft(SQLModel, table=True):
    """A document form not yet issued, saved as the inspector types (so a flat battery or a
    mistaken 取消 loses nothing). Device-local, never synced; removed when the document is
    issued. `key` names the case: kind, inspection, the document it refers to or replaces."""

    key: str = Field(primary_key=True)
    kind: str
    unit_id: str
    inspection_id: str | None = Field(default=None, index=True)
    data: str  # JSON of the form (services.drafts); drawn signatures are never kept
    saved_at: datetime


class Setting(SQLModel, table=True):
    """Small device-local key/value facts: signed-in user, clock offset, sync cursor."""

    key: str = Field(primary_key=True)
    value: str


class NumberBlock(SQLModel, table=True):
    """A range of document serials this device may use (from the server, or an admin's file)."""

    __table_args__ = (Index("ix_numberblock_series", "agency_id", "series", "year"),)
    id: str = Field(primary_key=True)
    agency_id: str = Field(foreign_key="agency.id")
    series: str  # a 代字 (per-kind numbering) or 案 (per-case numbering)
    year: int
    first: int
    last: int
    next: int
    source: str = "file"
    loaded_at: datetime


class NumberUse(SQLModel, table=True):
    """Every serial handed out: the unique key makes a duplicate impossible on this device."""

    __table_args__ = (UniqueConstraint("agency_id", "series", "year", "serial"),)
    id: str = Field(primary_key=True)
    agency_id: str = Field(foreign_key="agency.id")
    series: str
    year: int
    serial: int
    block_id: str = Field(foreign_key="numberblock.id")
    document_id: str | None = Field(default=None, foreign_key="document.id")
    case_id: str | None = Field(default=None, index=True)  # the inspection, for per-case series
    used_at: datetime
