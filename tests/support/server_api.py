"""A TestClient on the reference server with the calls the server tests share, and the ops they push."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from inspector.util.ids import uuid7
from sync.contract import payload_digest
from tests.support.server_world import PASSWORD, World


class Api:
    """A TestClient with the helpers the tests share."""

    def __init__(self, client: TestClient, world: World, engine: Engine) -> None:
        self.c = client
        self.world = world
        self.engine = engine

    def login(self, username: str, device: str | None = None) -> dict[str, str]:
        r = self.c.post(
            "/auth/login",
            json={
                "username": username,
                "password": PASSWORD,
                "device_id": device or f"dev-{username}",
            },
        )
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def push(
        self, headers: dict[str, str], device: str, ops: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        r = self.c.post("/sync/push", json={"device_id": device, "ops": ops}, headers=headers)
        assert r.status_code == 200, r.text
        results: list[dict[str, Any]] = r.json()["results"]
        return results

    def changes(self, headers: dict[str, str], since: int = 0, limit: int = 500) -> dict[str, Any]:
        r = self.c.get(f"/sync/changes?since={since}&limit={limit}", headers=headers)
        assert r.status_code == 200, r.text
        page: dict[str, Any] = r.json()
        return page

    def pull_all(self, headers: dict[str, str], since: int = 0, limit: int = 500) -> list[dict]:
        out: list[dict] = []
        while True:
            page = self.changes(headers, since, limit)
            out.extend(page["changes"])
            since = page["next"]
            if not page["more"]:
                return out


def op(
    entity: str,
    entity_id: str,
    payload: dict[str, Any],
    *,
    kind: str = "upsert",
    base_version: int | None = None,
    blob_refs: list[str] | None = None,
    op_id: str | None = None,
) -> dict[str, Any]:
    return {
        "op_id": op_id or uuid7(),
        "kind": kind,
        "entity": entity,
        "entity_id": entity_id,
        "payload": payload,
        "payload_sha256": payload_digest(payload),
        "base_version": base_version,
        "blob_refs": blob_refs or [],
    }


def inspection(unit_id: str, **extra: Any) -> dict[str, Any]:
    iid = uuid7()
    return {
        "id": iid,
        "unit_id": unit_id,
        "agency_id": "agency-1",
        "kind": "日常检查",
        "started_at": "2026-11-20T09:00:00+08:00",
        "status": "in_progress",
        **extra,
    }
