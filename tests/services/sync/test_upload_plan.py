"""Which blobs a sync sends whole in batches and which alone in resumable pieces, and how large a
batch is."""

from __future__ import annotations

import threading

from inspector.services.sync.uploads import BatchSizer, Upload, UploadQueue, plan_uploads
from sync.contract import MAX_BATCH_BLOBS


def _sha(n: int) -> str:
    return f"{n:064x}"


def test_large_resumed_and_missing_blobs_go_alone() -> None:
    sizes = [(_sha(1), 1001), (_sha(2), 10), (_sha(3), None), (_sha(4), 10), (_sha(5), 0)]
    plan = plan_uploads(sizes, {_sha(4): 4}, chunk_size=1000)
    assert [u.sha for u in plan] == [sha for sha, _ in sizes]  # in the order given
    # larger than a piece; no file (reported once, by the single upload); a start on the
    # server to resume; empty (a batch entry has at least one byte)
    assert [u.whole for u in plan] == [False, True, False, False, False]


def _sent_batches(uploads: list[Upload], sizer: BatchSizer) -> list[list[str]]:
    sent: list[list[str]] = []
    lock = threading.Lock()

    def send_batch(shas: list[str]) -> None:
        with lock:
            sent.append(list(shas))

    def send_one(sha: str) -> None:
        with lock:
            sent.append([sha])

    q = UploadQueue(uploads, send_batch, send_one, 1, lambda: None, sizer)
    q.finish(lambda _d, _t: None)
    return sent


def test_batches_follow_the_order_and_both_limits() -> None:
    small = [Upload(_sha(i), 300, True) for i in range(MAX_BATCH_BLOBS + 5)]
    uploads = [*small[:10], Upload(_sha(999), 5000, False), *small[10:]]
    fixed = BatchSizer(10_000, floor=10_000, start=10_000)
    sent = _sent_batches(uploads, fixed)
    assert [sha for b in sent for sha in b] == [u.sha for u in uploads]  # each once, in order
    # a single ends the batch before it; 33 × 300 B fill 10 KB
    assert [len(b) for b in sent] == [10, 1, 33, 26]
    big = BatchSizer(1 << 20, floor=1 << 20, start=1 << 20)
    assert [len(b) for b in _sent_batches(small, big)] == [MAX_BATCH_BLOBS, 5]  # the count


def test_the_batch_size_follows_the_link() -> None:
    sizer = BatchSizer(8 << 20, floor=256 << 10, start=1 << 20, target_s=2.0)
    assert sizer.size() == 1 << 20
    sizer.observe(1 << 20, 0.01)  # a fast link: doubles at most per batch, up to the ceiling
    assert sizer.size() == 2 << 20
    for _ in range(5):
        sizer.observe(sizer.size(), 0.01)
    assert sizer.size() == 8 << 20
    sizer.observe(8 << 20, 32.0)  # 256 KB/s (a weak link shared by three threads): 2 s of it
    assert sizer.size() == 512 << 10
    sizer.observe(512 << 10, 60.0)  # slower still: never below the floor
    assert sizer.size() == 256 << 10
