"""The sync engine of the desktop client (anchors A5.4): sign-in, then one run = meta → blobs →
push → pull, each step committing alone, so a run cut anywhere loses nothing and repeats nothing.

- The sign-in token lives in the OS keyring (CredentialStore) and in memory for this session; never
  in the database, settings or logs. The device id is made once and kept in the `setting` table.
- Push: before a batch is sent, its ops get ``attempts += 1`` in a committed transaction, which
  freezes their payloads (journal.queue only merges ops never attempted), so a resend after a cut
  carries the same op_id with the same payload and the server answers `duplicate`. Each answer is
  stored in the transaction that marks the op done / conflict / rejected and applies the returned
  row; `retry` leaves the op pending with its reason.
- Pull: each page and the new cursor in one write transaction; 410 → again from 0.
Runs on a worker thread; `cancelled` is checked between any two requests.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import ValidationError
from sqlalchemy import bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from inspector.domain.errors import UserError
from inspector.domain.record_kinds import network_problem, record_name
from inspector.services.context import Context
from inspector.services.counts import Unsynced, unsynced
from inspector.services.people.credentials import CredentialStore
from inspector.services.people.role import remember_role
from inspector.services.setting_rows import (
    CURSOR,
    DEVICE_ID,
    LAST_SYNC,
    SERVER_URL,
    USERNAME,
    clock_offset,
    current_user_id,
    get_setting,
    remember_clock_offset,
    set_current_agency,
    set_current_user,
    set_setting,
)
from inspector.services.sync.apply import (
    apply_changes,
    apply_units,
    apply_user,
    queue_unit_patch,
)
from inspector.services.sync.uploads import BatchSizer, UploadQueue, file_size, plan_uploads
from inspector.store.models import Outbox, Unit, User
from inspector.util.clock import clock_warning
from inspector.util.ids import uuid7
from sync.contract import (
    MANIFEST_HEADER,
    MAX_BATCH_BYTES,
    MAX_CHUNK,
    MAX_OPS,
    MAX_PAGE,
    PROTOCOL,
    BlobBatchResult,
    BlobMissing,
    ChangesPage,
    LoginResponse,
    Meta,
    MonthlyStats,
    OpResult,
    PushResponse,
    manifest,
)

log = logging.getLogger("inspector.sync")

ClientFactory = Callable[[str, str | None], httpx.Client]
Progress = Callable[[str, int, int], None]


CLOCK_WARN_S = 300
PULL_LIMIT = MAX_PAGE  # a page and its cursor per transaction: fewer, larger commits
CHECK_BATCH = 1000
UPLOAD_WORKERS = 3
UNNAMED_UNIT = "（本机没有名称的单位）"  # a conflict on a unit this device cannot name
MAX_PUSH_PASSES = 4  # a child queued before its parent comes back `retry: missing_parent`

FIELD_NAMES = {
    "name": "单位名称",
    "address": "地址",
    "industry": "行业",
    "supervision_level": "监管分级",
    "risk_colour": "风险等级",
    "tags": "标签",
    "legal_rep": "法定代表人（负责人）",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "lat": "纬度",
    "lon": "经度",
    "status": "状态",
    "credit_code": "统一社会信用代码",
    "township_id": "乡镇（街道）",
    "grid_id": "网格",
    "unit_id": "所属单位",
    "inspection_id": "所属检查",
    "hazard_id": "所属隐患",
    "document_id": "所属文书",
    "blob_refs": "附件",
}
REASONS = {
    "idempotency_key_reused": "服务器已收到同一编号但内容不同的提交，本条未被接受",
    "payload_hash_mismatch": "提交内容的校验值不符，本条未被接受",
    "invalid_text": "内容含有无效字符",
    "unknown_entity": "服务器不认识这类记录",
    "unsupported_kind": "服务器不支持这种修改方式",
    "malformed": "记录格式不正确",
    "invalid_value": "内容有无效的值",
    "out_of_scope": "该单位不在您的辖区内，无权提交",
    "deleted": "单位已在服务器删除，本地修改保留",
    "exists": "服务器上已有同一编号的单位",
    "duplicate_credit_code": "该统一社会信用代码已登记在服务器上的另一个单位名下",
    "forbidden": "您的角色无权提交这类记录",
    "immutable": "文书已签发，内容不能再更改",
    "not_owner": (
        "该记录由其他人员创建，只有创建者本人（在创建它的设备上）可以修改；本次修改未被服务器接受"
    ),
    "not_assignee": "该任务已分派给其他人员，只有被分派的人员可以办理；本次办理未被服务器接受",
    "constraint": "与服务器上的数据相抵触",
    "missing_blobs": "附件尚未完整上传，下次同步时重试",
    "missing_parent": "所属的检查或文书尚未上传，下次同步时重试",
}
NOT_SIGNED_IN = "尚未登录同步服务器，请先登录。"
UNAUTHORIZED = "登录已失效，请重新登录后再同步。已保存的记录不受影响。"
TOO_OLD = "本程序版本过旧，服务器要求升级后才能同步。已保存的记录不受影响。"
CANCELLED = "同步已取消。已完成的部分已保存，下次同步会接着进行。"


def reason_text(reason: str | None) -> str:
    """A server reason (e.g. ``invalid_value:contact_phone``) in Chinese."""
    if not reason:
        return ""
    head, _, tail = reason.partition(":")
    if head == "field_conflict":
        fields = "、".join(FIELD_NAMES.get(f, f) for f in tail.split(",") if f)
        return f"{fields}已在服务器上被他人修改，保留了服务器的值，本机的值已记入冲突待处理"
    if head == "invalid_value" and tail:
        return f"「{FIELD_NAMES.get(tail, tail)}」的值无效"
    if head in ("applied", "conflict", "rejected", "retry") and tail:
        return reason_text(tail)  # a duplicate's stored first answer
    return REASONS.get(head, f"服务器未接受（{reason}）")


def server_said(r: httpx.Response) -> str:
    """ "服务器返回 403：…" — the status and the server's Chinese detail, when it sent one."""
    detail = ""
    try:
        body = r.json()
        if isinstance(body, dict) and isinstance(body.get("detail"), str):
            detail = "：" + body["detail"]
    except ValueError:
        pass
    return f"服务器返回 {r.status_code}{detail}"


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The system's trusted CAs (an agency's own CA installed in Windows is honoured), built once
    per process: loading a CA bundle takes ~20 ms, a fifth of a no-op sync's budget."""
    return ssl.create_default_context()


