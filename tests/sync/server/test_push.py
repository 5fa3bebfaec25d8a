"""Push: at most once per op_id, blobs first (resumable, hash-verified), unit edits merged field by
field against the base, a patch to a deleted unit rejected."""

from __future__ import annotations

import hashlib
import os

from sqlmodel import Session, select

from sync.contract import MANIFEST_HEADER, MAX_BATCH_BYTES, MAX_CHUNK, manifest
from sync.server import admin
from sync.server.blobs import digest, split_body
from sync.server.db import AppliedOp, Blob, Conflict, Record, Unit
from tests.support.server_api import Api, inspection, op
from tests.support.server_world import code


def test_same_op_twice_is_a_duplicate_and_reused_key_is_rejected(api: Api) -> None:
    h = api.login("insp_a")
    insp = inspection(api.world.units_a[0])
    first = op("inspection", insp["id"], insp)
    [r1] = api.push(h, "dev-insp_a", [first])
    assert (r1["status"], r1["version"]) == ("applied", 1)
    [r2] = api.push(h, "dev-insp_a", [first])  # the reply was lost: the client sends it again
    assert (r2["status"], r2["reason"], r2["version"]) == ("duplicate", "applied", 1)
    changed = {**insp, "summary": "另一份内容"}
    reused = op("inspection", insp["id"], changed, op_id=first["op_id"])
    [r3] = api.push(h, "dev-insp_a", [reused])
    assert (r3["status"], r3["reason"]) == ("rejected", "idempotency_key_reused")
    # the same op_id replayed by another device gets nothing of the stored result
    other = api.login("insp_a2")
    [r4] = api.push(other, "dev-insp_a2", [first])
    assert (r4["status"], r4["reason"]) == ("rejected", "idempotency_key_reused")
    with Session(api.engine) as s:
        rec = s.get(Record, ("inspection", insp["id"]))
        assert rec is not None and rec.version == 1 and rec.data == insp
        assert len(s.exec(select(AppliedOp)).all()) == 1
    # a later snapshot is a new op: version 2
    [r5] = api.push(h, "dev-insp_a", [op("inspection", insp["id"], changed)])
    assert (r5["status"], r5["version"]) == ("applied", 2)


def _patch(api: Api, h: dict[str, str], sha: str, data: bytes, offset: int, length: int):  # type: ignore[no-untyped-def]
    return api.c.patch(
        f"/sync/blobs/{sha}",
        content=data,
        headers={**h, "Upload-Offset": str(offset), "Upload-Length": str(length)},
    )


def test_missing_blob_then_resumable_upload_then_applied(api: Api, tmp_path) -> None:  # type: ignore[no-untyped-def]
    h = api.login("insp_a")
    photo_bytes = os.urandom(MAX_CHUNK * 2 + 12345)  # three chunks
    sha = hashlib.sha256(photo_bytes).hexdigest()
    n = len(photo_bytes)
    insp = inspection(api.world.units_a[0])
    photo = {
        "id": "photo-1",
        "inspection_id": insp["id"],
        "original_sha256": sha,
        "display_sha256": sha,
        "thumb_sha256": None,
    }
    photo_op = op("photo", "photo-1", photo, blob_refs=[sha])
    res = api.push(h, "dev-insp_a", [op("inspection", insp["id"], insp), photo_op])
    assert [(r["status"], r["reason"]) for r in res] == [
        ("applied", None),
        ("retry", "missing_blobs"),
    ]
    assert api.c.post("/sync/blobs/check", json={"sha256": [sha]}, headers=h).json()["missing"] == [
        sha
    ]
    assert api.c.head(f"/sync/blobs/{sha}", headers=h).status_code == 404  # not started

    chunks = [photo_bytes[i : i + MAX_CHUNK] for i in range(0, n, MAX_CHUNK)]
    r = _patch(api, h, sha, chunks[0], 0, n)
    assert r.status_code == 204 and r.headers["Upload-Offset"] == str(MAX_CHUNK)
    # a wrong offset: 409 with the right one
    r = _patch(api, h, sha, chunks[2], 2 * MAX_CHUNK, n)
    assert r.status_code == 409 and r.headers["Upload-Offset"] == str(MAX_CHUNK)
    # the client lost track (a dropped connection): HEAD gives the offset, the upload resumes
    r = api.c.head(f"/sync/blobs/{sha}", headers=h)
    assert r.status_code == 200
    assert (r.headers["Upload-Offset"], r.headers["Upload-Length"]) == (str(MAX_CHUNK), str(n))
    assert "X-Complete" not in r.headers
    assert _patch(api, h, sha, chunks[1], MAX_CHUNK, n).status_code == 204
    r = _patch(api, h, sha, chunks[2], 2 * MAX_CHUNK, n)
    assert r.status_code == 204 and r.headers["X-Complete"] == "1"
    r = api.c.head(f"/sync/blobs/{sha}", headers=h)
    assert r.headers["X-Complete"] == "1" and r.headers["Upload-Offset"] == str(n)
    # stored under its hash, byte for byte
    store = api.c.app.state.blobs  # type: ignore[attr-defined]
    assert hashlib.sha256(store.read(sha)).hexdigest() == sha
    assert store.path(sha).is_file()  # sent in pieces: a file of its own
    assert not list((store.root / "partial").rglob(sha))
    # the op now goes through, once
    [r1] = api.push(h, "dev-insp_a", [photo_op])
    assert r1["status"] == "applied"
    [r2] = api.push(h, "dev-insp_a", [photo_op])
    assert r2["status"] == "duplicate"
    # uploading a stored blob again is a no-op
    r = _patch(api, h, sha, chunks[0], 0, n)
    assert r.status_code == 409 and r.headers["Upload-Offset"] == str(n)


