"""Blob uploads of a sync: which blobs go whole in batches and which alone in resumable pieces,
and the few threads that send them while the push goes on behind them.

The push may send an op only once the blobs it refers to are on the server (otherwise the
server answers `retry: missing_blobs`). Uploads run in outbox order, so the push waits only for
the blobs of its next batch, not for every upload: while the server writes and fsyncs photos, it
applies the records whose photos are already there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sync.contract import MAX_BATCH_BLOBS, MAX_BATCH_BYTES, MAX_CHUNK

WAIT_TICK_S = 0.25  # how often a waiting push looks at cancel and reports progress


def file_size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def plan_uploads(
    sizes: list[tuple[str, int | None]],
    partial: dict[str, int],
    chunk_size: int = MAX_CHUNK,
    batch_bytes: int = MAX_BATCH_BYTES,
) -> tuple[list[list[str]], list[str]]:
    """Which blobs go whole in batches (POST /sync/blobs) and which one by one in resumable
    pieces (PATCH): a blob larger than a piece, or one the server already holds a start of, goes
    alone; a missing file (size None) too, so that it is reported once."""
    batches: list[list[str]] = []
    singles: list[str] = []
    batch: list[str] = []
    filled = 0
    for sha, size in sizes:
        if size is None or size == 0 or size > chunk_size or partial.get(sha):
            singles.append(sha)
            continue
        if batch and (filled + size > batch_bytes or len(batch) == MAX_BATCH_BLOBS):
            batches.append(batch)
            batch, filled = [], 0
        batch.append(sha)
        filled += size
    if batch:
        batches.append(batch)
    return batches, singles


class UploadQueue:
    """Upload jobs (each sending some blobs) on a few threads, in the order given.

    `wait_for` blocks until the named blobs are settled: sent, or given up with a warning by
    their job (a missing or damaged file). The first job to fail stops the queue: nothing new
    starts, and every later `wait_for` or `finish` raises that error."""

    def __init__(
        self,
        jobs: list[tuple[Callable[[], None], list[str]]],
        workers: int,
        check: Callable[[], None],
    ) -> None:
        self.total = sum(len(shas) for _, shas in jobs)
        self.settled = 0
        self._check = check
        self._pending = {sha for _, shas in jobs for sha in shas}
        self._error: BaseException | None = None
        self._cond = threading.Condition()
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, min(workers, len(jobs))), thread_name_prefix="sync-up"
        )
        for job, shas in jobs:
            self._pool.submit(self._run, job, shas)

    def _run(self, job: Callable[[], None], shas: list[str]) -> None:
        with self._cond:
            if self._error is not None:
                return
        try:
            job()
        except BaseException as exc:
            with self._cond:
                if self._error is None:
                    self._error = exc
                self._cond.notify_all()
            return
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
