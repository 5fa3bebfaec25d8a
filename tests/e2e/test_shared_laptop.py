"""A township office's shared laptop: each person who signs in works in a store of their own, and
a shared store from before is split by author — against the real in-process server."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from inspector.services.audit.verify import verify
from inspector.services.desk import PeopleDesk
from inspector.services.facade import Services
from inspector.services.people.profiles import BEFORE_SPLIT, Profiles
from inspector.services.sync.engine import SyncService
from inspector.store.models import Inspection, NumberUse, Outbox, Unit
from sync.server import admin
from sync.server.db import Record
from tests.support.clock import FixedClock
from tests.support.documents import load_blocks
from tests.support.live_server import LiveServer
from tests.support.sync_devices import BASE_URL, Device, Server
from tests.support.sync_steps import (
    add_grid_worker,
    first_unit,
    record_at_first_unit,
    record_inspection,
    write_photo,
)
from tests.support.sync_world import FAST_HASHER, PASSWORD, code, import_unit_rows

OTHER_TOWN_UNITS = 2


@pytest.fixture
def people(server: Server, tmp_path: Path) -> dict[str, str]:
    """Besides the world's three inspectors of 沙河街道: a grid worker of its grid, and an
    inspector of another township (with units of its own)."""
    engine = server.engine
    other = admin.create_township(engine, server.agency, "新港镇", county="柴桑区")
    admin.create_grid(engine, other, "新港一网格")
    rows = [
        f"新港码头{n},{code(900 + n)},新港镇{n}号,新港镇,新港一网格,机械,钱七,0792-2{n}"
        for n in range(1, OTHER_TOWN_UNITS + 1)
    ]
    report = import_unit_rows(engine, server.agency, tmp_path / "other.csv", rows)
    assert report.imported == OTHER_TOWN_UNITS
    ids = dict(server.users)
    ids["grid"] = add_grid_worker(server, "grid", name="网格员孙")
    ids["far"] = admin.create_user(
        engine,
        username="far",
        password=PASSWORD,
        name="周八",
        agency_id=server.agency,
        townships=["新港镇"],
        cert_no="360402009999",
        hasher=FAST_HASHER,
    )
    return ids


def store_opener(factory: Any | None, opened: list[Services]) -> Callable[[Path], Services]:
    """Opens a person's store whose sync talks through `factory` (None: real HTTP)."""
    clock = FixedClock()

    def open_store(store_dir: Path) -> Services:
        svc = Services.open(store_dir, clock=clock)
        args = (factory,) if factory is not None else ()
        svc.sync = SyncService(svc.ctx, *args, retries=0, backoff_s=0)
        opened.append(svc)
        return svc

    return open_store


@pytest.fixture
def laptop(
    tmp_path: Path, server: Server
) -> Iterator[tuple[Profiles, PeopleDesk, Callable[[Path], Services]]]:
    opened: list[Services] = []
    open_store = store_opener(server.factory(), opened)
    profiles = Profiles(tmp_path / "laptop")
    yield profiles, PeopleDesk(profiles, open_store), open_store
    for svc in opened:
        svc.close()


def device(svc: Services) -> Device:
    assert isinstance(svc.ctx.clock, FixedClock)
    return Device(svc, svc.sync, svc.ctx.clock, svc.ctx.data_dir)


def inspections(svc: Services) -> set[str]:
    with svc.ctx.store.read() as s:
        return set(s.exec(select(Inspection.id)))


def units(svc: Services) -> int:
    with svc.ctx.store.read() as s:
        return len(s.exec(select(Unit.id)).all())


def pending(svc: Services) -> int:
    with svc.ctx.store.read() as s:
        return len(s.exec(select(Outbox.seq).where(Outbox.state == "pending")).all())


def server_records_by(server: Server, user_id: str) -> list[Record]:
    with Session(server.engine) as s:
        return list(s.exec(select(Record).where(Record.user_id == user_id)))


@pytest.fixture
def live_laptop(
    tmp_path: Path, server: Server, db_url: str, people: dict[str, str]
) -> Iterator[tuple[str, Profiles, PeopleDesk, Callable[[Path], Services]]]:
    """The same laptop against the real `inspector-server` process on a loopback port (the
    server's database seeded as for the in-process one), through the real HTTP client."""
    live = LiveServer(db_url, server.blob_dir, tmp_path / "server.log")
    live.start()
    opened: list[Services] = []
    open_store = store_opener(None, opened)
    profiles = Profiles(tmp_path / "live-laptop")
    try:
        yield live.url, profiles, PeopleDesk(profiles, open_store), open_store
    finally:
        for svc in opened:
            svc.close()
        live.stop()