def test_corrupted_upload_is_dropped(api: Api) -> None:
    h = api.login("insp_a")
    good = os.urandom(MAX_CHUNK + 100)
    sha = hashlib.sha256(good).hexdigest()
    bad = good[:MAX_CHUNK] + b"\x00" * 100  # the last chunk was damaged on the way
    assert _patch(api, h, sha, bad[:MAX_CHUNK], 0, len(good)).status_code == 204
    r = _patch(api, h, sha, bad[MAX_CHUNK:], MAX_CHUNK, len(good))
    assert r.status_code == 422 and r.json()["detail"] == "hash_mismatch"
    assert api.c.head(f"/sync/blobs/{sha}", headers=h).status_code == 404  # partial dropped
    with Session(api.engine) as s:
        assert s.get(Blob, sha) is None
    # a clean retry from 0 succeeds
    assert _patch(api, h, sha, good[:MAX_CHUNK], 0, len(good)).status_code == 204
    r = _patch(api, h, sha, good[MAX_CHUNK:], MAX_CHUNK, len(good))
    assert r.status_code == 204 and r.headers["X-Complete"] == "1"
    # a chunk past the declared length and a changed length are refused
    other = hashlib.sha256(b"abc").hexdigest()
    assert _patch(api, h, other, b"abcd", 0, 3).status_code == 400
    assert _patch(api, h, other, b"a", 0, 3).status_code == 204
    assert _patch(api, h, other, b"bc", 1, 4).status_code == 409


def _batch(api: Api, h: dict[str, str], blobs: list[tuple[str, bytes]]):  # type: ignore[no-untyped-def]
    return api.c.post(
        "/sync/blobs",
        content=b"".join(body for _, body in blobs),
        headers={**h, MANIFEST_HEADER: manifest([(sha, len(body)) for sha, body in blobs])},
    )


