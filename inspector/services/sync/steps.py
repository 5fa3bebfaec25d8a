"""One sync run's state and its first step: the transport with retries, cancel and halt, the
database writes sent to the writer, and the meta call that measures the clock offset."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from inspector.services.context import Context
from inspector.services.people.role import remember_role
from inspector.services.setting_rows import remember_clock_offset
from inspector.services.sync.centre import CLOCK_WARN_S
from inspector.services.sync.report import Rejection, SyncReport
from inspector.services.sync.texts import CANCELLED, TOO_OLD, UNAUTHORIZED
from inspector.services.sync.transport import server_said
from inspector.services.sync.uploads import UploadQueue
from inspector.util.clock import clock_warning
from sync.contract import PROTOCOL, Meta

Progress = Callable[[str, int, int], None]
_T = TypeVar("_T")
_M = TypeVar("_M", bound=BaseModel)


class RunTuning(Protocol):
    """The knobs of a run (the SyncService's)."""

    retries: int
    backoff_s: float
    chunk_size: int
    batch_bytes: int
    page_size: int


class Stop(Exception):
    """End the run here with this Chinese message (what is done so far stays done)."""

    def __init__(self, message: str, *, cancelled: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.cancelled = cancelled


def write_on_writer(ctx: Context, fn: Callable[[Session], _T]) -> _T:
    """`fn` in one write transaction on the store's writer thread (the run itself is not on
    it: its network work never holds up other writes)."""

    def transaction() -> _T:
        with ctx.store.write() as s:
            return fn(s)

    return ctx.run_on_writer(transaction)


class RunState:
    """The state of one run."""

    def __init__(
        self,
        svc: RunTuning,
        ctx: Context,
        report: SyncReport,
        progress: Progress,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.svc = svc
        self.ctx = ctx
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
            raise Stop(CANCELLED, cancelled=True)
        if self.halted.is_set():
            raise Stop("同步已中止。")

    def halt(self, uploads: UploadQueue | None) -> None:
        """The run stops on an error: no upload starts, a running one ends after its piece."""
        self.halted.set()
        if uploads is not None:
            uploads.abort()

    def upload_progress(self, done: int, total: int) -> None:
        self.progress("上传附件", done, total)

    def write(self, fn: Callable[[Session], _T]) -> _T:
        return write_on_writer(self.ctx, fn)

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
                    raise Stop(UNAUTHORIZED)
                if r.status_code < 500 or attempt >= self.svc.retries:
                    return r
            attempt += 1
            time.sleep(self.svc.backoff_s * attempt * (0.5 + random.random()))

    def fail(self, r: httpx.Response, what: str) -> Stop:
        return Stop(f"{what}失败（{server_said(r)}）。已完成的部分已保存。")

    def answer(self, r: httpx.Response, model: type[_M], what: str, unreadable: str) -> _M:
        """The server's answer to `what` read as `model`: an answer other than 200 stops the run
        (:meth:`fail`), and so does one that is not a `model` (`unreadable`, in Chinese)."""
        if r.status_code != 200:
            raise self.fail(r, what)
        try:
            return model.model_validate_json(r.content)
        except (ValueError, ValidationError):
            raise Stop(unreadable) from None

    # -- 1. meta -------------------------------------------------------------------------------
    def meta(self) -> None:
        self.progress("连接服务器", 0, 1)
        sent = datetime.now(UTC)
        r = self.request("GET", "/sync/meta")
        received = datetime.now(UTC)
        meta = self.answer(r, Meta, "连接服务器", "服务器的回答无法识别，请确认服务器地址。")
        if meta.min_client > PROTOCOL:
            raise Stop(TOO_OLD)
        local_mid = sent + (received - sent) / 2
        server_time = meta.server_time
        if server_time.tzinfo is None:
            server_time = server_time.replace(tzinfo=UTC)
        offset = round((server_time - local_mid).total_seconds(), 3) + 0.0  # never -0.0
        self.report.clock_offset_s = offset
        if abs(offset) > CLOCK_WARN_S:
            self.report.warnings.append(clock_warning(offset))

        # trusted time from here on: records and documents are corrected by this offset
        def remember(s: Session) -> None:
            remember_clock_offset(s, self.ctx.clock, offset, self.ctx.clock.device_now())
            remember_role(s, meta.user_id, meta.role, meta.grid_ids)

        self.write(remember)
        self.progress("连接服务器", 1, 1)
