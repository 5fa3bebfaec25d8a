"""文号 from number blocks: loading, issuing, exhaustion, several offline devices, a killed issue."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from inspector.documents.raster import page_texts
from inspector.domain.errors import UserError
from inspector.services.audit.verify import verify
from inspector.services.facade import Services
from inspector.store.models import Document, NumberBlock, NumberUse
from tests.support.demo_seed import seeded
from tests.support.inspections import start
from tests.support.number_blocks import agency_id, block, block_file, set_agency

__all__ = ["seeded"]  # fixtures used here

ROOT = Path(__file__).resolve().parents[3]


def finished_inspection(services: Services) -> str:
    iid = start(services)
    services.inspections.finish(iid, "检查未发现问题。")
    return iid


def test_loading_blocks_and_refusing_bad_ones(services: Services, tmp_path: Path) -> None:
    n = services.numbering.load_block_file(block_file(tmp_path, block(services, 1, 50))).value
    assert n == 1
    again = services.numbering.load_block_file(block_file(tmp_path, block(services, 1, 50))).value
    assert again == 0  # the same block twice is harmless
    with pytest.raises(UserError, match="重叠"):
        services.numbering.load_block_file(block_file(tmp_path, block(services, 40, 60)))
    with pytest.raises(UserError, match="内容不同"):
        services.numbering.load_block_file(
            block_file(tmp_path, block(services, 1, 60, block_id="b-检记-1-50"))
        )
    bad = block(services, 100, 110)
    bad["agency_id"] = "someone-else"
    with pytest.raises(UserError, match="执法机关"):
        services.numbering.load_block_file(block_file(tmp_path, bad))
    with pytest.raises(UserError, match="起止号"):
        services.numbering.load_block_file(block_file(tmp_path, block(services, 9, 3)))
    with pytest.raises(UserError, match="代字"):
        services.numbering.load_block_file(block_file(tmp_path, block(services, 1, 3, series="X")))
    with pytest.raises(UserError, match="找不到号段文件"):
        services.numbering.load_block_file(tmp_path / "missing.json")
    # a file with one bad block loads nothing at all
    with pytest.raises(UserError):
        services.numbering.load_block_file(
            block_file(tmp_path, block(services, 200, 210), block(services, 5, 6))
        )
    year = services.ctx.clock.today().year
    assert services.numbering.state(agency_id(services), "检记", year).blocks == [(1, 50, 1)]


def test_issue_gives_the_next_number_and_freezes_the_record(
    services: Services, tmp_path: Path
) -> None:
    services.numbering.load_block_file(block_file(tmp_path, block(services, 31, 40)))
    iid = finished_inspection(services)
    rec = services.records.issue_site_record(iid).value
    year = services.ctx.clock.today().year
    assert rec.number == f"（岚）应急检记\u3014{year}\u301531号"
    text = "".join(page_texts(services.records.pdf(rec.pdf_sha256)))
    assert f"应急检记〔{year}〕31号" in text
    with pytest.raises(UserError, match="已签发"):
        services.records.issue_site_record(iid)
    second = services.records.issue_site_record(finished_inspection(services)).value
    assert second.number.endswith("32号")
    assert verify(services.ctx).ok


def test_exhausted_block_refuses_and_changes_nothing(services: Services, tmp_path: Path) -> None:
    services.numbering.load_block_file(block_file(tmp_path, block(services, 1, 7)))
    warnings = [
        services.records.issue_site_record(finished_inspection(services)).value.low_warning
        for _ in range(7)
    ]
    assert warnings[0] is None and warnings[1] is not None and "只剩 5 个" in warnings[1]
    last = finished_inspection(services)
    with pytest.raises(UserError, match="不会自行编号"):
        services.records.issue_site_record(last)
    with services.ctx.store.read() as s:
        assert s.exec(select(Document).where(Document.inspection_id == last)).all() == []
        assert len(s.exec(select(NumberUse)).all()) == 7


def test_per_case_numbering_shares_one_serial(services: Services, tmp_path: Path) -> None:

    set_agency(services, numbers_per_case=True)
    services.numbering.load_block_file(block_file(tmp_path, block(services, 5, 9, series="案")))
    rec = services.records.issue_site_record(finished_inspection(services)).value
    assert rec.number.endswith("5号") and "检记" in rec.number


# -- several devices, offline, sharing an agency's blocks ----------------------------------------


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sizes=st.lists(st.lists(st.integers(1, 4), min_size=1, max_size=3), min_size=2, max_size=4),
    order=st.lists(st.integers(0, 3), min_size=5, max_size=40),
)
def test_offline_devices_never_share_or_invent_a_number(
    seeded: Path,
    tmp_path_factory: pytest.TempPathFactory,
    sizes: list[list[int]],
    order: list[int],
) -> None:
    work = tmp_path_factory.mktemp("devices")
    devices: list[Services] = []
    allowed: list[set[int]] = []
    serial = 1
    for d, block_sizes in enumerate(sizes):  # the "server" deals disjoint blocks to each device
        shutil.copytree(seeded, work / f"dev{d}")
        svc = Services.open(work / f"dev{d}")
        mine: set[int] = set()
        blocks = []
        for size in block_sizes:
            blocks.append(block(svc, serial, serial + size - 1, block_id=f"d{d}-{serial}"))
            mine.update(range(serial, serial + size))
            serial += size + random.Random(serial).randint(0, 2)  # gaps, like a real server's
        svc.numbering.load_block_file(block_file(work, *blocks))
        devices.append(svc)
        allowed.append(mine)
    issued: list[tuple[int, int]] = []
    try:
        for pick in order:
            d = pick % len(devices)
            svc = devices[d]
            iid = finished_inspection(svc)
            try:
                rec = svc.records.issue_site_record(iid).value
            except UserError:
                assert len([n for dd, n in issued if dd == d]) == len(allowed[d])  # truly used up
                continue
            issued.append((d, int(rec.number.split("\u3015")[1].rstrip("号"))))
        numbers = [n for _, n in issued]
        assert len(numbers) == len(set(numbers))  # never a duplicate across devices
        for d, n in issued:
            assert n in allowed[d]  # never outside the device's own blocks
        for svc in devices:
            assert verify(svc.ctx).ok
    finally:
        for svc in devices:
            svc.close()


# -- a laptop that dies in the middle of issuing ---------------------------------------------------

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from inspector.services.facade import Services
    from inspector.services.inspections.recording import StartInspection

    services = Services.open(Path(sys.argv[1]))
    people = [p.id for p in services.inspections.people() if p.role == "inspector"][:2]
    units = services.units.search("", limit=30)
    cl = services.inspections.checklists()[0].id
    for unit in units:
        iid = services.inspections.start(StartInspection(unit.id, people, [cl])).value
        services.inspections.finish(iid)
        rec = services.records.issue_site_record(iid).value
        print(rec.number, flush=True)
    """
)


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_sigkill_mid_issue_loses_and_duplicates_no_number(seeded: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(seeded, data)
    svc = Services.open(data)
    svc.numbering.load_block_file(block_file(tmp_path, block(svc, 101, 200)))
    svc.close()
    for attempt in range(3):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data)], stdout=subprocess.PIPE, text=True, cwd=ROOT
        )
        assert child.stdout is not None
        for _ in range(2 + attempt * 3):  # let it issue a few, then kill it mid-way
            child.stdout.readline()
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)

    svc = Services.open(data)
    try:
        with svc.ctx.store.read() as s:
            uses = sorted(u.serial for u in s.exec(select(NumberUse)))
            docs = list(s.exec(select(Document).where(Document.status == "issued")))
            [blk] = list(s.exec(select(NumberBlock)))
            assert all(u.document_id for u in s.exec(select(NumberUse)))  # no number taken alone
        assert uses == list(range(101, 101 + len(uses)))  # contiguous: nothing lost, nothing twice
        assert len(docs) == len(uses) and blk.next == 101 + len(uses)
        assert sorted(int(d.number.split("\u3015")[1].rstrip("号")) for d in docs) == uses  # type: ignore[union-attr]
        report = verify(svc.ctx)
        assert report.ok, report.problems
    finally:
        svc.close()
