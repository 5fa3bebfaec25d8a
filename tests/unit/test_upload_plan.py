"""Which blobs a sync sends whole in batches and which alone in resumable pieces."""

from __future__ import annotations

from inspector.services.sync_uploads import plan_uploads
from sync.contract import MAX_BATCH_BLOBS


def _sha(n: int) -> str:
    return f"{n:064x}"


def test_small_blobs_are_batched_in_order_within_both_limits() -> None:
    sizes = [(_sha(i), 300) for i in range(MAX_BATCH_BLOBS + 5)]
    batches, singles = plan_uploads(sizes, {}, chunk_size=1000, batch_bytes=10_000)
    assert singles == []
    assert [sha for b in batches for sha in b] == [sha for sha, _ in sizes]  # each once, in order
    assert all(sum(300 for _ in b) <= 10_000 for b in batches)
    assert [len(b) for b in batches] == [33, 33, 3]  # 33 × 300 B fills 10 KB first
    batches, _ = plan_uploads(sizes, {}, chunk_size=1000, batch_bytes=1 << 20)
    assert [len(b) for b in batches] == [MAX_BATCH_BLOBS, 5]  # then the count limit


def test_large_resumed_and_missing_blobs_go_alone() -> None:
    sizes = [(_sha(1), 1001), (_sha(2), 10), (_sha(3), None), (_sha(4), 10), (_sha(5), 0)]
    batches, singles = plan_uploads(sizes, {_sha(4): 4}, chunk_size=1000, batch_bytes=10_000)
    assert batches == [[_sha(2)]]
    # larger than a piece; no file (reported once, by the single upload); a start on the
    # server to resume; empty (a batch entry has at least one byte)
    assert singles == [_sha(1), _sha(3), _sha(4), _sha(5)]
