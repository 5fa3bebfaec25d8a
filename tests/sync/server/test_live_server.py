"""The real `inspector-server serve` process on a loopback port, over HTTP: an upload interrupted
mid-request and a server killed mid-upload both resume from HEAD's offset; the op then applies
once."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from inspector.util.ids import uuid7
from sync.contract import MANIFEST_HEADER, MAX_CHUNK, manifest
from sync.server.db import Record, make_engine
from tests.support.live_server import LiveServer
from tests.support.server_api import inspection, op
from tests.support.server_world import PASSWORD, World, seed


@pytest.fixture
def live(db_url: str, tmp_path: Path) -> Iterator[tuple[LiveServer, World]]:
    engine = make_engine(db_url)
    world = seed(engine)
    engine.dispose()
    server = LiveServer(db_url, tmp_path / "blobs", tmp_path / "server.log")
    server.start()
    try:
        yield server, world
    finally:
        server.stop()


def _interrupted_patch(
    server: LiveServer, token: str, sha: str, offset: int, length: int, part: bytes
) -> None:
    """Send a PATCH whose body is cut off half-way, then drop the connection."""
    head = (
        f"PATCH /sync/blobs/{sha} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Upload-Offset: {offset}\r\nUpload-Length: {length}\r\n"
        f"Content-Type: application/offset+octet-stream\r\nContent-Length: {len(part)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head + part[: len(part) // 2])
    time.sleep(0.2)


def test_real_server_resumes_interrupted_uploads(live: tuple[LiveServer, World]) -> None:
    server, world = live
    device = "dev-live-0001"
    with httpx.Client(base_url=server.url, timeout=10) as c:
        r = c.post(
            "/auth/login", json={"username": "insp_a", "password": PASSWORD, "device_id": device}
        )
        assert r.status_code == 200
        token = r.json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        assert c.get("/sync/meta", headers={"Authorization": "Bearer wrong"}).status_code == 401

        data = os.urandom(3 * MAX_CHUNK + 777)
        sha = hashlib.sha256(data).hexdigest()
        insp = inspection(world.units_a[0])
        photo = {"id": "live-photo", "inspection_id": insp["id"], "original_sha256": sha}
        ops = [
            op("inspection", insp["id"], insp),
            op("photo", "live-photo", photo, blob_refs=[sha]),
        ]
        res = c.post("/sync/push", json={"device_id": device, "ops": ops}, headers=h).json()[
            "results"
        ]
        assert [r["status"] for r in res] == ["applied", "retry"]

        def patch(offset: int) -> httpx.Response:
            return c.patch(
                f"/sync/blobs/{sha}",
                content=data[offset : offset + MAX_CHUNK],
                headers={**h, "Upload-Offset": str(offset), "Upload-Length": str(len(data))},
            )

        assert patch(0).status_code == 204
        # the check tells this caller where its unfinished upload stands (no HEAD needed)
        check = c.post("/sync/blobs/check", json={"sha256": [sha]}, headers=h).json()
        assert check == {"missing": [sha], "partial": {sha: MAX_CHUNK}}
        # the connection drops in the middle of the second chunk: nothing of it is kept
        _interrupted_patch(
            server, token, sha, MAX_CHUNK, len(data), data[MAX_CHUNK : 2 * MAX_CHUNK]
        )
        assert c.head(f"/sync/blobs/{sha}", headers=h).headers["Upload-Offset"] == str(MAX_CHUNK)
        assert patch(MAX_CHUNK).status_code == 204
        # the server is killed and restarted: the upload resumes where HEAD says
        server.kill()
        server.start()
        offset = int(c.head(f"/sync/blobs/{sha}", headers=h).headers["Upload-Offset"])
        assert offset == 2 * MAX_CHUNK
        while True:
            r = patch(offset)
            assert r.status_code == 204, r.text
            offset = int(r.headers["Upload-Offset"])
            if r.headers.get("X-Complete") == "1":
                break
        assert offset == len(data)
        assert c.get(f"/sync/blobs/{sha}", headers=h).content == data
        res = c.post("/sync/push", json={"device_id": device, "ops": ops}, headers=h).json()[
            "results"
        ]
        assert [r["status"] for r in res] == ["duplicate", "applied"]
        res = c.post("/sync/push", json={"device_id": device, "ops": ops}, headers=h).json()[
            "results"
        ]
        assert [r["status"] for r in res] == ["duplicate", "duplicate"]
    assert server.log_problems() == []


def test_a_batch_arriving_in_many_pieces_is_stored_blob_by_blob(
    live: tuple[LiveServer, World],
) -> None:
    """Over a real socket a batch arrives in many pieces and is cut into its blobs where they
    fall (sync.server.blobs.split_body): every blob reads back whole, a damaged one is refused."""
    server, _world = live
    sizes = [1, 300_001, 65_536, MAX_CHUNK, 7, 900_000]
    bodies = [os.urandom(n) for n in sizes]
    shas = [hashlib.sha256(b).hexdigest() for b in bodies]
    damaged = bytearray(bodies[3])
    damaged[MAX_CHUNK // 2] ^= 1
    sent = [*bodies[:3], bytes(damaged), *bodies[4:]]
    with httpx.Client(base_url=server.url, timeout=10) as c:
        r = c.post(
            "/auth/login",
            json={"username": "insp_a", "password": PASSWORD, "device_id": "dev-live-0002"},
        )
        h = {"Authorization": f"Bearer {r.json()['token']}"}
        r = c.post(
            "/sync/blobs",
            content=iter(sent),  # streamed: the server sees the body in socket-sized chunks
            headers={**h, MANIFEST_HEADER: manifest(list(zip(shas, sizes, strict=True)))},
        )
        assert r.status_code == 200, r.text
        answer = r.json()
        assert answer["refused"] == {shas[3]: "hash_mismatch"}
        assert sorted(answer["stored"]) == sorted(shas[:3] + shas[4:])
        for sha, body in zip(shas, bodies, strict=True):
            got = c.get(f"/sync/blobs/{sha}", headers=h)
            if sha == shas[3]:
                assert got.status_code == 404
            else:
                assert got.status_code == 200 and got.content == body


def _worker_pids(server: LiveServer) -> set[str]:
    lines = server.log.read_text("utf-8").splitlines()
    return {ln.split("[")[1].split("]")[0] for ln in lines if "Started server process" in ln}


def test_two_worker_processes_store_every_upload_once(db_url: str, tmp_path: Path) -> None:
    """`serve --workers 2`: two devices upload batches, send a blob in pieces and push records at
    the same time, over connections the two processes share out; every blob is stored whole,
    every record once, and a resent push comes back `duplicate`."""
    engine = make_engine(db_url)
    world = seed(engine)
    server = LiveServer(db_url, tmp_path / "blobs", tmp_path / "server.log", workers=2)
    server.start()
    try:
        deadline = time.monotonic() + 20
        while len(_worker_pids(server)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # the second may still be starting
        assert len(_worker_pids(server)) == 2, server.log.read_text("utf-8")

        def device(username: str, n: int) -> list[dict]:
            device_id = f"dev-workers-{n}"
            with httpx.Client(base_url=server.url, timeout=30) as c:
                r = c.post(
                    "/auth/login",
                    json={"username": username, "password": PASSWORD, "device_id": device_id},
                )
                h = {"Authorization": f"Bearer {r.json()['token']}"}
                ops, blobs = [], []
                for k in range(6):
                    insp = inspection(world.units_a[k % 3])
                    ops.append(op("inspection", insp["id"], insp))
                    for j in range(3):
                        data = os.urandom(50_000 + 7919 * (k * 3 + j + n))
                        sha = hashlib.sha256(data).hexdigest()
                        blobs.append((sha, data))
                        photo = {"id": uuid7(), "inspection_id": insp["id"], "original_sha256": sha}
                        ops.append(op("photo", photo["id"], photo, blob_refs=[sha]))
                big = os.urandom(MAX_CHUNK * 2 + 99)  # one blob sent in pieces
                big_sha = hashlib.sha256(big).hexdigest()
                for i in range(0, len(blobs), 4):
                    part = blobs[i : i + 4]
                    r = c.post(
                        "/sync/blobs",
                        content=b"".join(d for _, d in part),
                        headers={**h, MANIFEST_HEADER: manifest([(s, len(d)) for s, d in part])},
                    )
                    assert r.status_code == 200 and not r.json()["refused"], r.text
                for at in range(0, len(big), MAX_CHUNK):
                    r = c.patch(
                        f"/sync/blobs/{big_sha}",
                        content=big[at : at + MAX_CHUNK],
                        headers={**h, "Upload-Offset": str(at), "Upload-Length": str(len(big))},
                    )
                    assert r.status_code == 204, r.text
                insp = inspection(world.units_a[0])
                ops.append(op("inspection", insp["id"], insp))
                photo = {"id": uuid7(), "inspection_id": insp["id"], "original_sha256": big_sha}
                ops.append(op("photo", photo["id"], photo, blob_refs=[big_sha]))
                body = {"device_id": device_id, "ops": ops}
                first = c.post("/sync/push", json=body, headers=h).json()["results"]
                again = c.post("/sync/push", json=body, headers=h).json()["results"]
                assert {r["status"] for r in first} == {"applied"}, first
                assert {r["status"] for r in again} == {"duplicate"}, again
                for sha, data in [*blobs, (big_sha, big)]:
                    got = c.get(f"/sync/blobs/{sha}", headers=h)
                    assert got.status_code == 200 and got.content == data
                return ops

        with ThreadPoolExecutor(4) as pool:
            sent = list(pool.map(device, ["insp_a", "insp_a2", "insp_a", "insp_a2"], range(4)))
        with Session(engine) as s:
            ids = [r.id for r in s.exec(select(Record))]
        assert sorted(ids) == sorted(o["entity_id"] for ops in sent for o in ops)
        assert server.log_problems() == []
    finally:
        server.stop()
        engine.dispose()
