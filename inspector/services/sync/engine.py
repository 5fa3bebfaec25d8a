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
Runs on a worker thread; `cancelled` is checked between any two requests. Every database write of
a run goes to the writer (`ctx.run_on_writer`), so the network never holds the writer up.

The steps live beside this module: steps (transport, meta), blobs, push, pull; the sync centre's
view and actions in centre; the texts a person reads in texts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from pydantic import ValidationError
from sqlmodel import Session, select

from inspector.domain.errors import UserError
from inspector.domain.record_kinds import network_problem
from inspector.services.context import Context
from inspector.services.counts import Unsynced
from inspector.services.people.credentials import CredentialStore
from inspector.services.people.role import remember_role
from inspector.services.setting_rows import (
    CURSOR,
    DEVICE_ID,
    LAST_SYNC,
    SERVER_URL,
    USERNAME,
    current_user_id,
    get_setting,
    set_current_agency,
    set_current_user,
    set_setting,
)
from inspector.services.sync import centre
from inspector.services.sync.apply import apply_user
from inspector.services.sync.blobs import BlobSteps
from inspector.services.sync.centre import (
    CLOCK_WARN_S,
    ConflictField,
    ConflictItem,
    Problem,
    SyncStatus,
)
from inspector.services.sync.pull import PULL_LIMIT, PullSteps
from inspector.services.sync.push import PushSteps, wire_op
from inspector.services.sync.report import Rejection, SyncReport
from inspector.services.sync.steps import Progress, Stop, write_on_writer
from inspector.services.sync.texts import (
    FIELD_NAMES,
    NOT_SIGNED_IN,
    REASONS,
    reason_text,
)
from inspector.services.sync.transport import ClientFactory, http_client, server_said
from inspector.store.models import Outbox, User
from inspector.util.ids import uuid7
from sync.contract import (
    MAX_BATCH_BYTES,
    MAX_CHUNK,
    MONTHLY_STATS,
    LoginResponse,
    MonthlyStats,
)

# what callers import from here (the engine was one module before it was split)
__all__ = [
    "CLOCK_WARN_S",
    "CURSOR",
    "DEVICE_ID",
    "FIELD_NAMES",
    "LAST_SYNC",
    "REASONS",
    "SERVER_URL",
    "USERNAME",
    "ConflictField",
    "ConflictItem",
    "Problem",
    "Rejection",
    "SyncReport",
    "SyncService",
    "SyncStatus",
    "http_client",
    "reason_text",
    "wire_op",
]

log = logging.getLogger("inspector.sync")


class _Run(BlobSteps, PushSteps, PullSteps):
    """One run: its state and its steps."""


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

        def make(s: Session) -> str:
            value = get_setting(s, DEVICE_ID)
            if value is None:
                value = uuid7()
                set_setting(s, DEVICE_ID, value)
            return value

        return write_on_writer(self.ctx, make)

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

        def settle_device_id(s: Session) -> str:
            known = get_setting(s, DEVICE_ID)
            if device_id and known and device_id != known:
                raise UserError("本机的设备标识已经确定，不能更改。")
            dev = known or device_id or uuid7()
            set_setting(s, DEVICE_ID, dev)
            return dev

        # the network and the keyring work here, off the writer; only the two short writes go to it
        dev = write_on_writer(self.ctx, settle_device_id)
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

        def remember_session(s: Session) -> None:
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

        write_on_writer(self.ctx, remember_session)
        self._token = resp.token
        self.credentials.save_token(username, resp.token)  # UserError when there is no keyring
        return resp

    def unsynced(self) -> Unsynced:
        return centre.unsynced_of(self.ctx)

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
        return centre.pending_count(self.ctx)

    # -- the sync centre's queries and actions ------------------------------------------------------
    def status(self) -> SyncStatus:
        """What the sync centre shows: who, where, when, what is waiting and what needs a look."""
        return centre.sync_status(self.ctx, self._has_token)

    def _has_token(self, username: str) -> bool:
        return bool(self._token or self.credentials.token(username))

    def retry(self, op_id: str) -> None:
        centre.retry(self.ctx, op_id)

    def settle_conflict(self, op_id: str, keep_device_fields: list[str] | None = None) -> None:
        centre.settle_conflict(self.ctx, op_id, keep_device_fields)

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
            return MONTHLY_STATS.validate_python(r.json())
        except (ValueError, ValidationError):
            raise UserError("服务器的统计结果无法识别。") from None

    def run(
        self,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SyncReport:
        report = SyncReport()
        step = _Run(self, self.ctx, report, progress or (lambda _s, _d, _t: None), cancelled)
        try:
            base_url, username, device, token = self._session()
            if not base_url or not username or not device or not token:
                raise Stop(NOT_SIGNED_IN)
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
        except Stop as stop:
            report.error = stop.message
            report.cancelled = stop.cancelled
        except httpx.TransportError as exc:
            log.warning("sync cut by the network: %s", type(exc).__name__)
            report.error = (
                f"网络连接中断（{network_problem(exc)}）。已完成的部分已保存，"
                "下次同步会接着进行，不会重复提交。"
            )

        def close(s: Session) -> None:
            pending = set(s.exec(select(Outbox.op_id).where(Outbox.state == "pending")).all())
            report.retry = len(pending)
            report.waiting = [w for op_id, w in step.waiting.items() if op_id in pending]
            if report.ok:
                report.last_ok = datetime.now(UTC)
                set_setting(s, LAST_SYNC, report.last_ok.isoformat())

        write_on_writer(self.ctx, close)
        return report
