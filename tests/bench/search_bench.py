"""Unit search on 100,000 generated units: first-page latency per kind of query a person types.

The data dir is built once with `load_demo` and kept under the temp dir, keyed by a fingerprint of
the code that decides its contents (schema, demo generator, search text); queries are drawn with a
fixed seed from the stored units themselves.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pypinyin
from benchlib import ROOT, emit, fingerprint, ms, note, percentile, prune_siblings

from inspector.services.demo import vocab as demo_vocab
from inspector.services.demo.county import load_demo
from inspector.services.facade import Services
from inspector.store.engine import DB_NAME
from inspector.store.unit_search import UnitFilters

N_UNITS = 100_000
DATA_SEED = 2026
QUERY_SEED = 20260101
PER_CLASS = 240  # measured queries per class (after the warm-up)
WARMUP_PER_CLASS = 20
GOAL_P95_S = 0.010
CACHE_ROOT = Path(tempfile.gettempdir()) / "inspector-bench-100k"

# Everything that decides what the built data dir holds (query code such as unit_search.py is
# left out on purpose: changing the SQL must not force a rebuild).
_SOURCES = (
    "inspector/store/models.py",
    "inspector/store/migrate.py",
    "inspector/store/migrations",
    "inspector/domain",
    "inspector/services/demo/county.py",
    "inspector/services/demo/vocab.py",
    "inspector/services/units/directory.py",
    "inspector/services/inspections/checklists.py",
)


def _source_files() -> list[Path]:
    files: list[Path] = []
    for rel in _SOURCES:
        path = ROOT / rel
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def build_data_dir() -> Path:
    """The 100k data dir, built now or reused; prints the build figure either way."""
    fp = fingerprint(
        _source_files(), N_UNITS, DATA_SEED, pypinyin.__version__, sqlite3.sqlite_version
    )
    entry = CACHE_ROOT / fp
    meta_file = entry / "meta.json"
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text("utf-8"))
        emit(
            f"search build: {N_UNITS} units in {meta['load_s']:.1f} s"
            f" (cached build reused from {entry})"
        )
        return entry / "data"
    CACHE_ROOT.mkdir(parents=True, exist_ok=True)
    prune_siblings(entry)
    work = CACHE_ROOT / f".build-{fp}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    note(f"building {N_UNITS} units in {work} (first run for this code version)…")
    services = Services.open(work / "data")
    try:
        t0 = time.perf_counter()
        load_demo(services.ctx, n_units=N_UNITS, seed=DATA_SEED)
        load_s = time.perf_counter() - t0
    finally:
        services.close()
    (work / "meta.json").write_text(
        json.dumps({"load_s": load_s, "n_units": N_UNITS, "seed": DATA_SEED}), "utf-8"
    )
    try:
        work.rename(entry)
    except OSError:  # another run finished the same build first
        shutil.rmtree(work, ignore_errors=True)
    emit(f"search build: {N_UNITS} units in {load_s:.1f} s")
    return entry / "data"


# -- queries drawn from the data -------------------------------------------------------------------


@dataclass(frozen=True)
class UnitText:
    name: str
    address: str
    credit_code: str | None
    name_initials: str
    name_pinyin: str


def is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F
    )


def read_units(data_dir: Path) -> list[UnitText]:
    con = sqlite3.connect(f"file:{data_dir / DB_NAME}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT name, address, credit_code, name_initials, name_pinyin FROM unit"
            " WHERE deleted = 0 ORDER BY sn"
        ).fetchall()
    finally:
        con.close()
    return [UnitText(*r) for r in rows]


class QueryMaker:
    """Realistic queries, each drawn from one randomly chosen stored unit."""

    def __init__(self, units: list[UnitText], seed: int) -> None:
        self.units = units
        self.rng = random.Random(seed)
        county = demo_vocab.COUNTY
        self.county = county
        self.county_initials_len = len(pypinyin.lazy_pinyin(county))
        freq: Counter[str] = Counter()
        for u in units:
            freq.update(ch for ch in u.name + u.address if is_cjk(ch))
        by_freq = sorted(freq, key=lambda ch: (freq[ch], ch))
        # The rarer half of the distinct characters (most occur in only a handful of units).
        self.rare_chars = by_freq[: max(1, len(by_freq) // 2)]
        self.freq = freq

    def _unit(self) -> UnitText:
        return self.rng.choice(self.units)

    def _text(self) -> str:
        u = self._unit()
        return u.name if self.rng.random() < 0.7 else u.address

    def cjk_1(self) -> str:
        """Alternately a character by occurrence (mostly common ones) and a rare one."""
        if self.rng.random() < 0.5:
            return self.rng.choice(self.rare_chars)
        while True:
            chars = [ch for ch in self._text() if is_cjk(ch)]
            if chars:
                return self.rng.choice(chars)

    def cjk_n(self, n: int) -> str:
        while True:
            text = self._text()
            starts = [
                i for i in range(len(text) - n + 1) if all(is_cjk(ch) for ch in text[i : i + n])
            ]
            if starts:
                i = self.rng.choice(starts)
                return text[i : i + n]

    def cjk_2(self) -> str:
        return self.cjk_n(2)

    def cjk_4(self) -> str:
        return self.cjk_n(4)

    def py_initials(self) -> str:
        while True:
            ini = self._unit().name_initials[self.county_initials_len :]
            k = self.rng.choice((3, 4))
            starts = [i for i in range(len(ini) - k + 1) if ini[i : i + k].isalpha()]
            if starts:
                i = self.rng.choice(starts)
                return ini[i : i + k]

    def py_full(self) -> str:
        """Two consecutive syllables of a name after the county prefix, typed without spaces."""
        while True:
            name = self._unit().name
            rest = name.removeprefix(self.county)
            syllables = [
                s
                for s in pypinyin.lazy_pinyin(name, errors="ignore")[len(name) - len(rest) :]
                if s.isascii() and s.isalpha()
            ]
            if len(syllables) >= 2:
                i = self.rng.randrange(len(syllables) - 1)
                return syllables[i] + syllables[i + 1]

    def code(self, n: int) -> str:
        while True:
            code = self._unit().credit_code
            if code:
                return code[:n]


@dataclass(frozen=True)
class QueryClass:
    name: str
    make: Callable[[], str]
    filters: UnitFilters | None = None


def query_classes(qm: QueryMaker) -> list[QueryClass]:
    red = UnitFilters(risk_colour="red")
    return [
        QueryClass("cjk-1", qm.cjk_1),
        QueryClass("cjk-2", qm.cjk_2),
        QueryClass("cjk-4", qm.cjk_4),
        QueryClass("py-initials", qm.py_initials),
        QueryClass("py-full", qm.py_full),
        QueryClass("code-4", lambda: qm.code(4)),
        QueryClass("code-8", lambda: qm.code(8)),
        QueryClass("code-12", lambda: qm.code(12)),
        QueryClass("red+cjk-2", qm.cjk_2, red),
        QueryClass("red+cjk-1", qm.cjk_1, red),
    ]


# -- the run -----------------------------------------------------------------------------------


def run() -> None:
    data_dir = build_data_dir()
    units = read_units(data_dir)
    qm = QueryMaker(units, QUERY_SEED)
    classes = query_classes(qm)
    warmup = [(c, c.make()) for c in classes for _ in range(WARMUP_PER_CLASS)]
    measured = [(c, c.make()) for c in classes for _ in range(PER_CLASS)]
    count_queries = [q for c, q in measured if c.name == "cjk-1"]
    order = random.Random(QUERY_SEED + 1)
    order.shuffle(measured)

    services = Services.open(data_dir)
    try:
        n = services.units.count("")
        note(f"{n} units in {data_dir}; {len(measured)} measured searches, order shuffled")
        for c, q in warmup:
            services.units.search(q, c.filters)
        for q in count_queries[:WARMUP_PER_CLASS]:
            services.units.count(q)

        times: dict[str, list[tuple[float, str, int]]] = {c.name: [] for c in classes}
        for c, q in measured:
            t0 = time.perf_counter()
            rows = services.units.search(q, c.filters)
            dt = time.perf_counter() - t0
            times[c.name].append((dt, q, len(rows)))

        count_times: list[tuple[float, str, int]] = []
        for q in count_queries:
            t0 = time.perf_counter()
            total = services.units.count(q)
            count_times.append((time.perf_counter() - t0, q, total))
    finally:
        services.close()

    worst_name, worst_p95 = "", -1.0
    for c in classes:
        samples = times[c.name]
        secs = [t for t, _, _ in samples]
        p50, p95 = percentile(secs, 50), percentile(secs, 95)
        emit(f"search {c.name}: p50={ms(p50)} ms p95={ms(p95)} ms ({n} units)")
        _explain(c.name, samples)
        if p95 > worst_p95:
            worst_name, worst_p95 = c.name, p95
    secs = [t for t, _, _ in count_times]
    emit(
        f"search count cjk-1: p50={ms(percentile(secs, 50))} ms"
        f" p95={ms(percentile(secs, 95))} ms ({n} units)"
    )
    _explain("count cjk-1", count_times, what="total")
    verdict = "met" if worst_p95 <= GOAL_P95_S else "NOT met"
    emit(
        f"search goal p95<={GOAL_P95_S * 1000:.0f} ms: {verdict}"
        f" (worst class {worst_name} p95={ms(worst_p95)} ms)"
    )


def _explain(label: str, samples: list[tuple[float, str, int]], what: str = "rows") -> None:
    """The slowest queries of a class, on stderr, to show what the tail is made of."""
    slow = sorted(samples, reverse=True)[:3]
    shown = ", ".join(f"{q!r} {ms(t)} ms/{k} {what}" for t, q, k in slow)
    note(f"{label} slowest: {shown}")