def test_small_blobs_go_in_one_request_each_verified_on_its_own(api: Api) -> None:
    h = api.login("insp_a")
    bodies = [os.urandom(n) for n in (1, 5000, MAX_CHUNK)]
    blobs = [(hashlib.sha256(b).hexdigest(), b) for b in bodies]
    damaged = bytearray(os.urandom(300))
    bad_sha = hashlib.sha256(bytes(damaged)).hexdigest()
    damaged[7] ^= 0xFF  # a bit flipped on the way
    r = _batch(api, h, [blobs[0], (bad_sha, bytes(damaged)), *blobs[1:]])
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["stored"] == [sha for sha, _ in blobs]
    assert answer["refused"] == {bad_sha: "hash_mismatch"}
    store = api.c.app.state.blobs  # type: ignore[attr-defined]
    for sha, body in blobs:
        assert store.read(sha) == body
    assert store.read(bad_sha) is None
    assert len(list((store.root / "packs").rglob("*.pack"))) == 1  # one file for the batch
    assert not any(store.incoming.iterdir())  # no temporary file left
    check = api.c.post(
        "/sync/blobs/check", json={"sha256": [sha for sha, _ in blobs] + [bad_sha]}, headers=h
    ).json()
    assert check == {"missing": [bad_sha], "partial": {}}
    # the answer was lost and the batch comes again: stored once, still fine
    again = _batch(api, h, blobs)
    assert again.json() == {"stored": [sha for sha, _ in blobs], "refused": {}}
    with Session(api.engine) as s:
        assert len(s.exec(select(Blob)).all()) == 3
    packs = sorted((store.root / "packs").rglob("*.pack"))
    assert len(packs) == 1  # nothing written again
    # a batch of one stored and one new blob writes only the new one, in a pack of its own
    fresh = os.urandom(777)
    fresh_sha = hashlib.sha256(fresh).hexdigest()
    r = _batch(api, h, [blobs[1], (fresh_sha, fresh)])
    assert r.json() == {"stored": [blobs[1][0], fresh_sha], "refused": {}}
    new_pack = set((store.root / "packs").rglob("*.pack")) - set(packs)
    assert [p.stat().st_size for p in new_pack] == [777]
    # each blob comes back whole from inside its pack
    for sha, body in [*blobs, (fresh_sha, fresh)]:
        got = api.c.get(f"/sync/blobs/{sha}", headers=h)
        assert got.status_code == 200 and got.content == body
    # a record that refers to them goes through
    insp = inspection(api.world.units_a[0])
    photo = {"id": "p-b", "inspection_id": insp["id"], "original_sha256": blobs[1][0]}
    res = api.push(
        h,
        "dev-insp_a",
        [op("inspection", insp["id"], insp), op("photo", "p-b", photo, blob_refs=[blobs[2][0]])],
    )
    assert [r["status"] for r in res] == ["applied", "applied"]


def test_a_batch_that_breaks_the_rules_is_refused_whole(api: Api) -> None:
    h = api.login("insp_a")
    body = b"abc"
    sha = hashlib.sha256(body).hexdigest()
    cases = [
        ({MANIFEST_HEADER: f"{sha}:4"}, body, 400),  # lengths do not add up
        ({MANIFEST_HEADER: f"{sha}:3,{sha}:3"}, body * 2, 400),  # the same blob twice
        ({MANIFEST_HEADER: f"{sha[:-1]}:3"}, body, 400),  # not a sha
        ({MANIFEST_HEADER: f"{sha}:0"}, b"", 400),
        ({MANIFEST_HEADER: f"{sha}:{MAX_CHUNK + 1}"}, b"x" * (MAX_CHUNK + 1), 400),  # use PATCH
        ({}, body, 422),  # no manifest
        ({MANIFEST_HEADER: f"{sha}:3"}, b"x" * (MAX_BATCH_BYTES + 1), 413),
    ]
    for headers, content, status in cases:
        r = api.c.post("/sync/blobs", content=content, headers={**h, **headers})
        assert r.status_code == status, (headers, r.text)
    with Session(api.engine) as s:
        assert s.exec(select(Blob)).all() == []


UNIT_BASE = {"contact_phone": "0792-0000000", "contact_name": "王五", "legal_rep": "赵六"}


def _unit_patch(unit_id: str, sets: dict, base_version: int = 1) -> dict:  # type: ignore[type-arg]
    return op(
        "unit",
        unit_id,
        {"set": sets, "base": {k: UNIT_BASE[k] for k in sets}},
        kind="patch",
        base_version=base_version,
    )


