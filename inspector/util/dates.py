"""The one way a page shows a date or a moment to a person: 2026-12-06 and 2026-12-06 14:30
(local time). Printed documents keep their own 2026年12月6日 (`clock.format_cn_date`)."""

from __future__ import annotations

from datetime import date, datetime

from inspector.util.clock import to_local

DAY_FORMAT = "%Y-%m-%d"
MOMENT_FORMAT = "%Y-%m-%d %H:%M"
QT_DAY_FORMAT = "yyyy-MM-dd"  # the same, for QDateEdit.setDisplayFormat


def day_text(day: date | None, empty: str = "") -> str:
    """A calendar day as a page shows it; `empty` when there is none."""
    return day.strftime(DAY_FORMAT) if day is not None else empty


def moment_text(moment: datetime | None, empty: str = "") -> str:
    """A stored time (aware, or naive meaning UTC) as local wall time to the minute."""
    return to_local(moment).strftime(MOMENT_FORMAT) if moment is not None else empty
