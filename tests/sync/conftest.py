"""A real in-process reference server (SQLite) and desktop clients that sync with it.

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
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from inspector.services.api import Services
from inspector.services.sync import SyncService
from inspector.util.paths import forms_path
from sync.server import admin, create_app
from tests.conftest import FixedClock
from tests.server.conftest import code

BASE_URL = "http://sync.test"
PASSWORD = "field-secret-pw-7"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


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
def server(tmp_path: Path) -> Iterator[Server]:
    blob_dir = tmp_path / "server-blobs"
    app = create_app(f"sqlite:///{tmp_path / 'server.sqlite3'}", blob_dir)
    engine = app.state.engine
    agency = admin.create_agency(
        engine, "柴桑区应急管理局", "柴", agency_id="agency-1", county="柴桑区"
    )
    township = admin.create_township(engine, agency, "沙河街道", county="柴桑区")
    admin.create_grid(engine, township, "第一网格")
    users = {}
    for n, username in enumerate(("zhang", "li", "wang"), start=1):
        users[username] = admin.create_user(
            engine,
            username=username,
            password=PASSWORD,
            name={"zhang": "张三", "li": "李四", "wang": "王五"}[username],
            agency_id=agency,
            townships=["沙河街道"],
            cert_no=f"36040200{n:04d}",
            hasher=FAST_HASHER,
        )
    csv = tmp_path / "units.csv"
    lines = ["单位名称,统一社会信用代码,地址,乡镇,网格,行业,联系人,联系电话"]
    for n in range(1, 6):
        lines.append(
            f"沙河机械厂{n},{code(n)},沙河街道工业路{n}号,沙河街道,第一网格,机械,赵六,0792-100000{n}"
        )
    csv.write_text("\n".join(lines) + "\n", "utf-8")
    report = admin.import_units(engine, csv, agency)
    assert report.imported == 5, report.lines()
    admin.publish_checklists(engine, forms_path("checklists"), agency)
    yield Server(app, agency, township, users, blob_dir)
    engine.dispose()


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