def test_unit_patches_merge_field_by_field(api: Api) -> None:
    unit_id = api.world.units_a[1]
    a = api.login("insp_a")
    a2 = api.login("insp_a2")
    # two devices edited different fields offline, from the same base version: both apply
    [r1] = api.push(a, "dev-insp_a", [_unit_patch(unit_id, {"contact_phone": "13800000001"})])
    [r2] = api.push(a2, "dev-insp_a2", [_unit_patch(unit_id, {"contact_name": "李四"})])
    assert (r1["status"], r1["version"]) == ("applied", 2)
    assert (r2["status"], r2["version"]) == ("applied", 3)
    assert r2["row"]["contact_phone"] == "13800000001" and r2["row"]["contact_name"] == "李四"
    # the same field changed on both: the server value stays, the device value is recorded
    conflicting = _unit_patch(unit_id, {"contact_phone": "13999999999", "legal_rep": "钱七"})
    [r3] = api.push(a2, "dev-insp_a2", [conflicting])
    assert r3["status"] == "conflict"
    assert r3["reason"] == "field_conflict:contact_phone"
    assert r3["row"]["contact_phone"] == "13800000001"  # server value kept
    assert r3["row"]["legal_rep"] == "钱七"  # the non-conflicting field still applied
    assert r3["version"] == 4
    # a device re-sending the value the server already has is a no-op, not a conflict
    [r4] = api.push(a, "dev-insp_a", [_unit_patch(unit_id, {"contact_phone": "13800000001"})])
    assert (r4["status"], r4["version"]) == ("applied", 4)
    with Session(api.engine) as s:
        unit = s.get(Unit, unit_id)
        assert unit is not None and unit.version == 4
        assert unit.data["contact_phone"] == "13800000001"
        [c] = s.exec(select(Conflict)).all()
        assert (c.entity_id, c.field, c.op_id) == (unit_id, "contact_phone", conflicting["op_id"])
        assert (c.base_value, c.server_value, c.device_value) == (
            "0792-0000000",
            "13800000001",
            "13999999999",
        )
        assert c.device_id == "dev-insp_a2" and c.server_version == 4
    # a repeat of the conflicting op is a duplicate carrying the first answer
    [r5] = api.push(a2, "dev-insp_a2", [conflicting])
    assert r5["status"] == "duplicate" and r5["reason"].startswith("conflict:")
    # the pull shows the merged unit once, at its latest version
    pulled = [c for c in api.pull_all(a) if c["id"] == unit_id]
    assert len(pulled) == 1 and pulled[0]["version"] == 4


def test_patch_to_deleted_unit_is_rejected_but_records_accepted(api: Api) -> None:
    unit_id = api.world.units_a[2]
    a = api.login("insp_a")
    insp = inspection(unit_id)
    assert admin.delete_unit(api.engine, unit_id)
    res = api.push(
        a,
        "dev-insp_a",
        [_unit_patch(unit_id, {"contact_phone": "1"}), op("inspection", insp["id"], insp)],
    )
    assert [(r["status"], r["reason"]) for r in res] == [("rejected", "deleted"), ("applied", None)]


def test_device_created_unit(api: Api) -> None:
    w = api.world
    a = api.login("insp_a")
    payload = {
        "id": "unit-new-1",
        "name": "新开的五金店",
        "township_id": w.township_a,
        "credit_code": " " + code(500).lower() + " ",  # normalised by the server
        "sn": 12,
        "search_name": "x",
    }
    [r] = api.push(a, "dev-insp_a", [op("unit", "unit-new-1", payload)])
    assert r["status"] == "applied" and r["row"]["name"] == "新开的五金店"
    assert "sn" not in r["row"] and "search_name" not in r["row"]
    assert r["row"]["credit_code"] == code(500)
    dup = {"id": "unit-new-2", "name": "重复", "township_id": w.township_a, "credit_code": code(1)}
    [d] = api.push(a, "dev-insp_a", [op("unit", "unit-new-2", dup)])
    assert (d["status"], d["reason"]) == ("rejected", "duplicate_credit_code")
    [again] = api.push(a, "dev-insp_a", [op("unit", "unit-new-1", {**payload, "name": "改名"})])
    assert (again["status"], again["reason"]) == ("rejected", "exists")
    b = api.login("insp_b")
    assert "unit-new-1" not in {c["id"] for c in api.pull_all(b)}


