"""Device time corrected by the server's. Stored times are aware UTC datetimes; shown and printed in
local time.

Each sync measures the device clock's offset to the server's (server − device, seconds). From then
on `Clock.now()` — the time written into records and printed on documents — is the device time
corrected by that offset; `device_now()` is the device's own reading, kept in audit events beside
the offset. The offset is applied in whole seconds: below that the measurement (half a round trip)
is not precise, and records and paper show minutes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

NOTE_FROM_S = 60  # a smaller offset changes no printed minute: documents do not mention it


class Clock:
    """The device clock and the offset to the server's clock that the last sync measured; tests
    pass a fixed or shifted one (overriding `device_now`)."""

    _offset_s: float | None = None
    _measured_at: datetime | None = None  # device time of the measurement

    def device_now(self) -> datetime:
        """What the device's own clock says (never corrected)."""
        return datetime.now(UTC)

    def now(self) -> datetime:
        """Trusted time: the device's corrected by the known offset (the device's until a sync)."""
        moment = self.device_now()
        if self._offset_s:
            moment += timedelta(seconds=self._offset_s)
        return moment

    def today(self) -> date:
        return to_local(self.now()).date()

    @property
    def offset_s(self) -> float | None:
        """The correction applied (whole seconds, never -0.0); None before any sync measured it."""
        return self._offset_s

    @property
    def measured_at(self) -> datetime | None:
        return self._measured_at

    def adopt_offset(self, offset_s: float | None, measured_at: datetime | None) -> None:
        """Use a measured offset from now on (None: none known)."""
        self._offset_s = float(round(offset_s)) + 0.0 if offset_s is not None else None
        self._measured_at = measured_at

    def since_measured(self) -> timedelta | None:
        """How long ago (device time) the offset was measured; None when unknown."""
        if self._measured_at is None:
            return None
        return self.device_now() - self._measured_at


def to_local(moment: datetime) -> datetime:
    """A stored time (aware, or naive meaning UTC) as local wall time (naive)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().replace(tzinfo=None)


def local_midnight_utc(day: date) -> datetime:
    """Local midnight at the start of `day`, as an aware UTC time (compares with stored times)."""
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


def format_cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def format_cn_datetime(dt: datetime) -> str:
    return f"{dt.year}年{dt.month}月{dt.day}日{dt.hour}时{dt.minute:02d}分"


def offset_words(offset_s: float) -> str:
    """The size of an offset in words: "2天0小时", "8小时0分", "3分钟"."""
    minutes = round(abs(offset_s) / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days >= 365:
        return f"{days // 365}年{days % 365}天"
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{mins}分"
    return f"{mins}分钟"


def offset_direction(offset_s: float) -> str:
    """慢 when the device is behind the server (positive offset), 快 when ahead."""
    return "慢" if offset_s > 0 else "快"


def clock_note(offset_s: float | None) -> str:
    """The line a document prints when its times were corrected by a noticeable offset."""
    if offset_s is None or abs(offset_s) < NOTE_FROM_S:
        return ""
    return (
        f"注：制作本文书时，本机时钟比服务器时间{offset_direction(offset_s)}"
        f"{offset_words(offset_s)}；本文书所载日期和时间均已按服务器时间校正。"
    )


def clock_warning(offset_s: float) -> str:
    """What the device says when its clock is off by more than a few minutes."""
    return (
        f"本机时钟比服务器时间{offset_direction(offset_s)}{offset_words(offset_s)}，"
        "请校准本机时钟；在此之前，记录和文书上的时间按服务器时间校正并注明偏差。"
    )