def http_client(base_url: str, token: str | None) -> httpx.Client:
    """The production transport: HTTPS (or HTTP on a trusted LAN) with timeouts."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(
        base_url=base_url,
        headers=headers,
        timeout=httpx.Timeout(60.0, connect=15.0),
        follow_redirects=False,
        verify=tls_context(),
    )


@dataclass(frozen=True)
class Rejection:
    entity: str
    entity_id: str
    op_id: str
    status: str  # rejected | conflict | retry
    reason: str  # Chinese

    @property
    def label(self) -> str:
        return f"{record_name(self.entity)}：{self.reason}"


@dataclass
class SyncReport:
    pushed: dict[str, int] = field(default_factory=dict)  # entity → applied
    duplicates: int = 0
    conflicts: list[Rejection] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    retry: int = 0  # still pending after this run (reasons on the outbox rows)
    # records the server sent back (`retry`) at their last try in this run, still pending
    waiting: list[Rejection] = field(default_factory=list)
    pulled: dict[str, int] = field(default_factory=dict)  # entity → rows applied
    blobs_uploaded: int = 0
    bytes_uploaded: int = 0
    clock_offset_s: float | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # Chinese; None when the run completed
    cancelled: bool = False
    last_ok: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def complete(self) -> bool:
        """The run reached the end and the server took every record it was sent."""
        return self.ok and not self.waiting

    def add_pushed(self, entity: str) -> None:
        self.pushed[entity] = self.pushed.get(entity, 0) + 1

    def summary(self) -> str:
        """The run in figures ("上传 3 条，下载 0 条，…") and which records came back, and why."""
        parts = [f"上传 {sum(self.pushed.values())} 条", f"下载 {sum(self.pulled.values())} 条"]
        if self.duplicates:
            parts.append(f"服务器已有 {self.duplicates} 条（未重复提交）")
        if self.blobs_uploaded:
            parts.append(f"附件 {self.blobs_uploaded} 个")
        if self.rejected:
            parts.append(f"未被接受 {len(self.rejected)} 条")
        if self.conflicts:
            parts.append(f"冲突 {len(self.conflicts)} 条")
        if self.retry:
            parts.append(f"仍待同步 {self.retry} 条")
        text = "，".join(parts)
        if self.waiting:
            shown = "；".join(w.label for w in self.waiting[:3])
            more = f"等 {len(self.waiting)} 条" if len(self.waiting) > 3 else ""
            text += f"。服务器暂未接受：{shown}{more}"
        return text


@dataclass(frozen=True)
class Problem:
    """A record the server did not take (rejected) or asked to send again (retry)."""

    op_id: str
    entity: str
    entity_id: str
    state: str  # rejected | pending (a `retry` answer)
    reason: str  # Chinese
    title: str = ""  # what a person calls the record (a unit's name), when known
    queued_at: datetime | None = None  # when this device queued it (names a record with no title)

    @property
    def kind(self) -> str:
        return record_name(self.entity)


@dataclass(frozen=True)
class ConflictField:
    field: str
    server_value: Any
    device_value: Any

    @property
    def label(self) -> str:
        return FIELD_NAMES.get(self.field, self.field)


@dataclass(frozen=True)
class ConflictItem:
    """A unit edit the server did not take as it was: the server's values were kept."""

    op_id: str
    entity_id: str
    title: str  # the unit's name
    reason: str  # Chinese
    fields: list[ConflictField]
    deleted: bool = False


