"""The sync's rows in the `setting` table."""

from __future__ import annotations

DEVICE_ID = "device_id"
SERVER_URL = "sync_server_url"
USERNAME = "sync_username"
CURSOR = "sync_cursor"
LAST_SYNC = "last_sync_at"
