"""Relief cover pay: night, weekend and bank holiday minutes across regions and clock changes, and pence."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from marketplace.core.clock import LONDON
from marketplace.cover.pay import (
    Minutes,
    Rates,
    Region,
    hours_text,
    is_bank_holiday,
    shift_pay,
    split_minutes,
)


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A UK wall-clock time as the UTC instant the app would store."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def test_regions_have_plain_labels_and_accept_their_stored_values():
    """Each region has a readable name, and its stored string works wherever a region is asked for."""
    assert [region.label for region in Region] == ["England and Wales", "Scotland", "Northern Ireland"]
    assert Region("scotland") is Region.SCOTLAND
    assert is_bank_holiday(date(2026, 11, 30), "scotland")


def test_weekday_day_shift_is_all_standard():
    """Tuesday 09:00 to 17:00 with a half-hour break is seven and a half standard hours."""
    minutes = split_minutes(london(2026, 11, 10, 9), london(2026, 11, 10, 17), 30, Region.ENGLAND_AND_WALES)
    assert minutes == Minutes(standard=450)
    assert shift_pay(minutes, Rates(1500, 20, 50)) == 11250


def test_night_shift_crossing_midnight_into_saturday():
    """Friday 20:00 to Saturday 06:00: two standard hours, two night hours, then six night-and-weekend hours."""
    minutes = split_minutes(london(2026, 11, 13, 20), london(2026, 11, 14, 6), 0, Region.ENGLAND_AND_WALES)
    assert minutes == Minutes(standard=120, night=120, night_weekend=360)
    assert minutes.worked == 600
    assert shift_pay(minutes, Rates(1500, 20, 50)) == 3000 + 3600 + 13500


def test_christmas_day_in_england_is_paid_at_the_weekend_rate():
    """Christmas Day 2026 is a Friday and a bank holiday, so a day shift is all weekend minutes."""
    minutes = split_minutes(london(2026, 12, 25, 8), london(2026, 12, 25, 16), 0, Region.ENGLAND_AND_WALES)
    assert minutes == Minutes(weekend=480)
    assert shift_pay(minutes, Rates(1200, 20, 50)) == 14400


def test_boxing_day_moved_to_monday_counts_as_a_bank_holiday():
    """Boxing Day 2026 is a Saturday, so Monday 28 December is the bank holiday in every region."""
    for region in Region:
        assert is_bank_holiday(date(2026, 12, 28), region)
        assert not is_bank_holiday(date(2026, 12, 29), region)


def test_st_andrews_day_counts_in_scotland_but_not_in_england():
    """Monday 30 November 2026 is a bank holiday in Scotland only."""
    start, end = london(2026, 11, 30, 9), london(2026, 11, 30, 17)
    assert split_minutes(start, end, 0, Region.SCOTLAND) == Minutes(weekend=480)
    assert split_minutes(start, end, 0, Region.ENGLAND_AND_WALES) == Minutes(standard=480)
    assert split_minutes(start, end, 0, Region.NORTHERN_IRELAND) == Minutes(standard=480)


def test_twelfth_of_july_counts_in_northern_ireland_only():
    """Monday 12 July 2027 (in summer time) is a bank holiday in Northern Ireland but not in England or Scotland."""
    start, end = london(2027, 7, 12, 9), london(2027, 7, 12, 17)
    assert split_minutes(start, end, 0, Region.NORTHERN_IRELAND) == Minutes(weekend=480)
    assert split_minutes(start, end, 0, Region.ENGLAND_AND_WALES) == Minutes(standard=480)
    assert split_minutes(start, end, 0, Region.SCOTLAND) == Minutes(standard=480)


def test_easter_monday_is_not_a_bank_holiday_in_scotland():
    """Easter Monday (6 April 2026) is a bank holiday in England, Wales and Northern Ireland, not Scotland."""
    assert is_bank_holiday(date(2026, 4, 6), Region.ENGLAND_AND_WALES)
    assert is_bank_holiday(date(2026, 4, 6), Region.NORTHERN_IRELAND)
    assert not is_bank_holiday(date(2026, 4, 6), Region.SCOTLAND)


def test_night_when_the_clocks_go_back_counts_the_extra_hour():
    """22:00 to 07:00 across 25 October 2026 reads as 9 hours on the clock but 10 hours are worked."""
    start, end = london(2026, 10, 24, 22), london(2026, 10, 25, 7)
    assert (end - start) == timedelta(hours=10)
    minutes = split_minutes(start, end, 0, Region.ENGLAND_AND_WALES)
    assert minutes == Minutes(night_weekend=600)


def test_night_when_the_clocks_go_forward_loses_an_hour():
    """22:00 to 07:00 across 29 March 2026 is 8 hours worked."""
    minutes = split_minutes(london(2026, 3, 28, 22), london(2026, 3, 29, 7), 0, Region.ENGLAND_AND_WALES)
    assert minutes == Minutes(night_weekend=480)


def test_weekday_night_in_summer_time_uses_london_hours():
    """In summer, 22:00 London time is 21:00 UTC: the night band follows the UK clock, not UTC."""
    minutes = split_minutes(london(2026, 6, 9, 20), london(2026, 6, 10, 8), 0, Region.ENGLAND_AND_WALES)
    assert minutes == Minutes(standard=180, night=540)


def test_break_comes_off_standard_minutes_first():
    """A 90-minute break on a shift with one standard hour takes that hour, then 30 night minutes."""
    start, end = london(2026, 11, 10, 21), london(2026, 11, 11, 0)
    assert split_minutes(start, end, 0, Region.ENGLAND_AND_WALES) == Minutes(standard=60, night=120)
    assert split_minutes(start, end, 90, Region.ENGLAND_AND_WALES) == Minutes(standard=0, night=90)


def test_break_reaches_night_and_weekend_minutes_last():
    """Friday 21:00 to Saturday 01:00 with a 3-hour break leaves one night-and-weekend hour."""
    start, end = london(2026, 11, 13, 21), london(2026, 11, 14, 1)
    minutes = split_minutes(start, end, 180, Region.ENGLAND_AND_WALES)
    assert minutes == Minutes(night_weekend=60)


def test_night_and_weekend_minutes_earn_the_larger_uplift_only():
    """An hour that is both night and weekend earns the bigger of the two uplifts, not both."""
    hour = Minutes(night_weekend=60)
    assert shift_pay(hour, Rates(1200, 20, 50)) == 1800
    assert shift_pay(hour, Rates(1200, 60, 50)) == 1920


@pytest.mark.parametrize(
    ("minutes", "rates", "pence"),
    [
        (Minutes(standard=1), Rates(1000, 0, 0), 17),  # 16.67p
        (Minutes(standard=1), Rates(30, 0, 0), 1),  # exactly half a penny rounds up
        (Minutes(standard=1), Rates(29, 0, 0), 0),  # 0.483p rounds down
        (Minutes(standard=1, night=1, weekend=1), Rates(30, 0, 0), 2),  # 1.5p rounded once, not 3 × 0.5p
        (Minutes(night=7), Rates(1111, 15, 0), 149),  # 7 × 1111 × 1.15 / 60 = 149.06p
        (Minutes(), Rates(1500, 20, 50), 0),
    ],
)
def test_pay_is_rounded_once_to_the_nearest_penny_halves_up(minutes, rates, pence):
    """Rounding happens once, on the whole shift, with exact whole-number arithmetic."""
    assert shift_pay(minutes, rates) == pence


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (450, "7 hours 30 minutes"),
        (60, "1 hour"),
        (45, "45 minutes"),
        (61, "1 hour 1 minute"),
        (120, "2 hours"),
        (1, "1 minute"),
        (0, "0 minutes"),
    ],
)
def test_hours_text(minutes, text):
    """Minutes read as hours and minutes in plain English."""
    assert hours_text(minutes) == text


def test_hours_text_refuses_negative_minutes():
    """A negative duration is a mistake upstream, not something to print."""
    with pytest.raises(ValueError, match="0 or more"):
        hours_text(-1)


@pytest.mark.parametrize(
    ("start", "end", "break_minutes", "message"),
    [
        (london(2026, 11, 10, 9), london(2026, 11, 10, 9), 0, "The shift must end after it starts"),
        (london(2026, 11, 10, 17), london(2026, 11, 10, 9), 0, "The shift must end after it starts"),
        (london(2026, 11, 10, 9), london(2026, 11, 10, 17), -1, "The break must be 0 minutes or more"),
        (london(2026, 11, 10, 9), london(2026, 11, 10, 17), 480, "The break must be shorter than the shift"),
        (datetime(2026, 11, 10, 9), london(2026, 11, 10, 17), 0, "must include a time zone"),
        (london(2026, 11, 10, 9) + timedelta(seconds=30), london(2026, 11, 10, 17), 0, "must be whole minutes"),
    ],
)
def test_impossible_shifts_are_refused_with_a_plain_message(start, end, break_minutes, message):
    """A shift that ends first, a negative or too-long break, or an ambiguous time raises ValueError."""
    with pytest.raises(ValueError, match=message):
        split_minutes(start, end, break_minutes, Region.ENGLAND_AND_WALES)


@pytest.mark.parametrize(
    ("hourly", "night", "weekend", "message"),
    [(-1, 0, 0, "hourly rate"), (1000, -5, 0, "uplift"), (1000, 0, -5, "uplift")],
)
def test_negative_rates_are_refused(hourly, night, weekend, message):
    """Rates that could make pay negative raise ValueError."""
    with pytest.raises(ValueError, match=message):
        Rates(hourly, night, weekend)


def minute_by_minute(start: datetime, end: datetime, region: Region) -> Minutes:
    """The slow, obvious answer before the break: classify every real minute of the shift on its own."""
    counts = {"standard": 0, "night": 0, "weekend": 0, "night_weekend": 0}
    moment = start
    while moment < end:
        local = moment.astimezone(LONDON)
        night = local.hour >= 22 or local.hour < 7
        weekend = local.weekday() >= 5 or is_bank_holiday(local.date(), region)
        band = {(True, True): "night_weekend", (True, False): "night", (False, True): "weekend"}
        counts[band.get((night, weekend), "standard")] += 1
        moment += timedelta(minutes=1)
    return Minutes(**counts)


starts = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(UTC)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)
regions = st.sampled_from(list(Region))


@settings(deadline=None)
@given(start=starts, length=st.integers(1, 3 * 24 * 60), data=st.data(), region=regions)
def test_bands_always_add_up_to_the_minutes_worked(start, length, data, region):
    """Whatever the shift, the four bands add up to its real elapsed minutes less the break."""
    break_minutes = data.draw(st.integers(0, length - 1), label="break_minutes")
    minutes = split_minutes(start, start + timedelta(minutes=length), break_minutes, region)
    assert minutes.worked == length - break_minutes
    assert min(minutes.standard, minutes.night, minutes.weekend, minutes.night_weekend) >= 0


@settings(deadline=None, max_examples=60)
@given(start=starts, length=st.integers(1, 26 * 60), region=regions)
@example(start=london(2026, 10, 24, 20), length=26 * 60, region=Region.ENGLAND_AND_WALES)
@example(start=london(2026, 3, 28, 20), length=26 * 60, region=Region.SCOTLAND)
@example(start=london(2026, 12, 24, 20), length=26 * 60, region=Region.NORTHERN_IRELAND)
def test_walking_in_segments_matches_counting_every_minute(start, length, region):
    """The segment walk gives the same bands as classifying each minute, clock changes included."""
    end = start + timedelta(minutes=length)
    assert split_minutes(start, end, 0, region) == minute_by_minute(start, end, region)


@given(
    minutes=st.builds(Minutes, *[st.integers(0, 3 * 24 * 60)] * 4),
    rates=st.tuples(st.integers(0, 100_000), st.integers(0, 100_000)).map(sorted),
    night=st.integers(0, 300),
    weekend=st.integers(0, 300),
)
def test_pay_never_falls_when_the_hourly_rate_rises(minutes, rates, night, weekend):
    """A higher hourly rate never gives lower pay for the same minutes and uplifts."""
    lower, higher = rates
    assert shift_pay(minutes, Rates(lower, night, weekend)) <= shift_pay(minutes, Rates(higher, night, weekend))
