"""Pay and charge arithmetic for relief cover shifts: night, weekend and bank holiday minutes, and pence."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

from marketplace.core.clock import LONDON

NIGHT_STARTS = time(22, 0)
NIGHT_ENDS = time(7, 0)
PERCENT_PER_HOUR = 100 * 60  # uplifts are percentages and rates are per hour, but shifts are counted in minutes


class Region(StrEnum):
    """The UK bank holiday regions: England and Wales share one list; Scotland and Northern Ireland have their own."""

    ENGLAND_AND_WALES = "england_and_wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"

    @property
    def label(self) -> str:
        """The region's name as people write it."""
        return _REGION_LABELS[self]


_REGION_LABELS = {
    Region.ENGLAND_AND_WALES: "England and Wales",
    Region.SCOTLAND: "Scotland",
    Region.NORTHERN_IRELAND: "Northern Ireland",
}

# The holidays package's UK subdivisions; Wales ("WLS") has the same bank holidays as England ("ENG").
_SUBDIVISIONS = {
    Region.ENGLAND_AND_WALES: "ENG",
    Region.SCOTLAND: "SCT",
    Region.NORTHERN_IRELAND: "NIR",
}


@lru_cache(maxsize=256)
def _bank_holidays(region: Region, year: int) -> holidays.HolidayBase:
    """One region's bank holidays for one year, built once and then shared.

    expand=False keeps the object read-only after it is built, so threads can share it safely.
    """
    return holidays.country_holidays(
        "GB", subdiv=_SUBDIVISIONS[region], years=year, categories=(holidays.PUBLIC,), expand=False
    )


def is_bank_holiday(day: date, region: Region | str) -> bool:
    """Whether a day is a bank holiday in a region.

    When a holiday falls at a weekend both the day itself and the weekday it moves to count, as the
    holidays package lists them; the day itself is a weekend day anyway, so pay is the same.
    """
    region = Region(region)
    return day in _bank_holidays(region, day.year)


def _is_weekend(day: date, region: Region) -> bool:
    """Saturday, Sunday or a bank holiday: the days the weekend uplift applies."""
    return day.weekday() >= 5 or is_bank_holiday(day, region)


@dataclass(frozen=True)
class Rates:
    """What an hour of cover costs, in pence, and the percentage added for nights and weekends.

    The weekend uplift also applies on bank holidays.
    """

    hourly_pence: int
    night_uplift_percent: int
    weekend_uplift_percent: int

    def __post_init__(self) -> None:
        """Refuse rates that could make pay negative."""
        if self.hourly_pence < 0:
            raise ValueError("The hourly rate must be 0 pence or more")
        if self.night_uplift_percent < 0 or self.weekend_uplift_percent < 0:
            raise ValueError("An uplift must be 0 percent or more")


@dataclass(frozen=True)
class Minutes:
    """A shift's paid minutes in each pay band; a minute that is both night and weekend is in night_weekend only."""

    standard: int = 0
    night: int = 0
    weekend: int = 0
    night_weekend: int = 0

    @property
    def worked(self) -> int:
        """All paid minutes: the shift's real elapsed time less the break."""
        return self.standard + self.night + self.weekend + self.night_weekend


