"""Time that goes on paper: when the correction is large and old, the inspector confirms it.

After a sync the clock corrects the device time by the measured offset. If the device clock was
far off and the server has not been reached for a while, the device clock may have been set right
(or wrong) since, and the old correction would then print a wrong date: issuing asks the
inspector to look at the time that will be printed and confirm it (Settings thresholds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from inspector.domain.errors import UserError
from inspector.services.context import Context
from inspector.util.clock import format_cn_datetime, offset_direction, offset_words, to_local


@dataclass(frozen=True)
class TimeCheck:
    """The time that would be printed, and why it needs a look."""

    shown: datetime  # local wall time, corrected
    offset_s: float
    since_sync: timedelta | None  # None: when the offset was measured is not known

    @property
    def question(self) -> str:
        if self.since_sync is None:
            when = "且不知道上次与服务器校时是什么时候"
        elif self.since_sync < timedelta(0):
            when = "且本机时钟在那之后被往回调过"
        elif self.since_sync >= timedelta(days=1):
            when = f"且已有 {self.since_sync.days} 天未与服务器校时"
        else:
            when = f"且已有 {int(self.since_sync.total_seconds() // 3600)} 小时未与服务器校时"
        return (
            f"上次同步时，本机时钟比服务器时间{offset_direction(self.offset_s)}"
            f"{offset_words(self.offset_s)}，{when}；此后本机时钟如被调整过，校正后的时间就会出错。"
            f"文书上将印的时间是：{format_cn_datetime(self.shown)}。"
            "请对照手表或手机确认这个时间正确；不正确时请先联网同步一次，再签发。"
        )


def time_to_confirm(ctx: Context) -> TimeCheck | None:
    """A TimeCheck when the clock's correction is large and not recent, else None."""
    offset = ctx.clock.offset_s
    if offset is None or abs(offset) < ctx.settings.clock_confirm_offset_s:
        return None
    since = ctx.clock.since_measured()
    fresh = timedelta(hours=ctx.settings.clock_confirm_after_hours)
    if since is not None and timedelta(0) <= since < fresh:
        return None
    return TimeCheck(to_local(ctx.clock.now()), offset, since)


def require_confirmed_time(ctx: Context, confirmed: bool) -> None:
    """Refuse to issue with a doubtful time that the inspector has not confirmed (UserError)."""
    check = time_to_confirm(ctx)
    if check is not None and not confirmed:
        raise UserError("签发前请确认时间。" + check.question)
