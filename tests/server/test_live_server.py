"""The real `inspector-server serve` process on a loopback port, over HTTP: an upload interrupted
mid-request and a server killed mid-upload both resume from HEAD's offset; the op then applies
once."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sync.contract import MAX_CHUNK
from sync.server.db import make_engine
from tests.server.conftest import PASSWORD, World, inspection, op, seed
from tests.support.live_server import LiveServer


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
