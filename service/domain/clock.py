"""Time as the rules see it. Rules never read the clock: they are handed ``today``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

Clock = Callable[[], datetime]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def system_clock() -> datetime:
    return datetime.now(UTC)


def local_date(moment: datetime, zone: ZoneInfo = SHANGHAI) -> date:
    """The calendar date of ``moment`` where the cylinder is (default Asia/Shanghai):
    23:59 UTC is already tomorrow there."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every time in this service carries its offset")
    return moment.astimezone(zone).date()
