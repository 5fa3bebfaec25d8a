"""Steps a synced device takes: sign in and pull, record an inspection, edit a unit, add a photo."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from inspector.services.inspections.recording import HazardInput, StartInspection
from inspector.services.sync.apply import queue_unit_patch
from inspector.store.models import Unit
from sync.server import admin
from tests.support.photos import jpeg_bytes
from tests.support.sync_devices import BASE_URL, Device, Server
from tests.support.sync_world import FAST_HASHER, PASSWORD
from tests.support.writer import writes


def sign_in_and_pull(dev: Device, username: str) -> str:
    resp = dev.sync.sign_in(BASE_URL, username, PASSWORD)
    report = dev.sync.run()
    assert report.ok, report.error
    assert report.pulled.get("unit") == 5
    return resp.token


@writes
def open_inspection(dev: Device, unit_id: str, photo: Path) -> tuple[str, str, str]:
    """An inspection at the unit, not finished: one hazard due in a week, with `photo` on it.
    (inspection, hazard, photo)"""
    svc = dev.services
    people = [p.id for p in svc.inspections.people()][:2]
    checklist = svc.inspections.checklists()[0].id
    iid = svc.inspections.start(
        StartInspection(unit_id=unit_id, inspector_ids=people, checklist_ids=[checklist])
    ).value
    hid = svc.inspections.add_hazard(
        iid,
        HazardInput(
            description="配电箱箱门损坏，带电部位外露",
            deadline=dev.clock.today() + timedelta(days=7),
        ),
    ).value
    pid = svc.photos.add_file(iid, photo, watermark="现场检查", hazard_id=hid).value
    return iid, hid, pid


@writes
def record_inspection(dev: Device, unit_id: str, photo: Path) -> tuple[str, str, str]:
    """`open_inspection`, finished. (inspection, hazard, photo)"""
    iid, hid, pid = open_inspection(dev, unit_id, photo)
    dev.services.inspections.finish(iid, "检查发现一般隐患一项。")
    return iid, hid, pid


def record_at_first_unit(
    dev: Device, tmp_path: Path, photo: str, colour: tuple[int, int, int]
) -> tuple[str, str, str]:
    """`record_inspection` at the device's first unit, its photo a new JPEG of one colour."""
    return record_inspection(dev, first_unit(dev), write_photo(tmp_path, photo, colour))


@writes
def edit_phone(dev: Device, unit_id: str, phone: str) -> None:
    with dev.services.ctx.store.write() as s:
        queue_unit_patch(s, dev.clock, unit_id, {"contact_phone": phone})


def first_unit(dev: Device) -> str:
    with dev.services.ctx.store.read() as s:
        unit = s.exec(select(Unit).order_by(Unit.name)).first()
        assert unit is not None
        return unit.id


def write_photo(tmp_path: Path, name: str, colour: tuple[int, int, int]) -> Path:
    path = tmp_path / name
    path.write_bytes(jpeg_bytes(640, 480, colour=colour))
    return path


def online_device(make_device: Any, name: str) -> Device:
    dev: Device = make_device(name)
    dev.sync.sign_in(BASE_URL, "zhang", PASSWORD)
    report = dev.sync.run()
    assert report.ok, report.error
    return dev


def issue_blocks_to(
    server: Server, dev: Device, series: Iterable[str], years: Iterable[int], count: int
) -> None:
    """The server's admin issues the device a block of `count` numbers of each series, each year."""
    for year in years:
        for name in series:
            admin.issue_blocks(
                server.engine,
                agency_id=server.agency,
                device_id=dev.sync.device_id(),
                series=name,
                year=year,
                count=count,
            )


def add_grid_worker(server: Server, username: str = "grid1", name: str = "刘网格") -> str:
    """A grid worker of the world's 第一网格; the new user's id."""
    return admin.create_user(
        server.engine,
        username=username,
        password=PASSWORD,
        name=name,
        agency_id=server.agency,
        role="grid_worker",
        grids=["第一网格"],
        phone="13800000001",
        hasher=FAST_HASHER,
    )