def _check_shift(start: datetime, end: datetime, break_minutes: int) -> None:
    """Refuse a shift that cannot be paid, with a message that says what to fix."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("Shift start and end times must include a time zone")
    if end <= start:
        raise ValueError("The shift must end after it starts")
    if start.second or start.microsecond or end.second or end.microsecond:
        raise ValueError("Shift start and end times must be whole minutes")
    if break_minutes < 0:
        raise ValueError("The break must be 0 minutes or more")
    if timedelta(minutes=break_minutes) >= end - start:
        raise ValueError("The break must be shorter than the shift")


def _next_boundary(local: datetime) -> datetime:
    """The next 07:00, 22:00 or midnight after a London local time, in UTC.

    None of these wall times falls in the hour the UK clocks skip or repeat (01:00 to 02:00), so each
    one names exactly one instant.
    """
    for boundary in (NIGHT_ENDS, NIGHT_STARTS):
        if local.time() < boundary:
            return datetime.combine(local.date(), boundary, LONDON).astimezone(UTC)
    return datetime.combine(local.date() + timedelta(days=1), time(0), LONDON).astimezone(UTC)


def _segments(start: datetime, end: datetime) -> Iterator[tuple[int, date, bool]]:
    """Walk a shift in pieces that each lie within one London local date and one side of the night boundaries.

    Yields (minutes, local date, is night). The arithmetic is done in UTC: subtracting two London times
    ignores a clock change between them, but UTC counts the real elapsed minutes.
    """
    cursor = start.astimezone(UTC)
    end = end.astimezone(UTC)
    while cursor < end:
        local = cursor.astimezone(LONDON)
        step_end = min(_next_boundary(local), end)
        is_night = local.time() >= NIGHT_STARTS or local.time() < NIGHT_ENDS
        yield (step_end - cursor) // timedelta(minutes=1), local.date(), is_night
        cursor = step_end


def _take_break(bands: dict[str, int], break_minutes: int) -> dict[str, int]:
    """Take the unpaid break off standard minutes first, then night, weekend and night-and-weekend minutes.

    Nobody records when the break was taken, so the simplest fair rule is to take it from the
    minutes paid least (usually standard) and leave the worker's uplifted minutes alone where possible.
    """
    left = break_minutes
    for band in ("standard", "night", "weekend", "night_weekend"):
        taken = min(left, bands[band])
        bands[band] -= taken
        left -= taken
    return bands


def split_minutes(start: datetime, end: datetime, break_minutes: int, region: Region | str) -> Minutes:
    """Share a shift's paid minutes between the standard, night, weekend and night-and-weekend bands.

    Night is 22:00 to 07:00 London time; weekend is a Saturday, Sunday or bank holiday in the region,
    by London date. Minutes are real elapsed time, so a night across a clock change counts what was worked.
    """
    _check_shift(start, end, break_minutes)
    region = Region(region)
    bands = {"standard": 0, "night": 0, "weekend": 0, "night_weekend": 0}
    for minutes, day, is_night in _segments(start, end):
        is_weekend = _is_weekend(day, region)
        if is_night and is_weekend:
            bands["night_weekend"] += minutes
        elif is_night:
            bands["night"] += minutes
        elif is_weekend:
            bands["weekend"] += minutes
        else:
            bands["standard"] += minutes
    return Minutes(**_take_break(bands, break_minutes))


def _round_half_up(numerator: int, denominator: int) -> int:
    """Divide non-negative whole numbers, rounding to the nearest whole one and halves upwards."""
    return (2 * numerator + denominator) // (2 * denominator)


def shift_pay(minutes: Minutes, rates: Rates) -> int:
    """A shift's pay (or charge) in pence, rounded once at the end to the nearest penny, halves up.

    A minute that is both night and weekend earns whichever uplift is larger, not both.
    """
    uplifts = (
        (minutes.standard, 0),
        (minutes.night, rates.night_uplift_percent),
        (minutes.weekend, rates.weekend_uplift_percent),
        (minutes.night_weekend, max(rates.night_uplift_percent, rates.weekend_uplift_percent)),
    )
    total = sum(band_minutes * rates.hourly_pence * (100 + uplift) for band_minutes, uplift in uplifts)
    return _round_half_up(total, PERCENT_PER_HOUR)


def _plural(count: int, unit: str) -> str:
    """'1 hour', '2 hours'."""
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def hours_text(minutes: int) -> str:
    """A number of minutes in words: '7 hours 30 minutes', '1 hour', '45 minutes'."""
    if minutes < 0:
        raise ValueError("The number of minutes must be 0 or more")
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(_plural(hours, "hour"))
    if rest or not hours:
        parts.append(_plural(rest, "minute"))
    return " ".join(parts)
