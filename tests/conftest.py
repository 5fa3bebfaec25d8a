"""Shared fixtures: a real SQLite data dir with a small demo county, real photo files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the sign-in token goes through `keyring` in the tests too, into an in-memory backend
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "tests.support.memory_keyring.MemoryKeyring")

import pytest

from inspector.services.demo.county import load_demo
from inspector.services.facade import Services
from inspector.store.engine import writer_guard
from tests.support.clock import FixedClock
from tests.support.photos import jpeg_bytes

# a write transaction opened on a thread that is not a writer raises under the tests
writer_guard.strict = True

# `pg_cluster` and the SQLite/PostgreSQL-parametrized `db_url`, for the server and sync tests
pytest_plugins = ["tests.support.pg"]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def services(tmp_path: Path, clock: FixedClock) -> Iterator[Services]:
    svc = Services.open(tmp_path / "data", clock=clock)
    load_demo(svc.ctx, n_units=400, seed=7)
    yield svc
    svc.close()


@pytest.fixture
def photo_file(tmp_path: Path) -> Path:
    path = tmp_path / "IMG_0001.JPG"
    path.write_bytes(jpeg_bytes(800, 600))
    return path


@pytest.fixture
def rotated_photo(tmp_path: Path) -> Path:
    """Stored landscape 800×600 with EXIF orientation 6: it must come out portrait 600×800."""
    path = tmp_path / "IMG_ROT6.JPG"
    path.write_bytes(jpeg_bytes(800, 600, orientation=6))
    return path
