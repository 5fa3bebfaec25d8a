"""Run service calls off the GUI thread and deliver results back on it.

One writer thread serialises every database write; a small pool does reads, photo and PDF work.
Results come back through a signal of a QObject living in the GUI thread (never a lambda slot),
so callbacks always run on the GUI thread. A finished write that returned a `Done` hands its
`value` to the caller and announces its `changes` once on `changed`, which the pages follow
(inspector.ui.refresh) to reload what they show.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

from inspector.domain.errors import UserError
from inspector.services.changes import Changes, Done
from inspector.services.context import Context

log = logging.getLogger("inspector.ui.tasks")

Callback = Callable[[Any], object]
ErrorCallback = Callable[[str], None]

_T = TypeVar("_T")

INTERNAL_ERROR = "操作失败：程序内部错误（已记入日志）。已保存的数据不受影响，请重试。"


class TaskRunner(QObject):
    _finished = Signal(object)
    busy_changed = Signal(int)
    error = Signal(str)  # a message for the person, when the caller gave no error handler
    changed = Signal(object)  # Changes: once per finished write (empty when it returned no Done)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        # started now, so that a store can be handed to it (serve) before the first write
        self._writer_ident = self._writer.submit(threading.get_ident).result()
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="worker")
        self._pending = 0
        self._closed = False
        # Always queued: a callback never runs inside the emitting call, even on the GUI thread.
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def pending(self) -> int:
        return self._pending

    def serve(self, ctx: Context) -> None:
        """This runner's db-writer becomes the one thread that writes `ctx`'s store (the thread
        that opened it, the GUI thread, no longer may), and writes `ctx`'s services make from
        other threads (a sync run's) are sent to it."""
        ctx.store.hand_writes_to(self._writer_ident)
        ctx.run_on_writer = self.on_writer

    def on_writer(self, fn: Callable[[], _T]) -> _T:
        """Run `fn` on the writer thread and wait for it (inline when already there)."""
        if threading.get_ident() == self._writer_ident:
            return fn()
        return self._writer.submit(fn).result()

    def write(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> Future[Any]:
        return self._submit(self._writer, fn, args, on_done, on_error, write=True)

    def announce(self, changes: Changes) -> None:
        """Tell the pages about changes made outside `write` (a sync run that reports its own)."""
        self.changed.emit(changes)

    def read(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> Future[Any]:
        return self._submit(self._pool, fn, args, on_done, on_error)

    def _submit(
        self,
        executor: ThreadPoolExecutor,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        on_done: Callback | None,
        on_error: ErrorCallback | None,
        *,
        write: bool = False,
    ) -> Future[Any]:
        if self._closed:  # the window is closing: a late refresh has nothing left to show
            dropped: Future[Any] = Future()
            dropped.cancel()
            return dropped
        self._pending += 1
        self.busy_changed.emit(self._pending)
        future = executor.submit(fn, *args)
        future.add_done_callback(lambda f: self._finished.emit((f, on_done, on_error, write)))
        return future

    @Slot(object)
    def _deliver(
        self, packet: tuple[Future[Any], Callback | None, ErrorCallback | None, bool]
    ) -> None:
        future, on_done, on_error, write = packet
        self._pending -= 1
        self.busy_changed.emit(self._pending)
        if future.cancelled():  # dropped at shutdown: nobody is waiting for it
            return
        exc = future.exception()
        if exc is not None:
            if isinstance(exc, UserError):
                message = exc.message
                log.info("refused: %s", message)
            else:
                message = INTERNAL_ERROR
                log.error("task failed", exc_info=exc)
            if on_error is not None:
                on_error(message)
            else:
                self.error.emit(message)
            return
        result = future.result()
        changes = Changes()
        if write and isinstance(result, Done):
            result, changes = result.value, result.changes
        if on_done is not None:
            try:
                on_done(result)
            except Exception:
                log.exception("result handler failed")
                self.error.emit(INTERNAL_ERROR)
        if write and not self._closed:  # after the caller's handling: a page it opened follows too
            self.changed.emit(changes)

    def shutdown(self) -> None:
        self._closed = True  # the window is going: nothing refreshes after this
        # (the writer's mark is thread-local: it ends with the thread; shutdown may come twice)
        self._writer.shutdown(wait=True)
        self._pool.shutdown(wait=True, cancel_futures=True)
