"""Shared fixtures: a real SQLite data dir with a small demo county, real photo files."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# the sign-in token goes through `keyring` in the tests too, into an in-memory backend
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "tests.support.memory_keyring.MemoryKeyring")

import pytest
from PIL import Image

from inspector.services.demo.county import load_demo
from inspector.services.facade import Services
from inspector.store.engine import writer_guard
from inspector.util.clock import Clock

# a write transaction opened on a thread that is not a writer raises under the tests
writer_guard.strict = True

# `pg_cluster` and the SQLite/PostgreSQL-parametrized `db_url`, for the server and sync tests
pytest_plugins = ["tests.support.pg"]


class FixedClock(Clock):
    """A device clock the test can set and move (`moment` is the device's own reading; a
    measured offset corrects it as it does the real clock)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime.now(UTC)

    def device_now(self) -> datetime:
        return self.moment

    def advance(self, **kwargs: float) -> None:
        self.moment += timedelta(**kwargs)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def services(tmp_path: Path, clock: FixedClock) -> Iterator[Services]:
    svc = Services.open(tmp_path / "data", clock=clock)
    load_demo(svc.ctx, n_units=400, seed=7)
    yield svc
    svc.close()


def jpeg_bytes(
    width: int,
    height: int,
    *,
    orientation: int | None = None,
    colour: tuple[int, int, int] = (200, 60, 40),
) -> bytes:
    """A real JPEG whose top-left quarter is red and the rest grey (so rotation is visible)."""
    img = Image.new("RGB", (width, height), (128, 128, 128))
    img.paste(Image.new("RGB", (width // 2, height // 2), colour), (0, 0))
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    exif[0x0132] = "2026:11:20 09:30:00"
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


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