def test_an_op_rolled_back_takes_its_new_record_with_it(api: Api, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The database refuses something of an op after its record was written: the request is
    applied again op by op, the record goes with the op's savepoint, and a record hanging under it
    in the same request waits for it."""
    from sqlalchemy.exc import IntegrityError

    from sync.server import push

    real = push._upsert_record

    def refused_after_writing(s, look, caller, o, *gather):  # type: ignore[no-untyped-def]
        answer = real(s, look, caller, o, *gather)
        if o.entity == "inspection":
            raise IntegrityError("INSERT …", {}, Exception("refused"))
        return answer

    monkeypatch.setattr(push, "_upsert_record", refused_after_writing)
    h = api.login("insp_a")
    insp = inspection(api.world.units_a[0])
    hazard = {"id": "hz-1", "inspection_id": insp["id"], "description": "消防通道堵塞"}
    item = {"id": "it-1", "inspection_id": insp["id"], "item_id": "x", "result": "ok"}
    res = api.push(
        h,
        "dev-insp_a",
        [op("inspection", insp["id"], insp), op("item_result", "it-1", item)],
    )
    assert [(r["status"], r["reason"]) for r in res] == [
        ("rejected", "constraint"),
        ("retry", "missing_parent"),
    ]
    with Session(api.engine) as s:
        assert s.exec(select(Record)).all() == []
    # accepted once the database takes it: parent and child in one request
    monkeypatch.setattr(push, "_upsert_record", real)
    res = api.push(
        h,
        "dev-insp_a",
        [
            op("inspection", insp["id"], insp),
            op("item_result", "it-1", item),
            op("hazard", "hz-1", {**hazard, "unit_id": insp["unit_id"]}),
        ],
    )
    assert [r["status"] for r in res] == ["applied", "applied", "applied"]
    with Session(api.engine) as s:
        rows = {(r.entity, r.id): r.unit_id for r in s.exec(select(Record))}
    assert rows == {
        ("inspection", insp["id"]): insp["unit_id"],
        ("item_result", "it-1"): insp["unit_id"],
        ("hazard", "hz-1"): insp["unit_id"],
    }


def test_one_request_creates_edits_and_repeats_records_in_order(api: Api) -> None:
    """New records are written together at the end of the request, yet an op that repeats,
    edits or hangs under one of them earlier in the same request sees it."""
    h = api.login("insp_a")
    insp = inspection(api.world.units_a[0])
    first = op("inspection", insp["id"], insp)
    edited = {**insp, "status": "finished", "summary": "检查完毕，发现一般隐患一项。"}
    item = {"id": "it-2", "inspection_id": insp["id"], "item_id": "x", "result": "fail"}
    other = inspection(api.world.units_a[0])
    ops = [
        first,
        op("item_result", "it-2", item),
        first,  # the same op again (a resend inside one request)
        op("inspection", insp["id"], edited),  # an edit of the record made two ops ago
        op("inspection", other["id"], other),
    ]
    res = api.push(h, "dev-insp_a", ops)
    assert [(r["status"], r["reason"]) for r in res] == [
        ("applied", None),
        ("applied", None),
        ("duplicate", "applied"),
        ("applied", None),
        ("applied", None),
    ]
    assert [r["version"] for r in res] == [1, 1, 1, 2, 1]
    with Session(api.engine) as s:
        rows = {r.id: r for r in s.exec(select(Record))}
        answers = s.exec(select(AppliedOp)).all()
    assert rows[insp["id"]].data == edited and rows[insp["id"]].version == 2
    assert rows["it-2"].unit_id == insp["unit_id"] and rows[other["id"]].version == 1
    assert len(answers) == 4  # one per distinct op
    # the change numbers grow in the order the ops were applied
    assert rows["it-2"].seq < rows[insp["id"]].seq < rows[other["id"]].seq


def test_a_blob_started_in_pieces_then_sent_whole_leaves_no_start_behind(api: Api) -> None:
    h = api.login("insp_a")
    body = os.urandom(5000)
    sha = hashlib.sha256(body).hexdigest()
    assert _patch(api, h, sha, body[:1000], 0, len(body)).status_code == 204  # then a cut
    check = api.c.post("/sync/blobs/check", json={"sha256": [sha]}, headers=h).json()
    assert check == {"missing": [sha], "partial": {sha: 1000}}
    # the device sends it whole in a batch instead: stored, and the start is gone
    assert _batch(api, h, [(sha, body)]).json() == {"stored": [sha], "refused": {}}
    store = api.c.app.state.blobs  # type: ignore[attr-defined]
    assert not list((store.root / "partial").rglob(sha))
    check = api.c.post("/sync/blobs/check", json={"sha256": [sha]}, headers=h).json()
    assert check == {"missing": [], "partial": {}}
    assert store.read(sha) == body


def test_a_body_is_cut_into_blobs_across_its_chunks_without_copies() -> None:
    chunks = [b"", b"abc", b"defgh", b"", b"i", b"jklmnopq"]
    parts = split_body(chunks, [2, 4, 0, 1, 10])
    assert [b"".join(p) for p in parts] == [b"ab", b"cdef", b"", b"g", b"hijklmnopq"]
    assert all(isinstance(v, memoryview) for p in parts for v in p)
    assert digest(parts[4]) == hashlib.sha256(b"hijklmnopq").hexdigest()
