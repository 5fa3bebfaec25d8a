"""The sync protocol between the desktop client and the reference server: the only code both ends
share. JSON over HTTP; every call is idempotent and the server keeps no session state.

    POST /auth/login            LoginRequest → LoginResponse (a bearer token; the client keeps it
                                in the OS keyring, never on disk)
    GET  /sync/meta[?counts=true] → Meta (server time for the clock offset, the caller's scope;
                                  live rows per entity in scope only when asked)
    POST /sync/blobs/check      BlobCheck → BlobMissing (which the server lacks for this caller,
                                and where the caller's unfinished uploads stand)
    HEAD /sync/blobs/{sha}      Upload-Offset / Upload-Length headers; 404 not started;
                                X-Complete: 1 once stored
    PATCH /sync/blobs/{sha}     body = bytes at Upload-Offset (≤ MAX_CHUNK); 409 wrong offset;
                                at the last byte the server re-hashes: 422 hash_mismatch drops it
    POST /sync/blobs            several small blobs whole in one request: the Blob-Manifest header
                                lists `sha:length,…` in body order (≤ MAX_BATCH_BLOBS, each
                                ≤ MAX_CHUNK, ≤ MAX_BATCH_BYTES in all) → BlobBatchResult; each is
                                verified and stored on its own, a refused one refuses no other
    POST /sync/push             PushRequest → PushResponse (always 200 with one result per op)
    GET  /sync/changes?since=S&limit=N   → ChangesPage; 410 when S < tombstone_horizon
    GET  /stats/monthly?year=Y&month=M[&township_id=T] → MonthlyStats: one local month's figures
                                over every record pushed in the caller's jurisdiction (403 for
                                a township outside it)

Push results: applied | duplicate (same op_id and payload hash seen before: the stored result) |
conflict (kept the server value; the device value is recorded) | rejected (with reason; the op is
not retried) | retry (e.g. missing_blobs: send the blobs, then the op again).

Ownership (who may write, beyond who may see): a device record (DEVICE_ENTITIES) that is on the
server already changes — an upsert of its id with other content — only by its creator, the same
person on the same device that first sent it. A new record hangs under another person's record
(PARENT_KEYS: a hazard in an inspection, a photo of an inspection, a signature of a document, a
hazard step …) only when its creator made that parent too. The exceptions are the grants below,
one list for both ends:
- hazard: a supervisor (SUPERVISOR_ROLES) or the assignee of an open task at the hazard's unit may
  change its loop fields (HAZARD_LOOP_FIELDS) as far as steps they may take lead there
  (`inspector.domain.hazard_loop.steps_behind`), and nothing else;
- hazardevent: the steps such a person may add under another person's hazard are
  `inspector.domain.hazard_loop.may_take_step` (a supervisor: 挂牌督办, 解除督办, 销号; an assignee:
  the 复查 steps, and 销号 unless the hazard is 挂牌督办, which keeps it for the supervisor);
- document: an issued document is voided by its issuer, or by a supervisor of the issuer's agency,
  only through the void event (`is_void`: status issued → voided with a reason, its time, nothing
  else); another person's void or any other change of it is refused;
- taskstep: a task is moved by its assignees once it has any (`inspector.domain.tasks.may_move`);
  before that by any inspector of its area, as `may_take` says (`rejected: not_assignee`).
Anything else is `rejected: not_owner` and leaves nothing stored: not the record, not its blob
references, no change number another device pulls.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeGuard, get_args

from pydantic import BaseModel, Field, TypeAdapter

from inspector.domain.monthly import MonthTally

PROTOCOL = 1
MAX_OPS = 100  # per push request
MAX_CHUNK = 1 << 20  # bytes per blob PATCH
MAX_PAGE = 1000  # changes per pull page
MAX_BATCH_BLOBS = 64  # blobs per POST /sync/blobs
MAX_BATCH_BYTES = 8 << 20  # body of one POST /sync/blobs
MANIFEST_HEADER = "Blob-Manifest"
SHA256 = r"^[0-9a-f]{64}$"
_SHA = re.compile(SHA256)

# records made on one device (single writer) and records shared with the server
DEVICE_ENTITIES = (
    "inspection",
    "item_result",
    "hazard",
    "hazardevent",
    "photo",
    "document",
    "signature",
    "patrol",
    "patrolvisit",
    "hazardreport",
    "taskstep",
    "owntask",
)
SHARED_ENTITIES = ("unit",)

# -- ownership (see the module docstring) ---------------------------------------------------------
# the roles that act for the agency over everyone's records: 挂牌督办 / 解除督办 / 销号 of any hazard,
# the void of any issued document of the agency
SUPERVISOR_ROLES = ("admin",)
# the records a new record of each kind hangs under: (payload key, kind); each one the payload
# names and the server holds must be the caller's own (person and device), or the kind granted
PARENT_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    "item_result": (("inspection_id", "inspection"),),
    "hazard": (("inspection_id", "inspection"),),
    "hazardevent": (("hazard_id", "hazard"),),
    "photo": (
        ("inspection_id", "inspection"),
        ("hazard_id", "hazard"),
        ("visit_id", "patrolvisit"),
        ("report_id", "hazardreport"),
    ),
    "document": (("inspection_id", "inspection"),),
    "signature": (("document_id", "document"),),
    "patrolvisit": (("patrol_id", "patrol"),),
}
# the hazard fields a loop step changes: all a granted person other than its creator may change
HAZARD_LOOP_FIELDS = frozenset({"status", "deadline", "supervised", "updated_at"})
# what the void event of an issued document changes
DOCUMENT_VOID_FIELDS = frozenset({"status", "void_reason", "voided_at"})


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The keys whose values differ between two payloads of one record (a missing key is None)."""
    return {k for k in set(before) | set(after) if before.get(k) != after.get(k)}


