"""Small shared helpers for the benchmarks: output lines, percentiles, source fingerprints."""

from __future__ import annotations

import hashlib
import math
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def emit(line: str) -> None:
    """One figure line on stdout, flushed at once (the runs take a while)."""
    print(line, flush=True)


def note(line: str) -> None:
    """Progress and explanations go to stderr, so stdout holds only figure lines."""
    print(f"  · {line}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    mid = n // 2
    return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def ms(seconds: float) -> str:
    """Milliseconds with sensible precision: 0.83, 9.4, 212."""
    v = seconds * 1000
    if v < 1:
        return f"{v:.2f}"
    if v < 10:
        return f"{v:.1f}"
    return f"{v:.0f}"


def fingerprint(paths: Iterable[Path], *extra: object) -> str:
    """A short hash of the given files' bytes (relative names included) and extra values."""
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    for value in extra:
        h.update(repr(value).encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def prune_siblings(keep: Path, *, unfinished_after_s: float = 3600) -> None:
    """Remove other cache entries next to `keep` (builds for older source versions), and
    unfinished `.build-*` dirs old enough that no run can still be writing them."""
    parent = keep.parent
    if not parent.is_dir():
        return
    now = time.time()
    for entry in parent.iterdir():
        if entry == keep or not entry.is_dir():
            continue
        if entry.name.startswith(".") and now - entry.stat().st_mtime < unfinished_after_s:
            continue
        shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A temporary working folder for one benchmark, removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)
