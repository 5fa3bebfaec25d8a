"""A real in-process reference server (on SQLite and on PostgreSQL: `db_url`) and desktop clients
that sync with it: the fixtures `server` and `make_device`.

The server is seeded with the server's own admin functions (agency, township, users with 执法证号,
units imported from a CSV, checklists published from forms/); clients start empty and get all of
it by pulling. Transport: starlette's TestClient, an HTTP client on the server app in-process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from inspector.services.facade import Services
from inspector.services.sync.engine import SyncService
from sync.server import create_app
from tests.support.clock import FixedClock
from tests.support.sync_world import seed_world

BASE_URL = "http://sync.test"


@dataclass
class Server:
    app: FastAPI
    agency: str
    township: str
    users: dict[str, str]  # username → id
    blob_dir: Path

    @property
    def engine(self) -> Any:
        return self.app.state.engine

    def factory(self) -> Callable[[str, str | None], TestClient]:
        def make(base_url: str, token: str | None) -> TestClient:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return TestClient(self.app, base_url=base_url, headers=headers)

        return make


@pytest.fixture
def server(tmp_path: Path, db_url: str) -> Iterator[Server]:
    blob_dir = tmp_path / "server-blobs"
    app = create_app(db_url, blob_dir)
    world = seed_world(app.state.engine, tmp_path)
    yield Server(app, world.agency, world.township, world.users, blob_dir)
    app.state.engine.dispose()


@dataclass
class Device:
    services: Services
    sync: SyncService
    clock: FixedClock
    data_dir: Path


@pytest.fixture
def make_device(tmp_path: Path, server: Server) -> Iterator[Callable[..., Device]]:
    opened: list[Services] = []

    def make(name: str, *, factory: Callable[..., Any] | None = None, retries: int = 0) -> Device:
        clock = FixedClock()
        data_dir = tmp_path / name
        svc = Services.open(data_dir, clock=clock)
        opened.append(svc)
        sync = SyncService(svc.ctx, factory or server.factory(), retries=retries, backoff_s=0)
        return Device(svc, sync, clock, data_dir)

    yield make
    for svc in opened:
        svc.close()