def is_void(before: dict[str, Any], after: dict[str, Any]) -> bool:
    """True when `after` is the void event of the issued document `before`: issued → voided with
    a reason, and nothing else changed."""
    return (
        before.get("status") == "issued"
        and after.get("status") == "voided"
        and bool(after.get("void_reason"))
        and changed_fields(before, after) <= DOCUMENT_VOID_FIELDS
    )


# the unit columns the server owns and both ends exchange, with the value a missing one means
# (search columns and `sn` are the device's business)
UNIT_DEFAULTS: dict[str, Any] = {
    "name": "",
    "credit_code": None,
    "address": "",
    "township_id": None,
    "grid_id": None,
    "industry": "",
    "supervision_level": "D",
    "risk_colour": "blue",
    "tags": "[]",
    "legal_rep": "",
    "contact_name": "",
    "contact_phone": "",
    "lat": None,
    "lon": None,
    "status": "active",
}
UNIT_FIELDS = tuple(UNIT_DEFAULTS)
# A pulled unit's data also carries its name's tone-less pinyin syllables, space-separated, as
# `inspector.domain.search_text.name_syllables` cuts them ("hong guang ji xie chang"). The server
# works them out once for every device; a client may use them for its search columns instead of
# running pypinyin (a third of applying a page), and works them out itself when they are missing
# or malformed. Derived, never stored by the server, never sent up.
UNIT_NAME_SYLLABLES = "name_syllables"
PULLED_ENTITIES = (
    "agency",
    "user",
    "township",
    "grid",
    "unit",
    "checklist",
    "numberblock",
    "task",
    "hazardstate",  # a hazard's fold over the steps of several devices (sync.server.hazard_fold)
)