def test_each_person_on_a_shared_laptop_sees_and_sends_only_their_own_work(
    server: Server, people: dict[str, str], laptop: tuple, tmp_path: Path
) -> None:
    shared_laptop_day(BASE_URL, server, people, *laptop, tmp_path)


def test_the_same_day_against_the_real_server_process(
    server: Server, people: dict[str, str], live_laptop: tuple, tmp_path: Path
) -> None:
    shared_laptop_day(*live_laptop[:1], server, people, *live_laptop[1:], tmp_path)


def shared_laptop_day(
    base_url: str,
    server: Server,
    people: dict[str, str],
    profiles: Profiles,
    desk: PeopleDesk,
    open_store: Callable[[Path], Services],
    tmp_path: Path,
) -> None:
    """zhang records offline and signs out; li, a grid worker and an inspector of another township
    sign in on the same laptop, see none of it and sync; zhang comes back and sends it all."""
    BASE_URL = base_url
    first = open_store(profiles.active_dir())
    a = desk.sign_in(first, BASE_URL, "zhang", PASSWORD)
    assert a is first  # the empty first store becomes zhang's
    report = a.sync.run()
    assert report.ok, report.error
    # offline: an inspection with a hazard and a photo, then zhang signs out without syncing
    iid, hid, pid = record_at_first_unit(device(a), tmp_path, "a.jpg", (200, 30, 30))
    a_work = pending(a)
    assert a_work >= 4
    a_dir = a.ctx.data_dir

    current = desk.sign_out(a)
    assert current.ctx.data_dir != a_dir and inspections(current) == set()
    for username, expected_units in (("li", 5), ("grid", 5), ("far", OTHER_TOWN_UNITS)):
        b = desk.sign_in(current, BASE_URL, username, PASSWORD)
        assert b.ctx.data_dir != a_dir
        # none of zhang's records can be listed, opened or sent from here
        assert inspections(b) == set() and pending(b) == 0
        report = b.sync.run()
        assert report.ok, (username, report.error)
        assert units(b) == expected_units, username  # their own units, pulled from the start
        assert server_records_by(server, people[username]) == []
        current = desk.sign_out(b)
    # nothing of zhang's reached the server under anyone's name
    with Session(server.engine) as s:
        assert s.exec(select(Record).where(Record.id.in_([iid, hid, pid]))).all() == []

    again = desk.sign_in(current, BASE_URL, "zhang", PASSWORD)
    assert again.ctx.data_dir == a_dir and pending(again) == a_work
    report = again.sync.run()
    assert report.ok and report.retry == 0, report.error
    mine = {(r.entity, r.id) for r in server_records_by(server, people["zhang"])}
    assert {("inspection", iid), ("hazard", hid), ("photo", pid)} <= mine
    assert pending(again) == 0


