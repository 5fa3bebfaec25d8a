"""One typed, versioned settings object stored as JSON (no globals, no pickle, no secrets)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

log = logging.getLogger("inspector.settings")

SCHEMA_VERSION = 1


@dataclass
class Settings:
    version: int = SCHEMA_VERSION
    photo_max_megapixels: float = 90.0  # larger images are refused (memory on small tablets)
    photo_display_long_edge: int = 2560
    photo_thumb_long_edge: int = 320
    photo_jpeg_quality: int = 85
    text_max_chars: int = 2000  # one free-text field
    default_deadline_days: int = 7
    path: Path | None = None

    @classmethod
    def load(cls, path: Path) -> Settings:
        settings = cls(path=path)
        if not path.is_file():
            return settings
        try:
            raw: dict[str, Any] = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("settings file unreadable, using defaults: %s", exc)
            return settings
        known = {f.name for f in fields(cls)} - {"path"}
        for key, value in raw.items():
            if key in known:
                setattr(settings, key, value)
        settings.version = SCHEMA_VERSION
        return settings

    def save(self) -> None:
        if self.path is None:
            return
        data = {k: v for k, v in asdict(self).items() if k != "path"}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), "utf-8")
        tmp.replace(self.path)
