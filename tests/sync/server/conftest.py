"""Fixtures for the reference server: every app test runs on SQLite and on a real PostgreSQL
(`db_url`, from tests/support/pg.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from sync.server import create_app
from tests.support.server_api import Api
from tests.support.server_world import seed


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[FastAPI]:
    application = create_app(db_url, tmp_path / "blobs")
    yield application
    application.state.engine.dispose()


@pytest.fixture
def api(app: FastAPI) -> Iterator[Api]:
    world = seed(app.state.engine)
    with TestClient(app) as client:
        yield Api(client, world, app.state.engine)
