"""The upload queue: the push waits only for the blobs it needs; one failure stops the rest."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from inspector.services.sync.uploads import Upload, UploadQueue


def _queue(jobs: list[tuple[Callable[[], None], list[str]]], workers: int, check) -> UploadQueue:  # type: ignore[no-untyped-def]
    """A queue of single uploads, each running its own job."""
    by_sha = {shas[0]: job for job, shas in jobs}
    uploads = [Upload(shas[0], 1, False) for _, shas in jobs]
    return UploadQueue(uploads, lambda _b: None, lambda sha: by_sha[sha](), workers, check)


def test_wait_for_returns_once_its_blobs_are_sent_while_others_still_run() -> None:
    release = threading.Event()
    sent: list[str] = []

    def job(sha: str, block: bool = False):  # type: ignore[no-untyped-def]
        def run() -> None:
            if block:
                assert release.wait(10)
            sent.append(sha)

        return run

    q = _queue([(job("a"), ["a"]), (job("b", block=True), ["b"])], 2, lambda: None)
    q.wait_for({"a"}, lambda _d, _t: None)  # does not wait for b
    assert "a" in sent and "b" not in sent and not q.done
    release.set()
    seen: list[tuple[int, int]] = []
    q.finish(lambda d, t: seen.append((d, t)))
    assert sorted(sent) == ["a", "b"] and q.done and q.settled == q.total == 2


def test_a_failed_upload_stops_the_queue_and_reaches_the_push() -> None:
    started: list[str] = []

    def ok(sha: str):  # type: ignore[no-untyped-def]
        return lambda: started.append(sha)

    def broken() -> None:
        started.append("x")
        raise ConnectionError("cut")

    jobs = [(broken, ["x"])] + [(ok(f"s{i}"), [f"s{i}"]) for i in range(50)]
    q = _queue(jobs, 1, lambda: None)  # one thread: the jobs run in order
    with pytest.raises(ConnectionError):
        q.wait_for({"s49"}, lambda _d, _t: None)
    with pytest.raises(ConnectionError):
        q.finish(lambda _d, _t: None)
    assert started == ["x"]  # nothing started after the failure


def test_cancel_while_waiting_stops_the_queue() -> None:
    gate = threading.Event()

    def slow() -> None:
        assert gate.wait(10)

    def cancelled() -> None:
        raise KeyboardInterrupt  # stands for the run's cancel check

    q = _queue([(slow, ["a"]), (slow, ["b"])], 1, cancelled)
    threading.Timer(0.3, gate.set).start()
    with pytest.raises(KeyboardInterrupt):
        q.wait_for({"b"}, lambda _d, _t: None)
    assert q.done  # b never started
