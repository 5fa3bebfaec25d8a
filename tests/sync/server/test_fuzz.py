"""Schemathesis against the served OpenAPI spec (bounded, SQLite): whatever a client sends —
valid, malformed, oversized, with a good or a bad token — the server answers below 500."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from sync.server import create_app
from tests.support.server_api import Api
from tests.support.server_world import seed

_DIR = Path(tempfile.mkdtemp(prefix="inspector-fuzz-"))
APP = create_app(f"sqlite:///{_DIR / 'server.sqlite3'}", _DIR / "blobs")
WORLD = seed(APP.state.engine)
with TestClient(APP) as _client:
    TOKEN = Api(_client, WORLD, APP.state.engine).login("insp_a")


@schemathesis.serializer("application/offset+octet-stream")
def _chunk(ctx: Any, value: Any) -> bytes:  # blob chunks are raw bytes
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_request_makes_the_server_fail(case: Any) -> None:
    for headers in (TOKEN, {"Authorization": "Bearer not-a-token"}):
        response = case.call(headers=headers)
        assert response.status_code < 500, (case.method, case.path, response.text[:300])
