"""Benchmarks: `python tests/bench/run.py [NAME ...]` prints one line per figure on stdout.

Names: search, photo, documents, sync, sync-push, sync-push-pg, sync-faults, map (default: all). Progress notes and the slowest cases go to stderr.
`--profile` adds a cProfile summary of the photo ingest and of the document issue (stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import documents  # noqa: E402
import map_bench  # noqa: E402
import photo_bench  # noqa: E402
import search_bench  # noqa: E402
import sync_bench  # noqa: E402
from benchlib import note  # noqa: E402

BENCHMARKS: dict[str, Callable[[argparse.Namespace], None]] = {
    "search": lambda args: search_bench.run(),
    "photo": lambda args: photo_bench.run(profile=args.profile),
    "documents": lambda args: documents.run(profile=args.profile),
    "sync": lambda args: (sync_bench.run_pull(), sync_bench.run_push()),
    "sync-push": lambda args: sync_bench.run_push(),
    "sync-push-pg": lambda args: sync_bench.run_push(postgres=True),
    "sync-faults": lambda args: sync_bench.run_faults(),
    "map": lambda args: map_bench.run(),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the photo ingest and the document issue (cProfile, stderr)",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    for name in args.names or list(BENCHMARKS):
        t0 = time.perf_counter()
        BENCHMARKS[name](args)
        note(f"{name} took {time.perf_counter() - t0:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
