"""The sync's rows in the `setting` table (declared once, in `services.setting_rows`)."""

from __future__ import annotations

from inspector.services.setting_rows import CURSOR, DEVICE_ID, LAST_SYNC, SERVER_URL, USERNAME

__all__ = ["CURSOR", "DEVICE_ID", "LAST_SYNC", "SERVER_URL", "USERNAME"]
