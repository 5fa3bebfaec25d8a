"""One typed, versioned settings object stored as JSON (no globals, no pickle, no secrets)."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

log = logging.getLogger("inspector.settings")

SCHEMA_VERSION = 1

# 分级分类监管: counties draw up their own scheme, so these are defaults a county overrides in
# settings.json. Minimum inspections a year by supervision level; 0 means "by random selection
# only" (双随机抽查), never proposed as due.
DEFAULT_INSPECTIONS_PER_YEAR: dict[str, int] = {"A": 4, "B": 2, "C": 1, "D": 0}
# Yearly cap on inspections of one enterprise by level (国办发〔2024〕54号 asks for one; each
# province/county sets the numbers). The client warns from cap − 1 and asks for an
# acknowledgement at the cap.
DEFAULT_YEARLY_CAP: dict[str, int] = {"A": 12, "B": 6, "C": 4, "D": 2}
# Inspection kinds not counted towards the cap (complaint checks and re-inspections of an order
# are commonly exempt); counties configure this too.
DEFAULT_CAP_EXEMPT_KINDS: list[str] = ["举报核查", "复查"]


@dataclass
class Settings:
    version: int = SCHEMA_VERSION
    photo_max_megapixels: float = 90.0  # larger images are refused (memory on small tablets)
    photo_display_long_edge: int = 2560
    photo_thumb_long_edge: int = 320
    photo_jpeg_quality: int = 85
    text_max_chars: int = 2000  # one free-text field
    default_deadline_days: int = 7
    # Issuing asks the inspector to confirm the time shown when the clock was off by at least this
    # much at the last sync and that sync is older than this (the clock may have been set since).
    clock_confirm_offset_s: float = 600.0
    clock_confirm_after_hours: float = 24.0
    inspections_per_year: dict[str, int] = field(
        default_factory=lambda: dict(DEFAULT_INSPECTIONS_PER_YEAR)
    )
    yearly_cap: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_YEARLY_CAP))
    cap_exempt_kinds: list[str] = field(default_factory=lambda: list(DEFAULT_CAP_EXEMPT_KINDS))
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
            if key not in known:
                continue
            current = getattr(settings, key)
            if isinstance(current, dict):
                value = _merged_counts(key, current, value)
            elif isinstance(current, list) and not isinstance(value, list):
                log.warning("setting %s is not a list, using the default", key)
                continue
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


def _merged_counts(key: str, defaults: dict[str, int], value: object) -> dict[str, int]:
    """A per-level table from the file over the defaults: a file naming only some levels keeps
    the defaults of the others, and entries that are not whole numbers ≥ 0 are ignored."""
    merged = dict(defaults)
    if not isinstance(value, dict):
        log.warning("setting %s is not a table, using the defaults", key)
        return merged
    for level, n in value.items():
        if isinstance(n, int) and not isinstance(n, bool) and n >= 0:
            merged[str(level)] = n
        else:
            log.warning("setting %s[%s]=%r ignored", key, level, n)
    return merged
