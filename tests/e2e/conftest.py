"""Client+server end-to-end tests: a real in-process reference server and desktop clients that sync
with it (on SQLite and on PostgreSQL: `db_url`)."""

from __future__ import annotations

# the fixtures live in tests/support/sync_devices.py, which the UI sync tests use too
from tests.support.sync_devices import make_device, server  # noqa: F401
