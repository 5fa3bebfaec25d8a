"""Blob uploads of a sync: which blobs go whole in batches and which alone in resumable pieces,
how large a batch is, and the few threads that send them while the push goes on behind them.

The push may send an op only once the blobs it refers to are on the server (otherwise the
server answers `retry: missing_blobs`). Uploads run in outbox order, so the push waits only for
the blobs of its next batch, not for every upload: while the server writes and fsyncs photos, it
applies the records whose photos are already there.

A batch is formed when a thread is free to send it, sized by `BatchSizer` to about two seconds of
sending at the rate the batches before it reached: on a township office's weak link a cut then
costs about two seconds to send again, and on a fast one few, large requests leave the server
less work per byte.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sync.contract import MAX_BATCH_BLOBS, MAX_BATCH_BYTES, MAX_CHUNK

WAIT_TICK_S = 0.25  # how often a waiting push looks at cancel and reports progress


def file_size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


@dataclass(frozen=True)
class Upload:
    sha: str
    size: int
    whole: bool  # sent whole in a batch with others (otherwise alone, in resumable pieces)


def plan_uploads(
    sizes: list[tuple[str, int | None]], partial: dict[str, int], chunk_size: int = MAX_CHUNK
) -> list[Upload]:
    """The blobs in the order given, each marked whole (goes in a batch, POST /sync/blobs) or not
    (PATCH, alone): a blob larger than a piece, or one the server already holds a start of, goes
    alone; a missing file (size None) or an empty one too, so that it is reported once."""
    out = []
    for sha, size in sizes:
        whole = size is not None and 0 < size <= chunk_size and not partial.get(sha)
        out.append(Upload(sha, size or 0, whole))
    return out


class BatchSizer:
    """Bytes for the next batch: about `target_s` of sending at the rate the last batch reached
    (its bytes over its time, threads sharing the link included), between `floor` and `ceiling`.
    It starts at `start` and at most doubles from one batch to the next; a slow batch shrinks it
    at once."""

    def __init__(
        self,
        ceiling: int = MAX_BATCH_BYTES,
        *,
        floor: int = 256 << 10,
        start: int = 1 << 20,
        target_s: float = 2.0,
    ) -> None:
        self.ceiling = ceiling
        self.floor = min(floor, ceiling)
        self.target_s = target_s
        self._size = max(self.floor, min(start, ceiling))
        self._lock = threading.Lock()

    def size(self) -> int:
        with self._lock:
            return self._size

    def observe(self, nbytes: int, seconds: float) -> None:
        want = nbytes / max(seconds, 1e-3) * self.target_s
        with self._lock:
            grown = min(want, 2 * self._size)
            self._size = int(max(self.floor, min(grown, self.ceiling)))


class UploadQueue:
    """The uploads on a few threads, in the order given: a thread that is free takes the next
    blob, and, when it goes whole, the whole blobs after it up to the sizer's batch size.

    `wait_for` blocks until the named blobs are settled: sent, or given up with a warning by
    their job (a missing or damaged file). The first job to fail stops the queue: nothing new
    starts, and every later `wait_for` or `finish` raises that error."""

    def __init__(
        self,
        uploads: list[Upload],
        send_batch: Callable[[list[str]], None],
        send_one: Callable[[str], None],
        workers: int,
        check: Callable[[], None],
        sizer: BatchSizer | None = None,
    ) -> None:
        self.total = len(uploads)
        self.settled = 0
        self._queue = deque(uploads)
        self._send_batch, self._send_one = send_batch, send_one
        self._sizer = sizer or BatchSizer()
        self._check = check
        self._pending = {u.sha for u in uploads}
        self._error: BaseException | None = None
        self._cond = threading.Condition()
        threads = max(1, min(workers, len(uploads)))
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sync-up")
        for _ in range(threads):
            self._pool.submit(self._work)

    def _take(self) -> tuple[list[str], int, bool] | None:
        """Under the lock: the next job's blobs, their bytes, and whether they go as a batch."""
        if self._error is not None or not self._queue:
            return None
        head = self._queue.popleft()
        if not head.whole:
            return [head.sha], head.size, False
        batch, filled, limit = [head.sha], head.size, self._sizer.size()
        while self._queue and len(batch) < MAX_BATCH_BLOBS:
            nxt = self._queue[0]
            if not nxt.whole or filled + nxt.size > limit:
                break
            self._queue.popleft()
            batch.append(nxt.sha)
            filled += nxt.size
        return batch, filled, True

    def _work(self) -> None:
        while True:
            with self._cond:
                job = self._take()
            if job is None:
                return
            shas, nbytes, batched = job
            started = time.monotonic()
            try:
                if batched:
                    self._send_batch(shas)
                else:
                    self._send_one(shas[0])
            except BaseException as exc:
                with self._cond:
                    if self._error is None:
                        self._error = exc
                    self._cond.notify_all()
                return
            if batched:
                self._sizer.observe(nbytes, time.monotonic() - started)
            with self._cond:
                self._pending.difference_update(shas)
                self.settled += len(shas)
                self._cond.notify_all()

    @property
    def done(self) -> bool:
        with self._cond:
            return not self._pending or self._error is not None

    def wait_for(self, shas: Iterable[str], progress: Callable[[int, int], None]) -> None:
        wanted = set(shas)
        while True:
            with self._cond:
                if self._error is not None:
                    raise self._error
                if not wanted & self._pending:
                    return
                self._cond.wait(WAIT_TICK_S)
                settled = self.settled
            progress(settled, self.total)
            try:
                self._check()
            except BaseException:
                self.abort()
                raise

    def finish(self, progress: Callable[[int, int], None]) -> None:
        """Wait for every job; raises the first failure."""
        with self._cond:
            everything = set(self._pending)
        try:
            self.wait_for(everything, progress)
        finally:
            self.abort()

    def abort(self) -> None:
        """Start nothing more; wait for the jobs already sending (each at most one batch)."""
        with self._cond:
            if self._error is None and self._pending:
                self._error = _Aborted()
        self._pool.shutdown(wait=True, cancel_futures=True)


class _Aborted(Exception):
    """The queue was stopped by its owner."""