@dataclass(frozen=True)
class SyncStatus:
    username: str | None
    server_url: str | None
    signed_in: bool
    last_sync_at: datetime | None
    clock_offset_s: float | None
    pending: dict[str, int]  # entity → ops still to send
    problems: list[Problem]
    conflicts: list[ConflictItem]
    unsynced: Unsynced  # the status bar's count too (services/counts.py)

    @property
    def total_pending(self) -> int:
        return sum(self.pending.values())

    @property
    def clock_warning(self) -> bool:
        return self.clock_offset_s is not None and abs(self.clock_offset_s) > CLOCK_WARN_S

    @property
    def safe_to_sign_out(self) -> bool:
        """Nothing would stay only on this device (rejected records count: they need a look)."""
        return self.total_pending == 0 and not any(p.state == "rejected" for p in self.problems)


def _unit_names(s: Session, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = s.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(ids))).all()
    return {uid: name for uid, name in rows}


def _conflict_item(row: Outbox, title: str) -> ConflictItem:
    """The fields of a conflicting unit patch: the device's value from the op, the server's from
    the stored answer."""
    payload = json.loads(row.payload or "{}")
    answer = json.loads(row.result or "{}")
    server_row = answer.get("row") or {}
    reason = answer.get("reason") or ""
    if reason.startswith("conflict:"):  # a duplicate's stored first answer
        reason = reason.partition(":")[2]
    sets = payload.get("set", {}) if isinstance(payload, dict) else {}
    head, _, tail = reason.partition(":")
    names = [f for f in tail.split(",") if f] if head == "field_conflict" else list(sets)
    fields = [ConflictField(f, server_row.get(f), sets.get(f)) for f in names if f in sets]
    return ConflictItem(
        op_id=row.op_id,
        entity_id=row.entity_id,
        title=title,
        reason=row.last_error or reason_text(reason),
        fields=fields,
        deleted=head == "deleted",
    )


