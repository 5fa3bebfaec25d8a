"""Fault injection for sync: desktop clients sync with the real server process through a relay
that breaks the conversation at random byte offsets, and now and then the server is SIGKILLed
mid-sync and restarted. Between faults the devices keep working offline (inspections, checklist
results, hazards, photos, unit edits), as an inspector would.

A *fault run* is one sync during which a fault fired. At the end every device syncs on a sound
link, and the campaign checks what the mission promises:

- lost: every record each device made is on the server, with the content of its last edit;
  every unit edit is on the server and on every device;
- duplicated: the server applied exactly the ops the devices hold as done, each once, and holds
  exactly one record per device record;
- blobs: every blob the server holds re-hashes to its name; every record's blobs are present;
- outboxes: nothing pending or rejected on any device; each device's own data verifies;
- the server log shows no traceback and no 5xx.

Used by tests/e2e/test_faults.py (≥ 200 fault runs) and tests/bench/sync_bench.py (≥ 1,000).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from PIL import Image
from sqlmodel import Session, col, select

from inspector.services.audit.verify import verify
from inspector.services.facade import Services
from inspector.services.inspections.recording import HazardInput, StartInspection
from inspector.services.sync.apply import queue_unit_patch
from inspector.services.sync.engine import SyncService, http_client
from inspector.services.units.directory import NewUnit
from inspector.store.models import Outbox
from inspector.store.models import Unit as ClientUnit
from sync.contract import UNIT_FIELDS
from sync.server.blobs import read_blob
from sync.server.db import AppliedOp, Blob, BlobRef, Record, Unit, make_engine
from tests.support.faultproxy import FaultProxy
from tests.support.live_server import LiveServer
from tests.support.sync_world import PASSWORD, USERS, code, seed_world

# each device edits its own unit field, so edits merge without conflicts and the last edit of
# each (device, unit) must be what everybody ends with
OWN_FIELD = {"zhang": "contact_phone", "li": "contact_name", "wang": "legal_rep"}
RARE = "堃喆𠀀䶮"
CHUNK = 24 << 10  # small upload chunks, so photos go up in several resumable pieces
STEPS = ("连接服务器", "上传附件", "上传记录", "下载更新")  # the client's progress steps
# the server dies inside its own work now and then (sync.server.failpoints)
FAILPOINTS = (
    "push.before_commit=0.01,push.after_commit=0.01,blob.before_record=0.004,"
    "blob.after_record=0.004"
)
MAX_IDLE_SYNCS = 60


@dataclass
class CampaignResult:
    fault_runs: int = 0
    cuts: int = 0
    kills: int = 0  # SIGKILL from the relay at a byte offset
    crashes: int = 0  # the server died at a failpoint inside its own work
    recovered: int = 0  # single cuts with retries left that the same sync got over
    damaged_blobs: int = 0  # syncs with a local photo file missing or altered
    resumed: int = 0  # uploads the server answered 409 (resend of a piece it had), then resumed
    units_created: int = 0
    cuts_in_request: int = 0  # the relay cut the client's bytes (request lost or partial)
    cuts_in_answer: int = 0  # the relay cut the server's bytes (answer lost or partial)
    phases: Counter[str] = field(default_factory=Counter)  # sync step at the fault
    syncs: int = 0
    failed_syncs: int = 0
    duplicates: int = 0  # ops the server answered `duplicate` (their first answer was lost)
    inspections: int = 0
    photos: int = 0
    unit_edits: int = 0
    records: dict[str, int] = field(default_factory=dict)  # entity → records on the server
    blobs: int = 0
    blob_bytes: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        phases = ", ".join(f"{k} {v}" for k, v in sorted(self.phases.items()))
        return (
            f"{self.fault_runs} fault runs ({self.cuts} cuts: {self.cuts_in_request} in a request, "
            f"{self.cuts_in_answer} in an answer, {self.recovered} got over within the sync; "
            f"{self.kills} server kills, {self.crashes} crashes at failpoints) in {self.syncs} syncs "
            f"({self.failed_syncs} ended early); faults by step: {phases}; "
            f"{self.duplicates} duplicate answers; {self.inspections} inspections, "
            f"{self.photos} photos, {self.unit_edits} unit edits, {self.units_created} new units, "
            f"{self.damaged_blobs} syncs with a damaged photo file; {self.resumed} uploads resumed "
            f"after a 409; server records "
            f"{dict(sorted(self.records.items()))}, {self.blobs} blobs "
            f"({self.blob_bytes / 1e6:.1f} MB); {self.seconds:.0f} s; "
            f"problems: {len(self.problems)}"
        )


class _Device:
    def __init__(self, name: str, workdir: Path, proxy: FaultProxy) -> None:
        self.name = name
        self.services = Services.open(workdir / f"device-{name}")
        self.sync = SyncService(
            self.services.ctx, http_client, retries=0, backoff_s=0, chunk_size=CHUNK
        )
        self.sync.page_size = 5  # several pages per pull: the fetch-ahead and each page's cursor
        self.proxy = proxy
        self.units: list[str] = []
        self.step = ""
        self.arm_at: tuple[str, Callable[[], None]] | None = None  # (step, arm the relay)
        self.edit_before_pull: Callable[[], None] | None = None

    def progress(self, step: str, _done: int, _total: int) -> None:
        if step != self.step and self.arm_at is not None and self.arm_at[0] == step:
            self.arm_at[1]()
            self.arm_at = None
        if step == "下载更新" and step != self.step and self.edit_before_pull is not None:
            # the inspector edits a unit while the sync runs: the edit is not pushed yet when
            # the pull brings the same unit changed by someone else
            self.edit_before_pull()
            self.edit_before_pull = None
        self.step = step

    def pending_bytes(self) -> int:
        """A rough size of the next sync: the pending ops and the files they name."""
        with self.services.ctx.store.read() as s:
            rows = s.exec(
                select(Outbox.payload, Outbox.blob_refs).where(Outbox.state == "pending")
            ).all()
        total = 4000  # meta, blob check, an empty pull
        shas: set[str] = set()
        for payload, refs in rows:
            total += len(payload) + 200
            shas.update(json.loads(refs or "[]"))
        for sha in shas:
            path = self.services.ctx.blobs.path_for(sha)
            total += path.stat().st_size + 400 if path.is_file() else 0
        return total


def _photo(rng: random.Random, big: bool) -> bytes:
    """A real JPEG: noise (incompressible, ~80 KB: several upload chunks) or a flat picture with a noisy corner."""
    side = 300 if big else 96
    noise = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    if big:
        img = noise
    else:
        img = Image.new("RGB", (320, 240), tuple(rng.randrange(256) for _ in range(3)))
        img.paste(noise.resize((48, 48)), (0, 0))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    return buf.getvalue()


class Campaign:
    def __init__(
        self,
        workdir: Path,
        db_url: str,
        *,
        seed: int,
        kill_every: int = 20,
        clean_after_fault: float = 0.3,
        damage_every: int = 40,
        failpoints: str = FAILPOINTS,
        log: Callable[[str], None] | None = None,
        workers: int = 1,
    ) -> None:
        self.workdir = workdir
        self.db_url = db_url
        self.rng = random.Random(seed)
        self.kill_every = kill_every
        self.clean_after_fault = clean_after_fault
        self.damage_every = damage_every
        self.idle_syncs = 0  # syncs in a row in which no fault fired
        self.relay_killed = False  # the server's death was ours (a kill fault), not a failpoint
        self.log = log or (lambda _line: None)
        self.result = CampaignResult()
        self.shared_photos: list[Path] = []
        self.photo_no = 0
        self.edit_no = 0
        self.last_edit: dict[tuple[str, str], Any] = {}  # (field, unit) → value
        engine = make_engine(db_url)
        seed_world(engine, workdir, n_units=8)
        engine.dispose()
        self.server = LiveServer(
            db_url,
            workdir / "server-blobs",
            workdir / "server.log",
            env={"INSPECTOR_FAILPOINTS": failpoints} if failpoints else None,
            workers=workers,
        )
        self.server.start()
        self.proxy = FaultProxy(self.server.port)
        self.devices = [_Device(name, workdir, self.proxy) for name in USERS]
        for dev in self.devices:
            dev.sync.sign_in(self.proxy.url, dev.name, PASSWORD)
            self._clean_sync(dev)
            with dev.services.ctx.store.read() as s:
                dev.units = sorted(s.exec(select(ClientUnit.id)).all())
            assert len(dev.units) == 8, dev.units

    def close(self) -> None:
        for dev in self.devices:
            dev.services.close()
        self.proxy.close()
        self.server.stop()

    # -- work done offline --------------------------------------------------------------------
    def _photo_file(self, big: bool, fresh: bool = False) -> Path:
        if not fresh and self.shared_photos and self.rng.random() < 0.15:  # on two devices
            return self.rng.choice(self.shared_photos)
        self.photo_no += 1
        path = self.workdir / "photos" / f"p{self.photo_no}.jpg"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(_photo(self.rng, big))
        if self.rng.random() < 0.2:
            self.shared_photos.append(path)
        return path

    def record_inspection(
        self, dev: _Device, fresh_photos: bool = False, big: bool | None = None
    ) -> None:
        svc = dev.services
        people = [p.id for p in svc.inspections.people()]
        checklist = svc.inspections.checklists()[0].id
        iid = svc.inspections.start(
            StartInspection(
                unit_id=self.rng.choice(dev.units),
                inspector_ids=people[:2],
                checklist_ids=[checklist],
            )
        ).value
        items = svc.inspections.view(iid).checklists[0].items
        for item in self.rng.sample(items, k=min(len(items), self.rng.randint(1, 5))):
            svc.inspections.set_item(iid, item.id, self.rng.choice(["pass", "na"]))
        hid = svc.inspections.add_hazard(
            iid,
            HazardInput(
                description=f"配电箱箱门损坏，带电部位外露（{RARE[self.photo_no % len(RARE)]}）",
                deadline=svc.ctx.clock.today() + timedelta(days=7),
            ),
        ).value
        for n in range(self.rng.randint(1, 3)):
            svc.photos.add_file(
                iid,
                self._photo_file(
                    big=self.rng.random() < 0.3 if big is None else big, fresh=fresh_photos
                ),
                watermark="现场检查",
                hazard_id=hid if n == 0 else None,
            )
            self.result.photos += 1
        if self.rng.random() < 0.6:  # some stay open: edited, then finished after later syncs
            svc.inspections.finish(iid, "检查发现一般隐患一项。")
        self.result.inspections += 1

    def edit_unit(self, dev: _Device) -> None:
        unit_id = self.rng.choice(dev.units)
        fld = OWN_FIELD[dev.name]
        self.edit_no += 1
        n = self.edit_no
        value = f"139{n:08d}" if fld == "contact_phone" else f"{dev.name}{RARE[n % len(RARE)]}{n}"
        with dev.services.ctx.store.write() as s:
            queue_unit_patch(s, dev.services.ctx.clock, unit_id, {fld: value})
        self.last_edit[(fld, unit_id)] = value
        self.result.unit_edits += 1

    def finish_open_inspection(self, dev: _Device) -> None:
        for row in dev.services.inspections.recent(50):
            if row.status != "finished":
                dev.services.inspections.finish(row.id, "复核后结束检查。")
                return

    def edit_open_inspection(self, dev: _Device) -> None:
        """Edit a record that may have been sent already without its answer arriving (a cut in
        the answer): the edit must go as a new op, never into the one already sent. Open
        inspections with an op sent and unanswered come first."""
        with dev.services.ctx.store.read() as s:
            sent = s.exec(
                select(Outbox.entity_id).where(
                    Outbox.state == "pending", Outbox.entity == "inspection", Outbox.attempts > 0
                )
            ).all()
        rows = dev.services.inspections.recent(50)
        rows.sort(key=lambda r: r.id not in set(sent))
        for row in rows:
            if row.status != "finished":
                self.edit_no += 1
                dev.services.inspections.update_header(
                    row.id,
                    place=f"{RARE[self.edit_no % len(RARE)]}号车间{self.edit_no}",
                    representative="王喆",
                    representative_title="车间主任",
                    representative_phone="13800000000",
                )
                items = dev.services.inspections.view(row.id).checklists[0].items
                item = self.rng.choice(items)
                dev.services.inspections.set_item(row.id, item.id, self.rng.choice(["pass", "na"]))
                return

    def create_unit(self, dev: _Device) -> None:
        """A unit found on the spot and added on the device (a create op: the one kind of op
        that a resend must not apply twice)."""
        self.edit_no += 1
        n = self.edit_no
        with dev.services.ctx.store.read() as s:
            township = s.exec(select(ClientUnit.township_id)).first()
        uid = dev.services.units.add(
            NewUnit(
                name=f"{dev.name}新发现{RARE[n % len(RARE)]}五金店{n}",
                address=f"沙河街道新村{n}号",
                credit_code=code(9000 + n),
                township_id=township,
            )
        ).value
        dev.units.append(uid)
        self.result.units_created += 1

    # -- syncs ---------------------------------------------------------------------------------
    def _sync(self, dev: _Device) -> Any:
        self.result.syncs += 1
        exits = self.server.failpoint_exits()
        report = dev.sync.run(dev.progress)
        dev.edit_before_pull = None
        self._check_own_edits(dev)
        self.result.duplicates += report.duplicates
        if not report.ok:
            self.result.failed_syncs += 1
        # killed by the relay, or died at a failpoint in its own work (a run that went well
        # had its last answer: the server lives, no need to ask)
        if (self.relay_killed or not report.ok) and self.server.died():
            if not self.relay_killed:
                self.result.crashes += 1
            self.relay_killed = False
            self.server.start()
        elif self.server.workers > 1 and self.server.failpoint_exits() > exits:
            self.result.crashes += 1  # a worker died; its supervisor has started another
        return report

    def _check_own_edits(self, dev: _Device) -> None:
        """A device always shows its own latest edit of its own field, pushed or not: nothing
        pulled or answered may put an older value over it."""
        fld = OWN_FIELD[dev.name]
        mine = {u: v for (f, u), v in self.last_edit.items() if f == fld}
        if not mine:
            return
        with dev.services.ctx.store.read() as s:
            rows = s.exec(select(ClientUnit).where(col(ClientUnit.id).in_(list(mine))))
            shown = {u.id: getattr(u, fld) for u in rows}
        wrong = [u for u, v in mine.items() if shown.get(u) != v]
        if wrong:
            self.result.problems.append(
                f"{dev.name}: its own edit of {fld} was overwritten on unit {wrong[0]}: shows "
                f"{shown.get(wrong[0])!r}, edited to {mine[wrong[0]]!r}"
            )

    def _clean_sync(self, dev: _Device) -> None:
        self.proxy.disarm()
        report = self._sync_through_crashes(dev)
        if not report.ok or report.retry or report.rejected or report.conflicts:
            self.result.problems.append(
                f"{dev.name}: a sync on a sound link did not finish cleanly: error={report.error} "
                f"retry={report.retry} rejected={report.rejected} conflicts={report.conflicts}"
            )

    def _sync_through_crashes(self, dev: _Device) -> Any:
        """A sync on a sound link, again after any failpoint crash of the server."""
        for _attempt in range(10):
            crashes = self.result.crashes
            report = self._sync(dev)
            if self.result.crashes == crashes:
                break
        return report

    def damaged_blob_sync(self) -> None:
        """A photo file on the device lost or altered (a failing disk, a user in the folder):
        the sync must say so, the server must take neither the bytes nor the record that
        names them; once the file is back, everything goes up."""
        dev = self.rng.choice(self.devices)
        self._clean_sync(dev)
        kind = ("lost", "altered", "altered-chunked")[self.result.damaged_blobs % 3]
        self.record_inspection(dev, fresh_photos=True, big=kind == "altered-chunked")
        with dev.services.ctx.store.read() as s:
            op = s.exec(
                select(Outbox)
                .where(Outbox.state == "pending", Outbox.entity == "photo")
                .order_by(col(Outbox.seq).desc())
            ).first()
        assert op is not None
        sha = json.loads(op.payload)["original_sha256"]  # the camera's file, never shared
        path = dev.services.ctx.blobs.path_for(sha)
        good = path.read_bytes()
        lost = kind == "lost"
        path.chmod(0o644)
        if lost:
            path.unlink()
        else:
            path.write_bytes(good[:-1] + bytes([good[-1] ^ 0xFF]))
        self.proxy.disarm()
        report = self._sync_through_crashes(dev)
        self.result.damaged_blobs += 1
        engine = make_engine(self.db_url)
        try:
            with Session(engine) as s:
                taken = s.get(Record, ("photo", op.entity_id)) is not None
                stored = s.get(Blob, sha) is not None
        finally:
            engine.dispose()
        said = " ".join(report.warnings)
        if taken or stored:
            self.result.problems.append(
                f"{dev.name}: the server took a photo whose file was {'lost' if lost else 'altered'}"
                f" (record {taken}, blob {stored})"
            )
        if ("缺少附件文件" if lost else "内容与其哈希不符") not in said or not report.retry:
            self.result.problems.append(
                f"{dev.name}: a {'lost' if lost else 'altered'} photo file was not reported: "
                f"{report.warnings} retry={report.retry}"
            )
        path.write_bytes(good)
        self._clean_sync(dev)

    def fault_run(self) -> bool:
        """Some offline work on one device, then a sync with a fault armed. True when it fired."""
        dev = self.rng.choice(self.devices)
        roll = self.rng.random()
        if roll < 0.4:
            self.record_inspection(dev)
        elif roll < 0.65:
            for _ in range(self.rng.randint(1, 3)):
                self.edit_unit(dev)
        elif roll < 0.75:
            self.finish_open_inspection(dev)
        elif roll < 0.85:
            self.edit_open_inspection(dev)
        elif roll < 0.88:
            self.create_unit(dev)
        kill = (self.result.fault_runs + 1) % self.kill_every == 0
        fired: dict[str, Any] = {}

        def on_fire(direction: str) -> None:
            fired.update(direction=direction, step=dev.step or "登录前")
            if kill:
                self.relay_killed = True
                self.server.kill()

        reset = self.rng.random() < 0.5
        mode = self.rng.random()
        dev.arm_at = None
        if mode < 0.35:
            # anywhere in the run's bytes (log-uniform a third of the time, so that the small
            # early requests get their share)
            estimate = dev.pending_bytes()
            if self.rng.random() < 0.35:
                after = int(math.exp(self.rng.uniform(0, math.log(estimate))))
            else:
                after = self.rng.randrange(0, int(estimate * 1.1) + 1)
            self.proxy.arm(after, on_fire=on_fire, reset=reset)
        else:
            # within one chosen step, armed when the client reports that step; a third of the
            # time counting only the server's bytes, so the cut falls in an answer (the request
            # was taken whole: the resend finds the work done, a 409 or a `duplicate`)
            step = self.rng.choice(STEPS)
            if mode < 0.7:
                size = {"上传附件": dev.pending_bytes(), "上传记录": dev.pending_bytes() // 4}
                after = self.rng.randrange(0, max(size.get(step, 1500), 1))
                count = None
            else:  # one of the first few answers (a 204 to a PATCH is ~150 bytes)
                after, count = self.rng.randrange(0, 1500 if step == "上传附件" else 400), "answer"

            def arm(after: int = after, count: str | None = count) -> None:
                self.proxy.arm(after, on_fire=on_fire, reset=reset, count=count)

            dev.arm_at = (step, arm)
        if self.rng.random() < 0.2:
            dev.edit_before_pull = lambda: self.edit_unit(dev)
        dev.sync.retries = self.rng.choice([0, 0, 1, 2])
        if mode >= 0.7 and self.rng.random() < 0.5:
            dev.sync.retries = max(dev.sync.retries, 1)  # the resend meets the work done
        dev.step = ""
        crashes = self.result.crashes
        report = self._sync(dev)
        dev.arm_at = None
        self.proxy.disarm()
        if self.result.crashes > crashes:  # the server died at a failpoint: that was the fault
            fired.setdefault("step", dev.step)
            fired.setdefault("direction", "crash")
        if not fired:
            self.idle_syncs += 1
            return False
        self.idle_syncs = 0
        r = self.result
        r.fault_runs += 1
        r.phases[fired["step"]] += 1
        if kill:
            r.kills += 1  # restarted by _sync
        elif fired["direction"] != "crash":
            r.cuts += 1
            if fired["direction"] == "request":
                r.cuts_in_request += 1
            else:
                r.cuts_in_answer += 1
            if dev.sync.retries and self.result.crashes == crashes:
                # one cut and a retry left: the same sync must get over it
                if report.ok:
                    r.recovered += 1
                else:
                    r.problems.append(
                        f"{dev.name}: one cut ({fired['direction']}, {fired['step']}) with "
                        f"{dev.sync.retries} retries left ended the sync: {report.error}"
                    )
        if fired["direction"] == "answer" and fired["step"] == "上传记录":
            self.edit_open_inspection(dev)  # the server may hold the op whose answer was lost
        if self.rng.random() < self.clean_after_fault:
            self._clean_sync(dev)
        return True

    def run(self, faults: int, progress_every: int = 50) -> CampaignResult:
        t0 = time.perf_counter()
        while self.result.fault_runs < faults:
            if self.idle_syncs > MAX_IDLE_SYNCS:
                self.result.problems.append(
                    f"no fault fired in {self.idle_syncs} syncs in a row: the relay does not cut"
                )
                break
            if self.fault_run():
                if self.result.fault_runs % self.damage_every == 0:
                    self.damaged_blob_sync()
                if self.result.fault_runs % progress_every == 0:
                    self.log(f"{self.result.fault_runs} fault runs, {self.result.syncs} syncs")
        for _round in range(2):  # push everything, then pull the others' edits
            for dev in self.devices:
                self._clean_sync(dev)
        self.result.seconds = time.perf_counter() - t0
        self.check()
        return self.result

    # -- the promises ----------------------------------------------------------------------------
    def check(self) -> None:
        problems = self.result.problems
        engine = make_engine(self.db_url)
        try:
            with Session(engine) as s:
                applied = {o.op_id: o for o in s.exec(select(AppliedOp))}
                records = {(r.entity, r.id): r for r in s.exec(select(Record))}
                blobs = {b.sha256: b for b in s.exec(select(Blob))}
                refs = list(s.exec(select(BlobRef)))
                units = {u.id: u for u in s.exec(select(Unit))}
            stored = {sha: read_blob(engine, self.workdir / "server-blobs", sha) for sha in blobs}
        finally:
            engine.dispose()
        done_ops: dict[str, str] = {}  # op_id → device
        wanted: dict[tuple[str, str], str] = {}  # (entity, id) → payload of its last op
        wanted_blobs: set[str] = set()
        for dev in self.devices:
            with dev.services.ctx.store.read() as s:
                rows = list(s.exec(select(Outbox).order_by(col(Outbox.seq))))
            states = Counter(row.state for row in rows)
            if set(states) - {"done"}:
                problems.append(f"{dev.name}: outbox not empty: {dict(states)}")
            for row in rows:
                done_ops[row.op_id] = dev.name
                if row.entity != "unit":
                    wanted[(row.entity, row.entity_id)] = row.payload
                wanted_blobs.update(json.loads(row.blob_refs or "[]"))
            report = verify(dev.services.ctx)
            if not report.ok:
                problems.append(f"{dev.name}: verify: {report.problems[:3]}")
        # each op applied exactly once, and only ops a device holds as done
        missing_ops = set(done_ops) - set(applied)
        extra_ops = set(applied) - set(done_ops)
        if missing_ops:
            problems.append(f"{len(missing_ops)} ops done on a device but unknown to the server")
        if extra_ops:
            problems.append(f"{len(extra_ops)} ops applied on the server that no device holds")
        bad = [o.op_id for o in applied.values() if o.status != "applied"]
        if bad:
            problems.append(f"{len(bad)} ops answered other than applied: {bad[:3]}")
        # records: none lost, none extra, each with its last content
        lost = set(wanted) - set(records)
        extra = set(records) - set(wanted)
        if lost:
            problems.append(f"{len(lost)} records lost, e.g. {sorted(lost)[:3]}")
        if extra:
            problems.append(
                f"{len(extra)} records on the server no device made: {sorted(extra)[:3]}"
            )
        stale = [
            key
            for key in set(wanted) & set(records)
            if records[key].data != json.loads(wanted[key])
        ]
        if stale:
            problems.append(f"{len(stale)} records without their last edit, e.g. {stale[:3]}")
        self.result.records = dict(Counter(entity for entity, _ in records))
        # blobs
        for sha, blob in blobs.items():
            data = stored[sha] or b""
            if hashlib.sha256(data).hexdigest() != sha or len(data) != blob.length:
                problems.append(f"server blob {sha[:12]} does not match its hash")
        if wanted_blobs - set(blobs):
            problems.append(f"{len(wanted_blobs - set(blobs))} blobs of records not on the server")
        if {r.sha256 for r in refs} - set(blobs):
            problems.append("a record on the server names a blob the server does not hold")
        self.result.blobs = len(blobs)
        self.result.blob_bytes = sum(b.length for b in blobs.values())
        # unit edits: the last one of each (field, unit) everywhere
        for (fld, unit_id), value in self.last_edit.items():
            if units[unit_id].data.get(fld) != value:
                problems.append(
                    f"unit {unit_id}: server {fld}={units[unit_id].data.get(fld)!r}, last edit {value!r}"
                )
        server_units = sorted(
            (u.id, u.version, *(u.data.get(f) for f in UNIT_FIELDS)) for u in units.values()
        )
        for dev in self.devices:
            with dev.services.ctx.store.read() as s:
                mine = sorted(
                    (u.id, u.version, *(getattr(u, f) for f in UNIT_FIELDS))
                    for u in s.exec(select(ClientUnit))
                )
            if mine != server_units:
                problems.append(f"{dev.name}: units differ from the server's")
        problems.extend(f"server log: {line}" for line in self.server.log_problems()[:5])
        log = self.server.log.read_text("utf-8", "replace")
        self.result.resumed = len(re.findall(r'"PATCH /sync/blobs/[0-9a-f]+ HTTP/1.1" 409', log))
