"""A shift's times as matching compares them: its UK days, weekday and minutes, and the oldest DBS check allowed."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from ..core.clock import to_london

DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class ShiftTimes:
    """The columns of cover_shifts that describe when it is."""

    starts_at: datetime
    ends_at: datetime
    minutes: int
    day: date
    last_day: date
    weekday: int
    start_minute: int
    end_minute: int


def shift_times(starts_at: datetime, ends_at: datetime) -> ShiftTimes:
    """Real minutes worked, and the wall-clock start and end on the UK day the shift starts (an overnight shift's end
    is past 1440), as a worker's weekly availability is written."""
    start, end = to_london(starts_at), to_london(ends_at)
    start_minute = start.hour * 60 + start.minute
    end_minute = (end.date() - start.date()).days * DAY_MINUTES + end.hour * 60 + end.minute
    return ShiftTimes(
        starts_at=starts_at,
        ends_at=ends_at,
        minutes=int((ends_at - starts_at) / timedelta(minutes=1)),
        day=start.date(),
        last_day=(end - timedelta(minutes=1)).date(),  # a shift ending at midnight ends on the day it started
        weekday=start.weekday(),
        start_minute=start_minute,
        end_minute=end_minute,
    )


def dbs_issued_after(last_day: date, max_age_months: int | None) -> date | None:
    """The oldest issue date of a DBS check the pool accepts for a shift ending on last_day (None: any age)."""
    return last_day - relativedelta(months=max_age_months) if max_age_months else None
