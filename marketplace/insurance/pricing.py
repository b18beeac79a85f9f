"""What a member pays: the tier the pool has reached, the publisher's subsidy off it, and a part-period share for
someone joining after the scheme started. Pure functions in pence: the price shown is computed by the same call as
the price charged."""

from dataclasses import dataclass
from datetime import date

from .statuses import SubsidyKind


@dataclass(frozen=True)
class Tier:
    min_members: int
    annual_price_pence: int


@dataclass(frozen=True)
class Quote:
    """What one member pays for their period: the tier's price a year, the subsidy off it, and the premium."""

    annual_price_pence: int
    subsidy_pence: int  # off the premium for the member's period
    premium_pence: int  # what the member is charged
    days: int  # days of cover the premium buys
    period_days: int

    @property
    def full_period(self) -> bool:
        return self.days == self.period_days


def tier_for(tiers: list[Tier], members: int) -> Tier:
    """The tier a pool of `members` reaches: the one with the highest minimum at or below it (the first tier for a
    pool smaller than every minimum: the price an early pledger is shown)."""
    ordered = sorted(tiers, key=lambda tier: tier.min_members)
    reached = [tier for tier in ordered if tier.min_members <= members]
    return reached[-1] if reached else ordered[0]


def next_tier(tiers: list[Tier], members: int) -> tuple[Tier, int] | None:
    """The next cheaper tier and how many more members reach it, or None at the last."""
    for tier in sorted(tiers, key=lambda tier: tier.min_members):
        if tier.min_members > members:
            return tier, tier.min_members - members
    return None


def subsidy(price_pence: int, kind: str, value: int) -> int:
    """The publisher's part of a year's price: a fixed sum (never more than the price) or a percentage (rounded
    down: the publisher never pays a part of a penny)."""
    if kind == SubsidyKind.FIXED:
        return min(value, price_pence)
    if kind == SubsidyKind.PERCENT:
        return price_pence * min(value, 100) // 100
    return 0


def share(annual_pence: int, days: int, period_days: int) -> int:
    """A part of a year's price for `days` of a `period_days` period, to the nearest penny (halves up)."""
    if days >= period_days:
        return annual_pence
    return (2 * annual_pence * days + period_days) // (2 * period_days)


def quote(
    annual_price_pence: int,
    *,
    period_starts: date,
    period_ends: date,
    cover_starts: date,
    subsidy_kind: str,
    subsidy_value: int,
    budget_left: int | None = None,
) -> Quote:
    """What a member whose cover starts on `cover_starts` pays for the rest of the period (its last day included):
    the year's price and the year's subsidy each shared by days, the subsidy capped by what is left of the budget."""
    period_days = (period_ends - period_starts).days + 1
    days = max(0, min(period_days, (period_ends - max(cover_starts, period_starts)).days + 1))
    full = share(annual_price_pence, days, period_days)
    member_share = share(
        annual_price_pence - subsidy(annual_price_pence, subsidy_kind, subsidy_value), days, period_days
    )
    off = full - member_share if budget_left is None else max(0, min(full - member_share, budget_left))
    return Quote(annual_price_pence, off, full - off, days, period_days)