class _Stop(Exception):
    """End the run here with this Chinese message (what is done so far stays done)."""

    def __init__(self, message: str, *, cancelled: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.cancelled = cancelled


class SyncService:
    def __init__(
        self,
        ctx: Context,
        client_factory: ClientFactory = http_client,
        *,
        credentials: CredentialStore | None = None,
        retries: int = 2,
        backoff_s: float = 0.5,
        chunk_size: int = MAX_CHUNK,
        batch_bytes: int = MAX_BATCH_BYTES,
    ) -> None:
        if not 0 < chunk_size <= MAX_CHUNK:
            raise ValueError(f"chunk_size must be in 1..{MAX_CHUNK}")
        if not 0 < batch_bytes <= MAX_BATCH_BYTES:
            raise ValueError(f"batch_bytes must be in 1..{MAX_BATCH_BYTES}")
        self.ctx = ctx
        self.client_factory = client_factory
        self.credentials = credentials or CredentialStore()
        self.retries = retries
        self.backoff_s = backoff_s
        self.chunk_size = chunk_size  # smaller chunks lose less to a cut on a weak link
        self.batch_bytes = batch_bytes  # small blobs per POST /sync/blobs, at most this much
        # (each batch is sized to the link: sync_uploads.BatchSizer)
        self.page_size = PULL_LIMIT  # changes per pull page
        self._token: str | None = None  # this session's token when the keyring has none

    # -- identity ----------------------------------------------------------------------------------
    def device_id(self) -> str:
        """This device's id, made once and kept in the `setting` table."""
        with self.ctx.store.write() as s:
            value = get_setting(s, DEVICE_ID)
            if value is None:
                value = uuid7()
                set_setting(s, DEVICE_ID, value)
            return value

    def signed_in_as(self) -> str | None:
        with self.ctx.store.read() as s:
            return get_setting(s, USERNAME)

    def sign_in(
        self, base_url: str, username: str, password: str, device_id: str | None = None
    ) -> LoginResponse:
        """POST /auth/login; the token goes to the keyring (UserError in Chinese on failure)."""
        base_url = base_url.strip().rstrip("/")
        username = username.strip()
        if not base_url or not username or not password:
            raise UserError("请填写服务器地址、用户名和密码。")
        with self.ctx.store.write() as s:
            known = get_setting(s, DEVICE_ID)
            if device_id and known and device_id != known:
                raise UserError("本机的设备标识已经确定，不能更改。")
            dev = known or device_id or uuid7()
            set_setting(s, DEVICE_ID, dev)
        try:
            with self.client_factory(base_url, None) as client:
                r = client.post(
                    "/auth/login",
                    json={"username": username, "password": password, "device_id": dev},
                )
        except httpx.TransportError as exc:
            raise UserError(
                f"无法连接同步服务器（{network_problem(exc)}），请检查网络后重试。"
            ) from None
        if r.status_code == 401:
            raise UserError("用户名或密码错误。")
        if r.status_code != 200:
            raise UserError(f"登录失败：服务器返回 {r.status_code}。")
        try:
            resp = LoginResponse.model_validate(r.json())
        except (ValueError, ValidationError):
            raise UserError("登录失败：服务器的回答无法识别。") from None
        with self.ctx.store.write() as s:
            if get_setting(s, USERNAME) and current_user_id(s) not in (
                None,
                resp.user_id,
            ):
                # one store per person: another person's records are never sent under this
                # person's session (services.profiles opens each person's own store)
                raise UserError(
                    "这份本机数据属于另一位已登录过的人员，不能用您的账号登录到其中。"
                    "请从“同步”页登录，程序会打开您自己的数据。"
                )
            self._token = resp.token
            set_setting(s, SERVER_URL, base_url)
            set_setting(s, USERNAME, username)
            set_current_user(s, resp.user_id)
            set_current_agency(s, resp.agency_id)
            if s.get(User, resp.user_id) is None:
                # known from now on, even if the first sync fails: named on inspections and
                # hazard steps offline (the login name until the pull brings the real one)
                name = resp.user_name or username
                apply_user(s, {"id": resp.user_id, "agency_id": resp.agency_id, "name": name})
            remember_role(s, resp.user_id, resp.role, resp.grid_ids)  # the window's role at once
        self.credentials.save_token(username, resp.token)  # UserError when there is no keyring
        return resp

    def unsynced(self) -> Unsynced:
        with self.ctx.store.read() as s:
            return unsynced(s)

    def has_session(self) -> bool:
        """Signed in now: a token for the stored user name, in memory or in the keyring."""
        username = self.signed_in_as()
        return bool(username and (self._token or self.credentials.token(username)))

    def sign_out(self) -> None:
        user = self.signed_in_as()
        if user:
            self.credentials.forget(user)
        self._token = None

    def pending_count(self) -> dict[str, int]:
        """Ops still to send, per entity (the "safe to sign out?" question)."""
        with self.ctx.store.read() as s:
            rows = s.exec(select(Outbox.entity).where(Outbox.state == "pending")).all()
        out: dict[str, int] = {}
        for entity in rows:
            out[entity] = out.get(entity, 0) + 1
        return out

    # -- the sync centre's queries and actions ------------------------------------------------------
    def status(self) -> SyncStatus:
        """What the sync centre shows: who, where, when, what is waiting and what needs a look."""
        with self.ctx.store.read() as s:
            server_url = get_setting(s, SERVER_URL)
            username = get_setting(s, USERNAME)
            raw_last = get_setting(s, LAST_SYNC)
            offset = clock_offset(s)
            rows = list(
                s.exec(
                    select(Outbox)
                    .where(
                        col(Outbox.state).in_(("rejected", "conflict"))
                        | ((Outbox.state == "pending") & (Outbox.last_error != ""))
                    )
                    .order_by(col(Outbox.seq))
                )
            )
            names = _unit_names(s, [r.entity_id for r in rows if r.entity == "unit"])
        problems: list[Problem] = []
        conflicts: list[ConflictItem] = []
        for row in rows:
            if row.state == "conflict":
                conflicts.append(_conflict_item(row, names.get(row.entity_id, UNNAMED_UNIT)))
            else:
                reason = row.last_error.partition(": ")[2] if row.state == "pending" else ""
                problems.append(
                    Problem(
                        op_id=row.op_id,
                        entity=row.entity,
                        entity_id=row.entity_id,
                        state=row.state,
                        reason=reason or row.last_error,
                        title=names.get(row.entity_id, "") if row.entity == "unit" else "",
                        queued_at=row.created_at,
                    )
                )
        last = datetime.fromisoformat(raw_last) if raw_last else None
        return SyncStatus(
            username=username,
            server_url=server_url,
            signed_in=bool(username and (self._token or self.credentials.token(username))),
            last_sync_at=last,
            clock_offset_s=offset,
            pending=self.pending_count(),
            problems=problems,
            conflicts=conflicts,
            unsynced=self.unsynced(),
        )

    def retry(self, op_id: str) -> None:
        """Send a rejected record again at the next sync. The server keeps its answer to an op id,
        so the record goes under a new op id (nothing of the rejected one was applied); a pending
        `retry` op is already going again and is left as it is."""
        with self.ctx.store.write() as s:
            row = s.exec(select(Outbox).where(Outbox.op_id == op_id)).first()
            if row is None:
                raise UserError("找不到这条待同步记录，可能已经处理。")
            if row.state != "rejected":
                return
            row.op_id = uuid7()
            row.state = "pending"
            row.attempts = 0
            row.last_error = ""
            row.result = ""
            s.add(row)

    def settle_conflict(self, op_id: str, keep_device_fields: list[str] | None = None) -> None:
        """Close a conflict: the server's values stay (they are already on this device); for each
        field in `keep_device_fields` the device's value is queued again as a new patch on top of
        the server's version (an ordinary edit the server merges at the next sync)."""
        with self.ctx.store.write() as s:
            row = s.exec(select(Outbox).where(Outbox.op_id == op_id)).first()
            if row is None or row.state != "conflict":
                raise UserError("这条冲突已经处理过了。")
            if keep_device_fields:
                item = _conflict_item(row, "")
                if item.deleted:
                    raise UserError("该单位已在服务器删除，无法保留本机的修改。")
                values = {f.field: f.device_value for f in item.fields}
                keep = {f: values[f] for f in keep_device_fields if f in values}
                if keep:
                    queue_unit_patch(s, self.ctx.clock, row.entity_id, keep)
            row.state = "settled"
            s.add(row)

    # -- one run -----------------------------------------------------------------------------------
    def _session(self) -> tuple[str | None, str | None, str | None, str | None]:
        """Server URL, user name, device id and token of the signed-in session (None: missing)."""
        with self.ctx.store.read() as s:
            base_url = get_setting(s, SERVER_URL)
            username = get_setting(s, USERNAME)
            device = get_setting(s, DEVICE_ID)
        token = self._token or (self.credentials.token(username) if username else None)
        return base_url, username, device, token

    def fetch_monthly(self, year: int, month: int, township_id: str | None) -> MonthlyStats:
        """The month's figures over the whole jurisdiction, computed by the server (one GET;
        UserError in Chinese when it cannot be had)."""
        base_url, username, _device, token = self._session()
        if not base_url or not username or not token:
            raise UserError(NOT_SIGNED_IN)
        params: dict[str, str | int] = {"year": year, "month": month}
        if township_id is not None:
            params["township_id"] = township_id
        try:
            with self.client_factory(base_url, token) as client:
                r = client.get("/stats/monthly", params=params)
        except httpx.TransportError as exc:
            raise UserError(f"无法连接同步服务器（{network_problem(exc)}）。") from None
        if r.status_code == 401:
            raise UserError("登录已失效，请在“同步”页重新登录。")
        if r.status_code != 200:
            raise UserError(f"未能获取全辖区统计（{server_said(r)}）。")
        try:
            return MonthlyStats.model_validate(r.json())
        except (ValueError, ValidationError):
            raise UserError("服务器的统计结果无法识别。") from None

    def run(
        self,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SyncReport:
        report = SyncReport()
        step = _Steps(self, report, progress or (lambda _s, _d, _t: None), cancelled)
        try:
            base_url, username, device, token = self._session()
            if not base_url or not username or not device or not token:
                raise _Stop(NOT_SIGNED_IN)
            with self.client_factory(base_url, token) as client:
                step.client = client
                step.device_id = device
                step.meta()
                step.check()
                uploads = step.start_uploads()
                try:
                    step.push(uploads)
                except BaseException:
                    step.halt(uploads)
                    raise
                step.check()
                step.pull()
        except _Stop as stop:
            report.error = stop.message
            report.cancelled = stop.cancelled
        except httpx.TransportError as exc:
            log.warning("sync cut by the network: %s", type(exc).__name__)
            report.error = (
                f"网络连接中断（{network_problem(exc)}）。已完成的部分已保存，"
                "下次同步会接着进行，不会重复提交。"
            )
        with self.ctx.store.write() as s:
            pending = set(s.exec(select(Outbox.op_id).where(Outbox.state == "pending")).all())
            report.retry = len(pending)
            report.waiting = [w for op_id, w in step.waiting.items() if op_id in pending]
            if report.ok:
                report.last_ok = datetime.now(UTC)
                set_setting(s, LAST_SYNC, report.last_ok.isoformat())
        return report


class _Steps:
    """The state of one run."""

    def __init__(
        self,
        svc: SyncService,
        report: SyncReport,
        progress: Progress,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.svc = svc
        self.ctx = svc.ctx
        self.report = report
        self.progress = progress
        self.cancelled = cancelled
        self.client: httpx.Client
        self.device_id = ""
        self.lock = threading.Lock()  # the report, from the upload threads
        self.halted = threading.Event()  # the run is failing: uploads stop between pieces
        self.waiting: dict[str, Rejection] = {}  # op id → its last `retry` answer in this run

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise _Stop(CANCELLED, cancelled=True)
        if self.halted.is_set():
            raise _Stop("同步已中止。")

    def halt(self, uploads: UploadQueue | None) -> None:
        """The run stops on an error: no upload starts, a running one ends after its piece."""
        self.halted.set()
        if uploads is not None:
            uploads.abort()

    # -- transport -----------------------------------------------------------------------------
    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """One request; transport errors and 5xx are retried with jittered backoff (every call
        of the protocol is idempotent). 401 stops the run."""
        attempt = 0
        while True:
            self.check()
            try:
                r = self.client.request(method, url, **kw)
            except httpx.TransportError:
                if attempt >= self.svc.retries:
                    raise
            else:
                if r.status_code == 401:
                    raise _Stop(UNAUTHORIZED)
                if r.status_code < 500 or attempt >= self.svc.retries:
                    return r
            attempt += 1
            time.sleep(self.svc.backoff_s * attempt * (0.5 + random.random()))

    def fail(self, r: httpx.Response, what: str) -> _Stop:
        return _Stop(f"{what}失败（{server_said(r)}）。已完成的部分已保存。")

    # -- 1. meta -------------------------------------------------------------------------------
    def meta(self) -> None:
        self.progress("连接服务器", 0, 1)
        sent = datetime.now(UTC)
        r = self.request("GET", "/sync/meta")
        received = datetime.now(UTC)
        if r.status_code != 200:
            raise self.fail(r, "连接服务器")
        try:
            meta = Meta.model_validate(r.json())
        except (ValueError, ValidationError):
            raise _Stop("服务器的回答无法识别，请确认服务器地址。") from None
        if meta.min_client > PROTOCOL:
            raise _Stop(TOO_OLD)
        local_mid = sent + (received - sent) / 2
        server_time = meta.server_time
        if server_time.tzinfo is None:
            server_time = server_time.replace(tzinfo=UTC)
        offset = round((server_time - local_mid).total_seconds(), 3) + 0.0  # never -0.0
        self.report.clock_offset_s = offset
        if abs(offset) > CLOCK_WARN_S:
            self.report.warnings.append(clock_warning(offset))
        with self.ctx.store.write() as s:
            # trusted time from here on: records and documents are corrected by this offset
            remember_clock_offset(s, self.ctx.clock, offset, self.ctx.clock.device_now())
            remember_role(s, meta.user_id, meta.role, meta.grid_ids)
        self.progress("连接服务器", 1, 1)

    # -- 2. blobs ------------------------------------------------------------------------------
    def start_uploads(self) -> UploadQueue | None:
        """Ask which blobs the server lacks and start sending them (None: nothing to send)."""
        with self.ctx.store.read() as s:
            refs_json = s.exec(
                select(Outbox.blob_refs).where(Outbox.state == "pending").order_by(col(Outbox.seq))
            ).all()
        wanted = list(dict.fromkeys(sha for raw in refs_json for sha in json.loads(raw or "[]")))
        if not wanted:
            return None
        missing: list[str] = []
        partial: dict[str, int] = {}
        for i in range(0, len(wanted), CHECK_BATCH):
            r = self.request(
                "POST", "/sync/blobs/check", json={"sha256": wanted[i : i + CHECK_BATCH]}
            )
            if r.status_code != 200:
                raise self.fail(r, "核对附件")
            try:
                answer = BlobMissing.model_validate_json(r.content)
            except (ValueError, ValidationError):
                raise _Stop("服务器对附件核对的回答无法识别。已保存的记录不受影响。") from None
            missing.extend(answer.missing)
            partial.update(answer.partial)
        if not missing:
            return None
        uploads = plan_uploads(
            [(sha, file_size(self.ctx.blobs.path_for(sha))) for sha in missing],
            partial,
            self.svc.chunk_size,
        )
        self.progress("上传附件", 0, len(missing))
        return UploadQueue(
            uploads,
            self.upload_batch,
            lambda sha: self.upload(sha, partial.get(sha, 0)),
            UPLOAD_WORKERS,
            self.check,
            BatchSizer(self.svc.batch_bytes),
        )

    def upload_progress(self, done: int, total: int) -> None:
        self.progress("上传附件", done, total)

    def missing_file(self, sha: str) -> None:
        self.report.warnings.append(
            f"本机缺少附件文件 {sha[:12]}…，引用它的记录暂不能上传。请运行数据校验。"
        )

    def damaged_file(self, sha: str) -> None:
        self.report.warnings.append(
            f"附件 {sha[:12]}… 的内容与其哈希不符（本机文件可能已损坏），未上传。"
        )

    def upload_batch(self, shas: list[str]) -> None:
        """Small blobs whole in one request (POST /sync/blobs). A cut connection keeps nothing
        of the batch on the server, and the resend costs at most one batch."""
        items: list[tuple[str, int]] = []
        bodies: list[bytes] = []
        for sha in shas:
            try:
                data = self.ctx.blobs.path_for(sha).read_bytes()
            except OSError:
                with self.lock:
                    self.missing_file(sha)
                continue
            if len(data) > self.svc.chunk_size:  # grew since it was planned: send it in pieces
                self.upload(sha)
                continue
            items.append((sha, len(data)))
            bodies.append(data)
        if not items:
            return
        r = self.request(
            "POST",
            "/sync/blobs",
            content=bodies,  # sent one after another, not joined: a copy of every byte less
            headers={
                MANIFEST_HEADER: manifest(items),
                "Content-Type": "application/octet-stream",
                "Content-Length": str(sum(n for _, n in items)),
            },
        )
        if r.status_code != 200:
            raise self.fail(r, "上传附件")
        try:
            answer = BlobBatchResult.model_validate_json(r.content)
        except (ValueError, ValidationError):
            raise _Stop("服务器对附件上传的回答无法识别。已保存的记录不受影响。") from None
        lengths = dict(items)
        with self.lock:
            self.report.blobs_uploaded += len(answer.stored)
            self.report.bytes_uploaded += sum(lengths.get(sha, 0) for sha in answer.stored)
            for sha in answer.refused:
                self.damaged_file(sha)

    def upload(self, sha: str, offset: int = 0) -> None:
        """PATCH from `offset` (where the check said this device's earlier upload stopped); a 409
        names the offset the server has, and the upload goes on from there."""
        path = self.ctx.blobs.path_for(sha)
        if not path.is_file():
            with self.lock:
                self.missing_file(sha)
            return
        length = path.stat().st_size
        if not 0 <= offset <= length:
            offset = 0
        restarts = 0
        with path.open("rb") as fh:
            while True:
                fh.seek(offset)
                chunk = fh.read(self.svc.chunk_size)
                r = self.request(
                    "PATCH",
                    f"/sync/blobs/{sha}",
                    content=chunk,
                    headers={
                        "Upload-Offset": str(offset),
                        "Upload-Length": str(length),
                        "Content-Type": "application/offset+octet-stream",
                    },
                )
                if r.status_code == 204:
                    with self.lock:
                        self.report.bytes_uploaded += len(chunk)
                    offset = int(r.headers.get("Upload-Offset", offset + len(chunk)))
                    if r.headers.get("X-Complete") == "1" or offset >= length:
                        with self.lock:
                            self.report.blobs_uploaded += 1
                        return
                    self.check()
                    continue
                if r.status_code == 409 and restarts < 5:  # someone else's offset: resume there
                    restarts += 1
                    offset = int(r.headers.get("Upload-Offset", "0"))
                    continue
                if r.status_code == 422:
                    with self.lock:
                        self.damaged_file(sha)
                    return
                raise self.fail(r, "上传附件")

    # -- 3. push -------------------------------------------------------------------------------
    def push(self, uploads: UploadQueue | None = None) -> None:
        """The pending ops in order, MAX_OPS a request; each batch goes as soon as the blobs it
        refers to are uploaded (`uploads` runs alongside)."""
        with self.ctx.store.read() as s:
            total = len(s.exec(select(Outbox.seq).where(Outbox.state == "pending")).all())
        done = 0
        after = 0  # seq of the last op sent in this pass
        seen: set[int] = set()
        for _pass in range(MAX_PUSH_PASSES):
            progressed = False
            after = 0
            while True:
                self.check()
                with self.ctx.store.read() as s:
                    batch = (
                        s.connection()
                        .execute(
                            select(Outbox.seq, Outbox.blob_refs)
                            .where(Outbox.state == "pending", col(Outbox.seq) > after)
                            .order_by(col(Outbox.seq))
                            .limit(MAX_OPS)
                        )
                        .all()
                    )
                if not batch:
                    break
                seqs = [int(seq) for seq, _refs in batch]
                after = seqs[-1]
                if uploads is not None and not uploads.done:
                    refs = {
                        sha for _seq, blob_refs in batch for sha in json.loads(blob_refs or "[]")
                    }
                    uploads.wait_for(refs, self.upload_progress)
                else:
                    self.progress("上传记录", min(done, total), total)
                applied = self.push_batch(seqs)
                progressed = progressed or applied > 0
                for seq in seqs:
                    if seq not in seen:
                        seen.add(seq)
                        done += 1
            if not progressed or not self.has_parent_retries():
                break
        if uploads is not None:
            uploads.finish(self.upload_progress)
        self.progress("上传记录", total, total)

    def has_parent_retries(self) -> bool:
        with self.ctx.store.read() as s:
            return (
                s.exec(
                    select(Outbox.seq)
                    .where(Outbox.state == "pending")
                    .where(col(Outbox.last_error).contains("missing_parent"))
                    .limit(1)
                ).first()
                is not None
            )

    def push_batch(self, seqs: list[int]) -> int:
        """Send one batch of ops (outbox seqs, in order); returns how many were answered
        applied/duplicate/conflict. Plain statements, not ORM objects: building and flushing a
        hundred Outbox objects twice was half of the client's time per batch."""
        # freeze the payloads first: from here on journal.queue makes a new op for a new edit
        with self.ctx.store.write() as s:
            conn = s.connection()
            conn.execute(
                update(Outbox)
                .where(col(Outbox.seq).in_(seqs))
                .values(attempts=col(Outbox.attempts) + 1)
            )
            rows = {
                r.seq: r for r in conn.execute(sa_select(*_WIRE).where(col(Outbox.seq).in_(seqs)))
            }
        batch = [rows[seq] for seq in seqs if seq in rows and rows[seq].state == "pending"]
        if not batch:
            return 0
        body = {"device_id": self.device_id, "ops": [wire_op(op) for op in batch]}
        r = self.request("POST", "/sync/push", json=body)
        if r.status_code != 200:
            raise self.fail(r, "上传记录")
        try:
            results = PushResponse.model_validate(r.json()).results
        except (ValueError, ValidationError):
            raise _Stop("服务器对上传的回答无法识别。已保存的记录不受影响。") from None
        by_id = {res.op_id: res for res in results}
        answered: list[dict[str, Any]] = []
        retries: list[dict[str, Any]] = []
        unit_rows: list[dict[str, Any]] = []
        with self.ctx.store.write() as s:
            conn = s.connection()
            states: dict[int, str] = dict(
                conn.execute(
                    select(Outbox.seq, Outbox.state).where(col(Outbox.seq).in_(list(rows)))
                ).all()
            )
            for op in batch:
                res = by_id.get(op.op_id)
                if res is None or states.get(op.seq) != "pending":
                    continue
                values = self.take_answer(op, res)
                final = "b_state" in values  # not a retry
                (answered if final else retries).append(values)
                if final and op.entity == "unit" and res.row is not None:
                    unit_rows.append(res.row)
            where = col(Outbox.seq) == bindparam("b_seq")
            if answered:
                conn.execute(
                    update(Outbox)
                    .where(where)
                    .values(
                        state=bindparam("b_state"),
                        result=bindparam("b_result"),
                        last_error=bindparam("b_error"),
                    ),
                    answered,
                )
            if retries:
                conn.execute(
                    update(Outbox).where(where).values(last_error=bindparam("b_error")), retries
                )
            # after the answers are stored, so that an answered patch no longer holds its fields
            for row in unit_rows:
                apply_units(s, self.ctx.clock, [(row, int(row.get("version", 0)), False)])
        return sum(1 for values in answered if values["b_state"] in ("done", "conflict"))

    def take_answer(self, op: Any, res: OpResult) -> dict[str, Any]:
        """What one answer changes on its op (parameters of push_batch's update; a retry changes
        only its error), noted in the report."""
        status: str = res.status
        reason = res.reason
        if status == "duplicate":
            self.report.duplicates += 1
            first, _, rest = (reason or "applied").partition(":")
            status, reason = first, rest or None
        if status == "retry":
            said = reason_text(reason)
            self.waiting[op.op_id] = Rejection(op.entity, op.entity_id, op.op_id, "retry", said)
            return {"b_seq": op.seq, "b_error": f"{reason or 'retry'}: {said}"}
        self.waiting.pop(op.op_id, None)
        if status == "rejected" and op.entity == "unit" and reason == "deleted":
            status = "conflict"  # a local edit to a deleted unit is kept and shown (A5.5)
        state = {"applied": "done", "conflict": "conflict"}.get(status, "rejected")
        error = "" if status == "applied" else reason_text(reason)
        if status == "applied":
            if res.status != "duplicate":
                self.report.add_pushed(op.entity)
        else:
            item = Rejection(op.entity, op.entity_id, op.op_id, state, error)
            (self.report.conflicts if state == "conflict" else self.report.rejected).append(item)
        result = {
            "status": res.status,
            "reason": res.reason,
            "version": res.version,
            "row": res.row,
        }
        return {
            "b_seq": op.seq,
            "b_state": state,
            "b_result": json.dumps(result, ensure_ascii=False),
            "b_error": error,
        }

    # -- 4. pull -------------------------------------------------------------------------------
    def pull(self) -> None:
        """Pages in order, each applied with its cursor in one transaction. The next page is
        fetched on a helper thread while this one is applied (the server's time and ours
        overlap); a page fetched but not applied when the run stops is simply fetched again."""
        with self.ctx.store.read() as s:
            cursor = int(get_setting(s, CURSOR) or 0)
        self.progress("下载更新", 0, 0)
        page = self.fetch_page(cursor, first=True)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-pull") as fetcher:
            while True:
                self.check()
                ahead = fetcher.submit(self.fetch_page, page.next) if page.more else None
                with self.ctx.store.write() as s:
                    counts = apply_changes(s, self.ctx.clock, page.changes, self.device_id)
                    set_setting(s, CURSOR, str(page.next))
                for entity, n in counts.items():
                    self.report.pulled[entity] = self.report.pulled.get(entity, 0) + n
                self.progress("下载更新", sum(self.report.pulled.values()), 0)
                if ahead is None:
                    return
                page = ahead.result()

    def fetch_page(self, cursor: int, first: bool = False) -> ChangesPage:
        limit = self.svc.page_size
        r = self.request("GET", "/sync/changes", params={"since": cursor, "limit": limit})
        if r.status_code == 410 and first:  # tombstones purged since our cursor: from 0
            self.report.warnings.append("本机数据较旧，已从头重新下载服务器数据。")
            r = self.request("GET", "/sync/changes", params={"since": 0, "limit": limit})
        if r.status_code != 200:
            raise self.fail(r, "下载更新")
        try:
            return ChangesPage.model_validate_json(r.content)
        except (ValueError, ValidationError):
            raise _Stop("服务器的更新数据无法识别。已保存的记录不受影响。") from None


# the outbox columns a push sends, and the state it is sent in
_WIRE: tuple[Any, ...] = (
    Outbox.seq,
    Outbox.op_id,
    Outbox.kind,
    Outbox.entity,
    Outbox.entity_id,
    Outbox.payload,
    Outbox.payload_sha256,
    Outbox.base_version,
    Outbox.blob_refs,
    Outbox.state,
)


def wire_op(op: Any) -> dict[str, Any]:
    """An outbox row (an `Outbox` or a row of its `_WIRE` columns) as the server's
    `sync.contract.Op`.

    The client's snapshots already have the shape the server keeps (each record names its unit or
    its parent record; blob hashes sit in ``*_sha256`` fields and `blob_refs`), and the outbox text
    is the canonical JSON `payload_digest` hashes, so the stored digest is sent as it is."""
    return {
        "op_id": op.op_id,
        "kind": op.kind,
        "entity": op.entity,
        "entity_id": op.entity_id,
        "payload": json.loads(op.payload),
        "payload_sha256": op.payload_sha256,
        "base_version": op.base_version,
        "blob_refs": json.loads(op.blob_refs or "[]"),
    }