def test_a_shared_store_from_before_is_split_by_author(
    server: Server, people: dict[str, str], laptop: tuple, tmp_path: Path
) -> None:
    profiles, desk, open_store = laptop
    root = profiles.root
    # the old layout: one store right in the data folder, zhang then li signed in to it
    shared = Services.open(root, clock=FixedClock())
    shared.sync = SyncService(shared.ctx, server.factory(), retries=0, backoff_s=0)
    shared.sync.sign_in(BASE_URL, "zhang", PASSWORD)
    assert shared.sync.run().ok
    dev = device(shared)
    unit = first_unit(dev)
    load_blocks(shared, tmp_path, "检记", 1, 20)
    a_iid, _, _ = record_inspection(dev, unit, write_photo(tmp_path, "a.jpg", (10, 120, 10)))
    a_doc = shared.records.issue_site_record(a_iid).value
    shared.sync.sign_out()
    with shared.ctx.store.write() as s:  # what the old sign-in wrote for li into the same file
        from inspector.services.setting_rows import USERNAME, set_current_user, set_setting

        set_setting(s, USERNAME, "li")
        set_current_user(s, people["li"])
    b_iid, _, _ = record_inspection(dev, unit, write_photo(tmp_path, "b.jpg", (10, 10, 160)))
    b_doc = shared.records.issue_site_record(b_iid).value
    before = {i for i in inspections(shared)}
    shared.close()
    assert before == {a_iid, b_iid}

    # what a split that died half-way leaves behind is done again from the shared store
    (root / "people" / "half-copied").mkdir(parents=True)
    (root / "people.partial" / "half-written").mkdir(parents=True)
    store_dir = profiles.active_dir()  # the first start of the new version splits it
    assert not (root / "people" / "half-copied").exists()
    assert not (root / "people.partial").exists()
    assert (root / BEFORE_SPLIT / "inspector.sqlite3").is_file()  # kept, nothing deleted
    assert not (root / "inspector.sqlite3").exists()
    by_person = {p.user_id: profiles.dir_of(p) for p in profiles.people()}
    assert set(by_person) == {people["zhang"], people["li"]}
    assert store_dir == by_person[people["li"]]  # li signed in last: their store opens
    for who, mine, theirs, doc in (("zhang", a_iid, b_iid, a_doc), ("li", b_iid, a_iid, b_doc)):
        svc = open_store(by_person[people[who]])
        assert inspections(svc) == {mine}, who
        assert [d.id for d in svc.documents.register()] == [doc.document_id], who
        with svc.ctx.store.read() as s:  # both serials stay used on both: never handed out again
            assert len(s.exec(select(NumberUse.serial)).all()) == 2
        report = verify(svc.ctx)
        assert report.ok, (who, report.problems)
        with svc.ctx.store.read() as s:
            sent = {o.entity_id for o in s.exec(select(Outbox))}
        assert mine in sent and theirs not in sent
    with sqlite3.connect(by_person[people["zhang"]] / "inspector.sqlite3") as conn:
        device_ids = {
            v for (v,) in conn.execute("SELECT value FROM setting WHERE key = 'device_id'")
        }
    with sqlite3.connect(by_person[people["li"]] / "inspector.sqlite3") as conn:
        device_ids |= {
            v for (v,) in conn.execute("SELECT value FROM setting WHERE key = 'device_id'")
        }
    assert len(device_ids) == 2  # two devices to the server: number blocks can never be shared

    # zhang signs in again (known here by id only) and gets the split-off store
    current = open_store(store_dir)
    a = desk.sign_in(current, BASE_URL, "zhang", PASSWORD)
    assert a.ctx.data_dir == by_person[people["zhang"]]
    report = a.sync.run()
    assert report.ok and report.retry == 0, report.error
    theirs = {r.id for r in server_records_by(server, people["zhang"]) if r.entity == "inspection"}
    assert a_iid in theirs and b_iid not in theirs


def test_the_window_reopens_on_the_person_who_signs_in_and_on_nobody_after_sign_out(
    qtbot: Any, qapp: Any, server: Server, laptop: tuple, tmp_path: Path
) -> None:
    from PySide6.QtCore import Qt

    from inspector.ui.app import install_fonts
    from inspector.ui.main_window import MainWindow

    install_fonts(qapp)
    profiles, desk, open_store = laptop
    zhang = desk.sign_in(open_store(profiles.active_dir()), BASE_URL, "zhang", PASSWORD)
    assert zhang.sync.run().ok
    iid, _, _ = record_at_first_unit(device(zhang), tmp_path, "z.jpg", (90, 90, 9))
    w = MainWindow(zhang, desk=desk)
    qtbot.addWidget(w)
    w.start()
    w.show()
    qtbot.waitUntil(lambda: w.tasks.pending == 0, timeout=10_000)
    # 退出登录 with unsynced work: confirmed, the window gives way to the guest store
    page = w.sync_page
    page.sign_out()
    qtbot.waitUntil(lambda: w.next_services is not None, timeout=10_000)
    assert not w.isVisible()
    guest = w.next_services
    assert guest.ctx.data_dir == profiles.guest_dir() and inspections(guest) == set()
    assert inspections(zhang) == {iid}  # kept for zhang
    # li signs in from the guest window: the window gives way to li's own store
    w2 = MainWindow(guest, desk=desk)
    qtbot.addWidget(w2)
    w2.start()
    w2.show()
    qtbot.waitUntil(lambda: w2.tasks.pending == 0, timeout=10_000)

    def sign_in_through_the_dialog(w: MainWindow, username: str) -> None:
        qtbot.mouseClick(w.sync_page.sign_in_button, Qt.MouseButton.LeftButton)
        dialog = w.sync_page.sign_in_dialog
        assert dialog is not None
        dialog.server.setText(BASE_URL)
        dialog.username.setText(username)
        dialog.password.setText(PASSWORD)
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)

    # li signs in to the empty guest store shown: it becomes li's, the window stays
    sign_in_through_the_dialog(w2, "li")
    assert w2.next_services is None and guest.sync.signed_in_as() == "li"
    assert profiles.active() is not None and profiles.active().username == "li"
    # zhang signs in from li's window: the window gives way to zhang's own store, work and all
    sign_in_through_the_dialog(w2, "zhang")
    qtbot.waitUntil(lambda: w2.next_services is not None, timeout=10_000)
    assert not w2.isVisible()
    back = w2.next_services
    assert back.ctx.data_dir == zhang.ctx.data_dir and inspections(back) == {iid}
    assert inspections(guest) == set()  # li's store holds nothing of zhang's
