"""Device time. Stored times are aware UTC datetimes; shown and printed in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime


class Clock:
    """The device clock; tests pass a fixed or shifted one."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return to_local(self.now()).date()


def to_local(moment: datetime) -> datetime:
    """A stored time (aware, or naive meaning UTC) as local wall time (naive)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().replace(tzinfo=None)


def format_cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def format_cn_datetime(dt: datetime) -> str:
    return f"{dt.year}年{dt.month}月{dt.day}日{dt.hour}时{dt.minute:02d}分"
