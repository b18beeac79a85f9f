"""The one place the application asks what time it is, so tests can move time without sleeping."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock:
    """Wall clock by default; tests freeze it with set() and move it with advance()."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        """Current time, timezone-aware UTC."""
        return self._frozen or datetime.now(UTC)

    def set(self, moment: datetime) -> None:
        """Freeze the clock at a moment (naive values are taken as UTC)."""
        self._frozen = moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def advance(self, **delta: float) -> None:
        """Move a frozen (or the real) clock forward by a timedelta's keyword arguments."""
        self._frozen = self.now() + timedelta(**delta)

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Run a block as if it were `moment` (demo data made in the past), then put the clock back as it was:
        frozen (in tests) at the same moment, or the wall clock."""
        before = self._frozen
        self.set(moment)
        try:
            yield
        finally:
            self._frozen = before

    def reset(self) -> None:
        """Back to the wall clock."""
        self._frozen = None


clock = Clock()


def utcnow() -> datetime:
    """Current time from the injectable clock."""
    return clock.now()


def to_london(moment: datetime | None) -> datetime | None:
    """A stored UTC time as the UK sees it."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON)


def today() -> date:
    """Today's date in the UK, from the injectable clock (due dates, expiry dates and "overdue" use it)."""
    return to_london(utcnow()).date()


def uk_moment(day: date, clock_time: time) -> datetime:
    """A date and a time of day in UK time as an aware UTC datetime."""
    return datetime.combine(day, clock_time, tzinfo=LONDON).astimezone(UTC)
