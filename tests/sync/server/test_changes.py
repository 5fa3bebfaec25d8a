"""Pull: pages by change number, each change once and in order, tombstones, 410 below the horizon,
and change numbers taken inside the writing transaction (concurrent writers leave no gap a reader
could skip)."""

from __future__ import annotations

import threading

from sqlmodel import Session, col, select

from inspector.domain.search_text import name_syllables
from sync.contract import UNIT_NAME_SYLLABLES
from sync.server import admin
from sync.server.db import Record, Unit
from tests.support.server_api import Api, inspection, op


def test_paging_returns_each_change_once_in_order(api: Api) -> None:
    boss = api.login("admin")
    everything = api.changes(boss, 0, 1000)
    assert not everything["more"]
    all_seqs = [c["seq"] for c in everything["changes"]]
    assert all_seqs == sorted(set(all_seqs))
    for limit in (1, 2, 3, 7):
        got: list[int] = []
        since, pages = 0, 0
        while True:
            page = api.changes(boss, since, limit)
            assert len(page["changes"]) <= limit
            got.extend(c["seq"] for c in page["changes"])
            assert page["next"] >= since
            since = page["next"]
            pages += 1
            if not page["more"]:
                break
        assert got == all_seqs, limit
        assert pages >= len(all_seqs) // limit
    # nothing new: an empty page at the same cursor
    page = api.changes(boss, since)
    assert page == {"changes": [], "next": since, "more": False}


def test_tombstones_and_gone_below_horizon(api: Api) -> None:
    w = api.world
    a = api.login("insp_a")
    cursor = api.changes(a)["next"]
    victim = w.units_a[0]
    assert admin.delete_unit(api.engine, victim)
    page = api.changes(a, cursor)
    [tomb] = [c for c in page["changes"] if c["id"] == victim]
    assert tomb["deleted"] is True and tomb["entity"] == "unit" and tomb["version"] == 2
    meta = api.c.get("/sync/meta", params={"counts": "true"}, headers=a).json()
    assert meta["counts"]["unit"] == 2
    # the tombstones are purged: a cursor from before them must start again
    horizon = admin.purge_tombstones(api.engine)
    assert horizon == tomb["seq"]
    assert api.c.get("/sync/meta", headers=a).json()["tombstone_horizon"] == horizon
    r = api.c.get(f"/sync/changes?since={cursor}", headers=a)
    assert r.status_code == 410
    assert r.json()["tombstone_horizon"] == horizon
    assert api.c.get(f"/sync/changes?since={horizon}", headers=a).status_code == 200
    assert api.c.get("/sync/changes?since=0", headers=a).status_code == 200  # a full re-pull


def test_concurrent_writers_never_leave_a_gap_for_a_reader(api: Api) -> None:
    """Writers patch units and push inspections from several threads while a reader pulls from its
    cursor; the reader must end with every unit at its final version, and every change number
    must be unique."""
    w = api.world
    boss = api.login("admin")
    devices = [(api.login("admin", f"dev-writer-{i}"), f"dev-writer-{i}") for i in range(4)]
    units = w.units_a + w.units_b
    errors: list[BaseException] = []
    done = threading.Event()
    seen: dict[str, int] = {}
    cursor = api.changes(boss)["next"]

    def writer(i: int) -> None:
        headers, device = devices[i]
        try:
            for n in range(8):
                unit_id = units[(i + n) % len(units)]
                value = f"w{i}-{n}"
                sets = {"address": value}
                with Session(api.engine) as s:
                    u = s.get(Unit, unit_id)
                    assert u is not None
                    base = {"address": u.data.get("address")}
                patch = op(
                    "unit",
                    unit_id,
                    {"set": sets, "base": base},
                    kind="patch",
                    base_version=u.version,
                )
                insp = inspection(unit_id)
                results = api.push(headers, device, [patch, op("inspection", insp["id"], insp)])
                assert results[1]["status"] == "applied"
                assert results[0]["status"] in ("applied", "conflict")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        nonlocal cursor
        try:
            while True:
                finished = done.is_set()
                page = api.changes(boss, cursor, 5)
                for c in page["changes"]:
                    if c["entity"] == "unit":
                        assert c["version"] > seen.get(c["id"], 0)
                        seen[c["id"]] = c["version"]
                cursor = page["next"]
                if finished and not page["more"]:
                    return
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    rt = threading.Thread(target=reader)
    rt.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    rt.join()
    assert not errors, errors
    with Session(api.engine) as s:
        final = {u.id: u.version for u in s.exec(select(Unit).where(col(Unit.id).in_(units)))}
        unit_seqs = [u.seq for u in s.exec(select(Unit))]
        record_seqs = [r.seq for r in s.exec(select(Record))]
    assert {k: seen.get(k) for k in final} == final
    all_seqs = unit_seqs + record_seqs
    assert len(all_seqs) == len(set(all_seqs))
    assert len(record_seqs) == 32


def test_pulled_units_carry_the_pinyin_of_their_current_name(api: Api) -> None:
    """Each pulled unit carries its name's syllables (sync.contract.UNIT_NAME_SYLLABLES), worked
    out by the server for every device; a renamed unit carries its new name's."""
    a = api.login("insp_a")
    uid = api.world.units_a[0]
    renamed = "重庆长安银行堃喆分理处"
    patch = {"set": {"name": renamed}, "base": {"name": "单位1"}}
    [result] = api.push(a, "dev-insp_a", [op("unit", uid, patch, kind="patch", base_version=1)])
    assert result["status"] == "applied", result
    with Session(api.engine) as s:  # a key no contract names, left by an older server
        other = s.get(Unit, api.world.units_a[1])
        assert other is not None
        other.data = {**other.data, "fax": "0792-1"}
        s.add(other)
        s.commit()
    pulled = {c["id"]: c["data"] for c in api.pull_all(a) if c["entity"] == "unit"}
    assert pulled[uid]["name"] == renamed
    assert pulled[uid][UNIT_NAME_SYLLABLES] == "chong qing chang an yin hang kun zhe fen li chu"
    for data in pulled.values():
        assert data[UNIT_NAME_SYLLABLES] == " ".join(name_syllables(data["name"]))
        assert "fax" not in data
