"""Jurisdiction: a user of township A neither reads nor writes township B's units, inspections or
blobs; number blocks come down only to the device they were leased to."""

from __future__ import annotations

import hashlib

from sync.contract import MANIFEST_HEADER, manifest
from sync.server import admin
from tests.support.server_api import Api, inspection, op


def _upload(api: Api, headers: dict[str, str], data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    r = api.c.patch(
        f"/sync/blobs/{sha}",
        content=data,
        headers={**headers, "Upload-Offset": "0", "Upload-Length": str(len(data))},
    )
    assert r.status_code == 204, r.text
    assert r.headers["X-Complete"] == "1"
    return sha


def test_changes_only_in_jurisdiction(api: Api) -> None:
    w = api.world
    a = api.login("insp_a")
    b = api.login("insp_b")
    g = api.login("grid_a")
    boss = api.login("admin")
    other = api.login("other")

    def units(h: dict[str, str]) -> set[str]:
        return {c["id"] for c in api.pull_all(h) if c["entity"] == "unit"}

    assert units(a) == set(w.units_a)
    assert units(b) == set(w.units_b)
    assert units(g) == {w.units_a[0]}  # the one unit in grid 第一网格
    assert units(boss) == set(w.units_a) | set(w.units_b)
    assert units(other) == {w.unit_other}
    # nothing of another agency leaks through the other pulled entities either
    for change in api.pull_all(a):
        assert change["entity"] != "agency" or change["id"] == w.agency
        assert change["entity"] != "user" or "password_hash" not in change["data"]
    assert not any(c["id"] == w.other_agency for c in api.pull_all(a))


def test_cannot_write_other_townships_units_or_records(api: Api) -> None:
    w = api.world
    a = api.login("insp_a")
    unit_b = w.units_b[0]
    insp = inspection(unit_b)
    patch = op(
        "unit",
        unit_b,
        {"set": {"contact_phone": "110"}, "base": {"contact_phone": "0792-0000000"}},
        kind="patch",
        base_version=1,
    )
    new_unit = op("unit", "new-unit-b", {"name": "新单位", "township_id": w.township_b})
    other_agency = op("inspection", "x-1", {**inspection(w.unit_other), "id": "x-1"})
    results = api.push(
        a, "dev-insp_a", [op("inspection", insp["id"], insp), patch, new_unit, other_agency]
    )
    assert [(r["status"], r["reason"]) for r in results] == [("rejected", "out_of_scope")] * 4
    # B's inspector pushes an inspection of B's unit; A cannot overwrite it or hang children on it
    b = api.login("insp_b")
    assert api.push(b, "dev-insp_b", [op("inspection", insp["id"], insp)])[0]["status"] == "applied"
    changed = {**insp, "summary": "A改的"}
    child = {"id": "ir-1", "inspection_id": insp["id"], "item_id": "x", "result": "fail"}
    res = api.push(
        a, "dev-insp_a", [op("inspection", insp["id"], changed), op("item_result", "ir-1", child)]
    )
    assert [(r["status"], r["reason"]) for r in res] == [("rejected", "out_of_scope")] * 2
    # and a grid worker issues no enforcement documents
    gw = api.login("grid_a")
    doc = {"id": "d-1", "unit_id": w.units_a[0], "kind": "责令限期整改指令书", "title": "t"}
    res = api.push(gw, "dev-grid_a", [op("document", "d-1", doc)])
    assert (res[0]["status"], res[0]["reason"]) == ("rejected", "forbidden")


def test_cannot_see_other_townships_blobs(api: Api) -> None:
    w = api.world
    a = api.login("insp_a")
    b = api.login("insp_b")
    b2 = api.login("insp_b", "dev-insp_b-2")
    secret = b"township B photo " * 1000
    sha = _upload(api, b, secret)
    insp = inspection(w.units_b[0])
    photo = {"id": "ph-1", "inspection_id": insp["id"], "original_sha256": sha}
    res = api.push(
        b, "dev-insp_b", [op("inspection", insp["id"], insp), op("photo", "ph-1", photo)]
    )
    assert [r["status"] for r in res] == ["applied", "applied"]
    # A: not told it exists, cannot read it, cannot resume B's upload
    assert api.c.post("/sync/blobs/check", json={"sha256": [sha]}, headers=a).json() == {
        "missing": [sha],
        "partial": {},
    }
    assert api.c.head(f"/sync/blobs/{sha}", headers=a).status_code == 404
    assert api.c.get(f"/sync/blobs/{sha}", headers=a).status_code == 404
    # nor reference it from a record of its own without uploading the bytes
    insp_a = inspection(w.units_a[0])
    ph = {"id": "ph-a", "inspection_id": insp_a["id"], "original_sha256": sha}
    res = api.push(
        a, "dev-insp_a", [op("inspection", insp_a["id"], insp_a), op("photo", "ph-a", ph)]
    )
    assert [(r["status"], r["reason"]) for r in res] == [
        ("applied", None),
        ("retry", "missing_blobs"),
    ]
    # B (any device) sees it through the record in its jurisdiction; the bytes come back intact
    assert api.c.post("/sync/blobs/check", json={"sha256": [sha]}, headers=b2).json() == {
        "missing": [],
        "partial": {},
    }
    assert api.c.get(f"/sync/blobs/{sha}", headers=b2).content == secret
    # A holding the same bytes uploads them (proof of possession, here in a batch of small
    # blobs), then may refer to them
    r = api.c.post(
        "/sync/blobs",
        content=secret,
        headers={**a, MANIFEST_HEADER: manifest([(sha, len(secret))])},
    )
    assert r.json() == {"stored": [sha], "refused": {}}
    res = api.push(a, "dev-insp_a", [op("photo", "ph-a", ph)])
    assert res[0]["status"] == "applied"


def test_number_blocks_only_for_the_leasing_device(api: Api) -> None:
    w = api.world
    [mine] = admin.issue_blocks(
        api.engine, agency_id=w.agency, device_id="dev-insp_a", series="责改", year=2026, count=50
    )
    admin.issue_blocks(
        api.engine, agency_id=w.agency, device_id="dev-insp_b", series="责改", year=2026, count=50
    )
    a = api.login("insp_a", "dev-insp_a")
    blocks = [c for c in api.pull_all(a) if c["entity"] == "numberblock"]
    assert [b["id"] for b in blocks] == [mine.id]
    assert (blocks[0]["data"]["first"], blocks[0]["data"]["last"]) == (1, 50)
    # the same user on another device gets none of them
    a2 = api.login("insp_a", "dev-insp_a-laptop")
    assert not [c for c in api.pull_all(a2) if c["entity"] == "numberblock"]
