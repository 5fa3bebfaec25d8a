"""A device whose clock is wrong, for real: the client runs in its own process under libfaketime
(Debian's faketime: LD_PRELOAD with FAKETIME="-2d" or "+8h"), the real server process does not.
After one sync the client knows the offset; the documents it issues print the server's date (the
signing date, a "3 days" deadline counted from the server's today) with a note of the offset,
and the rows it stores, here and on the server, carry the offset."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from inspector.documents.layout import chinese_date
from inspector.domain.numbering import DOC_CODES
from inspector.store.blobs import BlobStore
from sync.server import admin
from sync.server.db import Agency, Record, make_engine, write_session
from tests.support.documents import flat_text
from tests.support.live_server import LiveServer
from tests.support.sync_world import PASSWORD, seed_world
from tests.support.wrong_clock_client import DEADLINE_DAYS

ROOT = Path(__file__).resolve().parents[2]
SETUP = ROOT / "tools" / "faketime_setup.sh"
SKIP = 77  # faketime_setup.sh: faketime cannot be installed on this machine
DEVICE = "dev-wrong-clock-0001"


@cache
def faketime_setup() -> tuple[int, str]:
    """Run tools/faketime_setup.sh once per test process: (exit status, path or what it said)."""
    done = subprocess.run(["bash", str(SETUP)], capture_output=True, text=True, timeout=600)
    said = done.stdout.strip() if done.returncode == 0 else done.stderr.strip()
    return done.returncode, said


@pytest.fixture
def libfaketime() -> str:
    status, said = faketime_setup()
    if status == SKIP:
        pytest.skip(f"faketime cannot be installed here: {said}")
    if status != 0:
        pytest.fail(f"tools/faketime_setup.sh failed with exit status {status}: {said}", False)
    return said


def _row(db: Path, sql: str, *args: Any) -> tuple[Any, ...]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        row = conn.execute(sql, args).fetchone()
    assert row is not None, sql
    return tuple(row)


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("faketime", "offset_s", "note"),
    [
        ("-2d", 2 * 86400, "本机时钟比服务器时间慢2天0小时"),
        ("+8h", -8 * 3600, "本机时钟比服务器时间快8小时0分"),
    ],
)
def test_a_wrong_device_clock_prints_the_servers_date_after_one_sync(
    tmp_path: Path, libfaketime: str, faketime: str, offset_s: int, note: str
) -> None:
    db_url = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    engine = make_engine(db_url)
    world = seed_world(engine, tmp_path)
    with write_session(engine) as s:  # an order tells the party where to appeal
        agency = s.get(Agency, world.agency)
        assert agency is not None
        agency.data = {
            **agency.data,
            "review_government": "柴桑区人民政府",
            "court": "柴桑区人民法院",
        }
        s.add(agency)
    year = date.today().year  # the server's (this test process's clock is not faked)
    for kind in ("site_record", "rectification_order"):
        admin.issue_blocks(
            engine,
            agency_id=world.agency,
            device_id=DEVICE,
            series=DOC_CODES[kind],
            year=year,
            count=20,
        )
    server = LiveServer(db_url, tmp_path / "server-blobs", tmp_path / "server.log")
    server.start()
    data_dir = tmp_path / "client"
    try:
        started = datetime.now(UTC)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.support.wrong_clock_client",
                str(data_dir),
                server.url,
                "zhang",
                PASSWORD,
                DEVICE,
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=600,
            env={
                **os.environ,
                "LD_PRELOAD": libfaketime,
                "FAKETIME": faketime,
                "QT_QPA_PLATFORM": "offscreen",
            },
        )
        ended = datetime.now(UTC)
    finally:
        server.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["second_sync_ok"], out["second_sync_error"]

    # the client's clock really was wrong, and one sync measured by how much
    device_now = _aware(out["device_now"])
    assert abs((device_now - ended).total_seconds() + offset_s) < 120, (device_now, ended)
    assert out["offset_s"] == pytest.approx(offset_s, abs=5)

    today = date.today()
    device_today = (today - timedelta(seconds=offset_s)) if abs(offset_s) >= 86400 else None
    blobs = BlobStore(data_dir / "blobs")
    order = flat_text(blobs.read(out["order_pdf"]))
    record = flat_text(blobs.read(out["record_pdf"]))
    # the signing date and the deadline are the server's; the device's own date is nowhere
    due = today + timedelta(days=DEADLINE_DAYS)
    assert chinese_date(today) in order and f"于{chinese_date(due)}前整改完毕" in order, order
    assert chinese_date(today) in record, record
    if device_today is not None:
        assert chinese_date(device_today) not in order + record
        assert chinese_date(device_today + timedelta(days=DEADLINE_DAYS)) not in order
    # the offset is noted on the paper
    for text in (order, record):
        assert note in text and "已按服务器时间校正" in text, text

    # the rows carry the offset, and their times are the server's
    db = data_dir / "inspector.sqlite3"
    for doc_id in (out["record_id"], out["order_id"]):
        off, issued = _row(
            db,
            "SELECT clock_offset_s, coalesce(issued_at, created_at) FROM document WHERE id = ?",
            doc_id,
        )
        assert off == pytest.approx(offset_s, abs=5)
        assert started - timedelta(minutes=1) <= _aware(issued) <= ended + timedelta(minutes=1)
    for table, key in (("inspection", out["inspection_id"]), ("hazard", out["hazard_id"])):
        (off,) = _row(db, f"SELECT clock_offset_s FROM {table} WHERE id = ?", key)
        assert off == pytest.approx(offset_s, abs=5), table
    (off,) = _row(
        db, "SELECT min(clock_offset_s) FROM hazardevent WHERE hazard_id = ?", out["hazard_id"]
    )
    assert off == pytest.approx(offset_s, abs=5)
    # the audit trail keeps the device's own time beside the offset
    device_time, off = _row(
        db,
        "SELECT device_time, clock_offset_s FROM auditevent WHERE entity_id = ?"
        " AND kind = 'document.issued'",
        out["order_id"],
    )
    assert abs((_aware(device_time) - ended).total_seconds() + offset_s) < 120
    assert off == pytest.approx(offset_s, abs=5)

    # the server received them so (its monthly figures place documents by these times)
    engine = make_engine(db_url)
    with Session(engine) as s:
        docs = {r.id: r.data for r in s.exec(select(Record).where(Record.entity == "document"))}
    engine.dispose()
    for doc_id in (out["record_id"], out["order_id"]):
        assert docs[doc_id]["clock_offset_s"] == pytest.approx(offset_s, abs=5)
        issued_at = _aware(docs[doc_id]["issued_at"] or docs[doc_id]["created_at"])
        assert started - timedelta(minutes=1) <= issued_at <= ended + timedelta(minutes=1)