def payload_digest(payload: dict[str, Any]) -> str:
    """An op's payload_sha256: SHA-256 of its canonical JSON (sorted keys, no spaces, UTF-8 kept),
    the same text the client's outbox stores. The server recomputes it to fingerprint the op."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


OpStatus = Literal["applied", "duplicate", "conflict", "rejected", "retry"]

# Why the server answered an op as it did (OpResult.reason), every code it can send: the client
# has a Chinese text for each (inspector.services.sync). On the wire a code may carry a detail
# after a colon (`invalid_value:contact_phone`, `field_conflict:name,address`), and a duplicate's
# reason is the first answer's status before it (`conflict:field_conflict:name`).
Reason = Literal[
    "idempotency_key_reused",  # the op_id came before with another payload or device
    "payload_hash_mismatch",  # payload_sha256 is not the payload's digest
    "invalid_text",  # a NUL, a lone surrogate, a number out of range
    "unknown_entity",
    "unsupported_kind",
    "malformed",
    "invalid_value",  # :field
    "out_of_scope",  # not in the caller's jurisdiction
    "deleted",  # the unit was deleted on the server
    "exists",  # a unit with this id exists already
    "duplicate_credit_code",
    "forbidden",  # not for the caller's role
    "immutable",  # an issued document, a grid report, a task step
    "not_owner",  # another person's record (sync.server.ownership)
    "not_assignee",  # a step on a task assigned to others
    "constraint",  # the database refused the op
    "field_conflict",  # :fields kept at the server's value (status conflict)
    "missing_blobs",  # retry: the attachments are not uploaded yet
    "missing_parent",  # retry: the record it hangs under has not arrived yet
]
REASON_CODES: tuple[Reason, ...] = get_args(Reason)


def is_reason(code: str) -> TypeGuard[Reason]:
    """True for a code the server sends (the head of a reason, before any colon)."""
    return code in REASON_CODES


def reason(code: Reason, detail: str = "") -> str:
    """The wire text of a reason: its code, then ``:detail`` when there is one."""
    return f"{code}:{detail}" if detail else code


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)
    device_id: str = Field(min_length=8, max_length=64)


class LoginResponse(BaseModel):
    token: str
    expires_at: datetime
    user_id: str
    agency_id: str
    # who signed in, so the device shows their window before any pull (absent from older servers)
    user_name: str = ""
    role: str | None = None
    grid_ids: list[str] = []


class Meta(BaseModel):
    protocol: int = PROTOCOL
    min_client: int = PROTOCOL
    server_time: datetime
    user_id: str
    user_name: str
    role: str
    agency_id: str
    township_ids: list[str]
    grid_ids: list[str]
    tombstone_horizon: int
    counts: dict[str, int] = {}


class BlobCheck(BaseModel):
    sha256: list[str] = Field(max_length=1000)


class BlobMissing(BaseModel):
    missing: list[str]
    # of the missing ones, the caller's unfinished uploads: bytes received (resume there)
    partial: dict[str, int] = {}


class BlobBatchResult(BaseModel):
    stored: list[str]  # on the server now (verified), in the manifest's order
    refused: dict[str, str] = {}  # sha → reason (hash_mismatch): not stored, nothing kept


def manifest(items: list[tuple[str, int]]) -> str:
    """The Blob-Manifest header for blobs sent whole, in body order."""
    return ",".join(f"{sha}:{length}" for sha, length in items)


def parse_manifest(text: str) -> list[tuple[str, int]]:
    """(sha, length) pairs of a Blob-Manifest header; ValueError when it breaks a rule."""
    items: list[tuple[str, int]] = []
    for part in text.split(","):
        sha, sep, length = part.strip().partition(":")
        if not sep or not _SHA.match(sha) or not length.isdigit() or len(length) > 10:
            raise ValueError("malformed manifest")
        if not 0 < int(length) <= MAX_CHUNK:
            raise ValueError("blob size out of range")
        items.append((sha, int(length)))
    if len(items) > MAX_BATCH_BLOBS or len({sha for sha, _ in items}) != len(items):
        raise ValueError("too many or repeated blobs")
    if sum(n for _, n in items) > MAX_BATCH_BYTES:
        raise ValueError("batch too large")
    return items


def named_blobs(payload: dict[str, Any]) -> list[Any]:
    """The values of a record's blob fields (every top-level ``*sha256`` field that is set): the
    server needs each of these blobs before it takes the record, and the device must send them."""
    return [v for k, v in payload.items() if k.endswith("sha256") and v is not None]


class Op(BaseModel):
    op_id: str = Field(min_length=8, max_length=64)  # the idempotency key (a UUIDv7)
    kind: Literal["upsert", "patch", "delete"] = "upsert"
    entity: str = Field(max_length=40)
    entity_id: str = Field(max_length=64)
    payload: dict[str, Any]
    payload_sha256: str = Field(pattern=SHA256)
    base_version: int | None = None
    blob_refs: list[str] = Field(default_factory=list, max_length=100)


class PushRequest(BaseModel):
    device_id: str = Field(min_length=8, max_length=64)
    ops: list[Op] = Field(max_length=MAX_OPS)


class OpResult(BaseModel):
    op_id: str
    status: OpStatus
    reason: str | None = None
    version: int | None = None
    row: dict[str, Any] | None = None


class PushResponse(BaseModel):
    results: list[OpResult]


class Change(BaseModel):
    seq: int
    entity: str
    id: str
    version: int
    deleted: bool = False
    data: dict[str, Any]


class ChangesPage(BaseModel):
    changes: list[Change]
    next: int  # the cursor to ask with next time
    more: bool


@dataclass(frozen=True, kw_only=True)
class MonthlyStats(MonthTally):
    """One month's figures (the fields of inspector.domain.monthly.MonthTally) computed by the
    server over the records of the caller's jurisdiction, as of `as_of`. A dataclass, so that
    the figures are declared once, in the domain; read and written through MONTHLY_STATS."""

    scope_label: str = ""  # whose records: "柴桑区应急管理局（全区）" or the townships' names
    as_of: datetime
    skipped: int = 0  # records whose fields could not be read (left out, logged on the server)


MONTHLY_STATS: TypeAdapter[MonthlyStats] = TypeAdapter(MonthlyStats)
