"""Sync benchmarks against the real `inspector-server` process over loopback (SQLite server):

- sync-initial-pull: a fresh client pulls 100,000 units (goal ≤ 15 s);
- sync-noop: a sync with nothing to send or fetch (goal median ≤ 100 ms);
- sync-push: 1,000 inspections with 3,000 photos pushed to a server of one worker process a core
  (`serve --workers`, up to 4), next to a raw loopback HTTP upload of the
  same bytes in the same requests to a bare ASGI app on the same server stack (uvicorn) that only
  writes the bodies to disk (goal: sync throughput ≥ 80 % of raw);
- sync-faults: the fault campaign of tests/e2e/test_faults.py with ≥ 1,000 fault runs.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchlib import ROOT, emit, median, ms, note, percentile, scratch

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "tests.support.memory_keyring.MemoryKeyring")

import httpx
from PIL import Image
from sqlalchemy import Engine
from sqlmodel import select

from inspector.services.demo.county import generate_units, make_regions
from inspector.services.facade import Services
from inspector.services.inspections.recording import HazardInput, StartInspection
from inspector.services.sync.engine import SyncService, http_client
from inspector.store.models import Outbox
from sync.contract import MANIFEST_HEADER, parse_manifest
from sync.server import admin
from sync.server.db import make_engine
from tests.support.fault_campaign import Campaign
from tests.support.live_server import LiveServer, free_port
from tests.support.sync_world import PASSWORD, code, seed_world

PULL_GOAL_S = 15.0
NOOP_GOAL_MS = 100.0
PUSH_GOAL_RATIO = 0.80
# the push server as deployed on a machine of this size: one worker process a core, up to four
PUSH_SERVER_WORKERS = max(1, min(4, os.cpu_count() or 1))


def _units_csv(path: Path, n: int) -> None:
    """n units with the demo generator's realistic names, addresses and credit codes (the pinyin
    work of a pull depends on how varied the names are)."""
    lines = ["单位名称,统一社会信用代码,地址,乡镇,网格,行业,联系人,联系电话"]
    units = generate_units(n, make_regions(random.Random(11)), seed=11)
    for i, u in enumerate(units, start=1):
        lines.append(
            f"{u.name},{u.credit_code or code(100 + i)},{u.address},沙河街道,第一网格,"
            f"{u.industry},赵{'堃喆'[i % 2]},0792-{i % 10_000_000:07d}"
        )
    path.write_text("\n".join(lines) + "\n", "utf-8")


def _seeded_server_db(work: Path, n_units: int, db_url: str = "") -> tuple[str, Engine]:
    """A server database (in `work` unless a URL is given) with the small world of the tests
    and n_units units."""
    db_url = db_url or f"sqlite:///{work / 'server.sqlite3'}"
    engine = make_engine(db_url)
    seed_world(engine, work, n_units=n_units)
    return db_url, engine


@contextlib.contextmanager
def _postgres(work: Path) -> Iterator[str]:
    """A throwaway PostgreSQL cluster as production runs it (fsync on), from
    tools/postgres_setup.sh; yields its database URL."""
    cluster = work / "pg" / "cluster"
    cluster.parent.mkdir()
    for folder in (work, cluster.parent):
        folder.chmod(0o755)  # the postgres user must reach the cluster directory
    setup = ROOT / "tools" / "postgres_setup.sh"
    started = subprocess.run(
        ["bash", str(setup), "start", str(cluster)],
        capture_output=True,
        text=True,
        env={**os.environ, "INSPECTOR_PG_DURABLE": "1"},
        check=False,
    )
    if started.returncode != 0:
        raise SystemExit(f"PostgreSQL did not start: {started.stderr.strip()[-500:]}")
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(["bash", str(setup), "stop", str(cluster)], capture_output=True, check=False)


def _device(workdir: Path, name: str) -> tuple[Services, SyncService]:
    svc = Services.open(workdir / name)
    return svc, SyncService(svc.ctx, http_client, retries=0)


# -- pull and no-op -------------------------------------------------------------------------------
def run_pull(n_units: int = 100_000, noop_runs: int = 30) -> None:
    with scratch("bench-sync-pull-") as work:
        db_url, engine = _seeded_server_db(work, 3)
        csv = work / "many.csv"
        _units_csv(csv, n_units)
        t0 = time.perf_counter()
        report = admin.import_units(engine, csv, "agency-1")
        note(f"server import of {report.imported} units from CSV: {time.perf_counter() - t0:.1f} s")
        engine.dispose()
        server = LiveServer(db_url, work / "blobs", work / "server.log")
        server.start()
        try:
            svc, sync = _device(work, "device")
            sync.sign_in(server.url, "zhang", PASSWORD)
            t0 = time.perf_counter()
            first = sync.run()
            pull_s = time.perf_counter() - t0
            assert first.ok, first.error
            units = first.pulled.get("unit", 0)
            assert units == n_units + 3, first.pulled
            emit(
                f"sync-initial-pull: {units} units in {pull_s:.1f} s "
                f"({units / pull_s:,.0f} units/s; goal ≤ {PULL_GOAL_S:.0f} s: "
                f"{'met' if pull_s <= PULL_GOAL_S else 'NOT met'})"
            )
            times = []
            for _ in range(noop_runs):
                t0 = time.perf_counter()
                r = sync.run()
                times.append(time.perf_counter() - t0)
                assert r.ok and not r.pulled and not r.pushed, (r.error, r.pulled, r.pushed)
            med = median(times) * 1000
            emit(
                f"sync-noop: median={ms(median(times))} p95={ms(percentile(times, 95))} "
                f"(with {units} units on the device; goal median ≤ {NOOP_GOAL_MS:.0f} ms: "
                f"{'met' if med <= NOOP_GOAL_MS else 'NOT met'})"
            )
            svc.close()
        finally:
            server.stop()


# -- push ------------------------------------------------------------------------------------------
@functools.cache
def _scene(k: int) -> Image.Image:
    size = (1280, 960)
    base = Image.effect_mandelbrot(size, (-2.2 + k * 0.05, -1.2, 1.0, 1.2), 60 + k * 5)
    return Image.merge(
        "RGB", (base, base.rotate(180), base.transpose(Image.Transpose.FLIP_LEFT_RIGHT))
    )


def _camera_jpeg(n: int) -> bytes:
    """A 1280×960 JPEG: one of a few scenes under a camera's sensor noise (~500 KB, like a phone
    photo at that size), different for every n."""
    picture = _scene(n % 8)
    grain = Image.effect_noise(picture.size, 40 + n % 7).convert("RGB")
    buf = io.BytesIO()
    Image.blend(picture, grain, 0.3).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _make_records(svc: Services, work: Path, n_insp: int, photos_per: int) -> None:
    people = [p.id for p in svc.inspections.people()][:2]
    checklist = svc.inspections.checklists()[0].id
    units = [u.id for u in svc.units.search("沙河")][:50]
    photo_dir = work / "camera"
    photo_dir.mkdir()
    t0 = time.perf_counter()
    for i in range(n_insp):
        iid = svc.inspections.start(
            StartInspection(
                unit_id=units[i % len(units)], inspector_ids=people, checklist_ids=[checklist]
            )
        ).value
        hid = svc.inspections.add_hazard(
            iid, HazardInput(description=f"第{i}处：消防通道堆放杂物")
        ).value
        for k in range(photos_per):
            path = photo_dir / f"IMG_{i:05d}_{k}.jpg"
            path.write_bytes(_camera_jpeg(i * photos_per + k))
            svc.photos.add_file(iid, path, watermark="现场检查", hazard_id=hid if k == 0 else None)
            path.unlink()
        svc.inspections.finish(iid, "检查发现一般隐患一项。")
        if (i + 1) % 100 == 0:
            note(f"made {i + 1} inspections ({time.perf_counter() - t0:.0f} s)")


RAW_APP = """
import itertools, os, sys
OUT, PORT, DURABLE = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "durable"
counter = itertools.count()
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    chunks = []
    while True:
        m = await receive()
        chunks.append(m.get("body", b""))
        if not m.get("more_body"):
            break
    body = b"".join(chunks)
    if DURABLE:  # what a server that keeps evidence must do: the bytes on disk before "stored"
        n = next(counter)
        sub = os.path.join(OUT, f"{n % 256:02x}")
        os.makedirs(sub, exist_ok=True)
        tmp = os.path.join(OUT, f"tmp{n}")
        with open(tmp, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, os.path.join(sub, str(n)))
        fd = os.open(sub, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    else:
        with open(os.path.join(OUT, "sink"), "ab") as fh:
            fh.write(body)
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
if __name__ == "__main__":
    import uvicorn
    uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning")
"""


def _raw_upload(work: Path, requests: list[tuple[str, bytes]], durable: bool = False) -> float:
    """Send the same bodies over loopback HTTP to a bare ASGI app that only stores them (durable:
    each in its own file, fsynced and renamed into place, as the sync server stores a blob)."""
    script = work / "raw_app.py"
    script.write_text(RAW_APP, "utf-8")
    port = free_port()
    out = work / ("raw-durable" if durable else "raw-out")
    out.mkdir()
    mode = "durable" if durable else "plain"
    proc = subprocess.Popen([sys.executable, str(script), str(out), str(port), mode])
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        with http_client(url, "x") as c:
            os.sync()
            t0 = time.perf_counter()
            for method, body in requests:
                c.request(method, "/sink", content=body).raise_for_status()
            return time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(out, ignore_errors=True)


class _Recorder:
    """The sync's client factory, noting what each blob and push request carried, so that the raw
    upload can send the very same bodies in the same order (the batches are sized as the sync
    goes: sync_uploads.BatchSizer)."""

    def __init__(self) -> None:
        self.sent: list[
            tuple[str, Any]
        ] = []  # ("batch", manifest) | ("piece", (sha, at, n)) | ("push", body)

    def __call__(self, base_url: str, token: str | None) -> httpx.Client:
        client = http_client(base_url, token)
        client.event_hooks["request"] = [self._note]
        return client

    def _note(self, request: httpx.Request) -> None:
        path = request.url.path
        if path == "/sync/blobs":
            self.sent.append(("batch", parse_manifest(request.headers[MANIFEST_HEADER])))
        elif path.startswith("/sync/blobs/") and request.method == "PATCH":
            at, n = int(request.headers["Upload-Offset"]), len(request.content)
            self.sent.append(("piece", (path.rsplit("/", 1)[1], at, n)))
        elif path == "/sync/push":
            self.sent.append(("push", request.content))

    def bodies(self, read: Callable[[str], bytes]) -> list[tuple[str, bytes]]:
        out = []
        for kind, what in self.sent:
            if kind == "batch":
                out.append(("POST", b"".join(read(sha) for sha, _n in what)))
            elif kind == "piece":
                sha, at, n = what
                out.append(("PATCH", read(sha)[at : at + n]))
            else:
                out.append(("POST", what))
        return out


def run_push(n_insp: int = 1000, photos_per: int = 3, postgres: bool = False) -> None:
    """The push benchmark on the embedded SQLite server, or with `postgres` on a PostgreSQL
    cluster with fsync on (the production set-up)."""
    with scratch("bench-sync-push-") as work, contextlib.ExitStack() as stack:
        url = stack.enter_context(_postgres(work)) if postgres else ""
        db_url, engine = _seeded_server_db(work, 50, url)
        engine.dispose()
        label = "sync-push-pg" if postgres else "sync-push"
        server = LiveServer(
            db_url, work / "server-blobs", work / "server.log", workers=PUSH_SERVER_WORKERS
        )
        server.start()
        recorder = _Recorder()
        try:
            svc = Services.open(work / "device")
            sync = SyncService(svc.ctx, recorder, retries=0)
            sync.sign_in(server.url, "zhang", PASSWORD)
            assert sync.run().ok
            t0 = time.perf_counter()
            _make_records(svc, work, n_insp, photos_per)
            note(
                f"made {n_insp} inspections with {n_insp * photos_per} photos offline: "
                f"{time.perf_counter() - t0:.0f} s"
            )
            with svc.ctx.store.read() as s:
                n_ops = len(s.exec(select(Outbox.seq).where(Outbox.state == "pending")).all())
            recorder.sent.clear()
            os.sync()  # each timed upload starts with no dirty pages left by the one before
            t0 = time.perf_counter()
            report = sync.run()
            sync_s = time.perf_counter() - t0
            assert report.ok and not report.retry and not report.rejected, report.error
            assert report.pushed.get("inspection") == n_insp, report.pushed
            assert report.pushed.get("photo") == n_insp * photos_per, report.pushed
            # the same bytes in the same requests as the sync sent: the blob batches as sized,
            # pieces of larger blobs, the ops as JSON
            requests = recorder.bodies(lambda sha: svc.ctx.blobs.path_for(sha).read_bytes())
            n_blobs = report.blobs_uploaded
            svc.close()
        finally:
            server.stop()
        total = sum(len(b) for _, b in requests)
        batches = sum(1 for kind, _ in recorder.sent if kind == "batch")
        raw_s = _raw_upload(work, requests)
        durable_s = _raw_upload(work, requests, durable=True)
        ratio = raw_s / sync_s
        emit(
            f"{label}: {n_insp} inspections, {n_insp * photos_per} photos, {n_ops} ops, "
            f"{n_blobs} blobs in {batches} batches, {total / 1e6:.0f} MB in {sync_s:.1f} s "
            f"({total / 1e6 / sync_s:.0f} MB/s; server: serve --workers {PUSH_SERVER_WORKERS})"
        )
        emit(
            f"sync-push-raw: the same {len(requests)} requests, {total / 1e6:.0f} MB, to a bare "
            f"app in {raw_s:.1f} s ({total / 1e6 / raw_s:.0f} MB/s)"
        )
        emit(
            f"sync-push-raw-durable: the same requests, each body fsynced into its own file, "
            f"in {durable_s:.1f} s ({total / 1e6 / durable_s:.0f} MB/s)"
        )
        emit(
            f"{label} ratio={ratio:.2f} of raw (goal ≥ {PUSH_GOAL_RATIO:.2f}: "
            f"{'met' if ratio >= PUSH_GOAL_RATIO else 'NOT met'}); "
            f"{durable_s / sync_s:.2f} of the durable raw upload"
        )
        note(f"server log problems: {server.log_problems()[:3]}")


# -- faults ----------------------------------------------------------------------------------------
def run_faults(faults: int = 1000, seed: int = 1123) -> None:
    with scratch("bench-sync-faults-") as work:
        campaign = Campaign(work, f"sqlite:///{work / 'server.sqlite3'}", seed=seed, log=note)
        try:
            result = campaign.run(faults, progress_every=100)
        finally:
            campaign.close()
        emit(f"sync-faults: {result.summary()}")
        emit(
            f"sync-faults: lost/duplicated/unverified: {len(result.problems)} problems "
            f"({'none' if not result.problems else result.problems[:3]})"
        )


def run(which: str = "all") -> None:
    if which in ("all", "pull"):
        run_pull()
    if which in ("all", "push"):
        run_push()
    if which in ("all", "faults"):
        run_faults()
