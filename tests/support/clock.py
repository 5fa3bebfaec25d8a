"""A device clock the tests set and move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from inspector.util.clock import Clock


class FixedClock(Clock):
    """A device clock the test can set and move (`moment` is the device's own reading; a
    measured offset corrects it as it does the real clock)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime.now(UTC)

    def device_now(self) -> datetime:
        return self.moment

    def advance(self, **kwargs: float) -> None:
        self.moment += timedelta(**kwargs)
