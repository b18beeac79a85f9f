"""What a member pays: the tier reached, the subsidy (fixed or a percentage, within the budget) and a part-period
share. The price shown on the scheme's page is the price charged, to the penny, at every tier boundary and for
late joiners (Hypothesis over random schemes, through the services)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.insurance import activation, enrolments, pricing
from marketplace.insurance.models import Enrolment
from marketplace.insurance.statuses import SubsidyKind
from tests import factories
from tests.insurance.world import open_scheme

START = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
TIERS = [pricing.Tier(1, 24_000), pricing.Tier(25, 18_000), pricing.Tier(100, 14_000)]


@pytest.mark.parametrize(
    ("members", "price"),
    [(0, 24_000), (1, 24_000), (24, 24_000), (25, 18_000), (99, 18_000), (100, 14_000), (5000, 14_000)],
)
def test_the_tier_reached_at_each_boundary(members, price):
    assert pricing.tier_for(TIERS, members).annual_price_pence == price


def test_the_next_tier_and_how_many_more_it_needs():
    assert pricing.next_tier(TIERS, 13) == (pricing.Tier(25, 18_000), 12)
    assert pricing.next_tier(TIERS, 25) == (pricing.Tier(100, 14_000), 75)
    assert pricing.next_tier(TIERS, 100) is None


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (SubsidyKind.NONE, 5000, 0),
        (SubsidyKind.FIXED, 5000, 5000),
        (SubsidyKind.FIXED, 99_999, 24_000),
        (SubsidyKind.PERCENT, 33, 7920),
        (SubsidyKind.PERCENT, 150, 24_000),
    ],
)
def test_a_subsidy_never_exceeds_the_price(kind, value, expected):
    assert pricing.subsidy(24_000, kind, value) == expected


def test_a_late_joiner_pays_for_the_days_left_and_the_budget_caps_the_subsidy():
    """Half a 2-day period is half the price; a subsidy of 20% is shared the same way, and no more than is left."""
    start = date(2027, 4, 1)
    quote = pricing.quote(
        24_000,
        period_starts=start,
        period_ends=start + timedelta(days=1),
        cover_starts=start + timedelta(days=1),
        subsidy_kind=SubsidyKind.PERCENT,
        subsidy_value=20,
    )
    assert (quote.days, quote.period_days, quote.premium_pence, quote.subsidy_pence) == (1, 2, 9600, 2400)
    capped = pricing.quote(
        24_000,
        period_starts=start,
        period_ends=start + timedelta(days=364),
        cover_starts=start,
        subsidy_kind=SubsidyKind.FIXED,
        subsidy_value=5000,
        budget_left=1200,
    )
    assert (capped.subsidy_pence, capped.premium_pence) == (1200, 22_800)


@st.composite
def schemes(draw):
    """Three tiers (each cheaper), a subsidy of either kind (or none) with or without a budget, a pool size around a
    boundary, and how many days into the period a late joiner joins."""
    first = draw(st.integers(2_000, 200_000))
    second = draw(st.integers(1_000, first - 1))
    third = draw(st.integers(500, second - 1))
    at_two = draw(st.integers(2, 6))
    at_three = draw(st.integers(at_two + 1, 9))
    kind = draw(st.sampled_from(list(SubsidyKind)))
    value = {
        SubsidyKind.NONE: 0,
        SubsidyKind.FIXED: draw(st.integers(1, 300_000)),
        SubsidyKind.PERCENT: draw(st.integers(1, 100)),
    }[kind]
    budget = draw(st.one_of(st.none(), st.integers(0, 500_000)))
    pool = draw(st.sampled_from(sorted({at_two - 1, at_two, at_three - 1, at_three, at_three + 1})))
    late_days = draw(st.integers(0, 380))
    return {
        "tiers": [(1, first), (at_two, second), (at_three, third)],
        "kind": kind,
        "value": value,
        "budget": budget,
        "pool": pool,
        "late_days": late_days,
    }


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(case=schemes())
def test_the_price_shown_is_the_price_charged(ctx, clock, case):
    """Each pledger is shown the tier the pool reaches with them; after activation every member is charged the
    locked tier less the subsidy, and a late joiner is shown and charged the same pro rata premium."""
    clock.set(START)  # each example starts at the same moment (the fixture is made once for all of them)
    officer = factories.user(role="publisher")
    council = factories.publisher(officer)
    scheme = open_scheme(
        officer,
        council,
        threshold=1,
        tiers=case["tiers"],
        questions=[],
        subsidy_kind=case["kind"],
        subsidy_value=case["value"],
        subsidy_budget_pence=case["budget"],
    )
    for _ in range(case["pool"]):
        shown = enrolments.price_shown(scheme)
        owner = factories.user()
        activation.join(scheme, factories.enterprise(owner), owner, answers={}, invoice_mandate=True)
    tier_price = dict(case["tiers"])[max(m for m, _ in case["tiers"] if m <= case["pool"])]
    assert shown.quote.annual_price_pence == tier_price  # the last pledger was shown the tier the pool reached
    final = enrolments.price_shown(scheme, joining=False)  # the pool as it stands: the last pledger's price
    assert final.quote == shown.quote
    activation.activate_early(scheme, officer)
    charged = db.session.query(Enrolment).filter_by(scheme_id=scheme.id).order_by(Enrolment.id).all()
    assert {e.annual_price_pence for e in charged} == {tier_price}
    if case["budget"] is None:
        assert {e.premium_pence for e in charged} == {final.quote.premium_pence}
    assert all(e.premium_pence + e.subsidy_pence == tier_price for e in charged)
    assert sum(e.subsidy_pence for e in charged) <= (case["budget"] if case["budget"] is not None else 10**12)
    clock.set(clock.now() + timedelta(days=30 + case["late_days"]))
    if today() >= scheme.period_ends:
        return
    late = enrolments.price_shown(scheme)
    owner = factories.user()
    joined = activation.join(scheme, factories.enterprise(owner), owner, answers={}, invoice_mandate=True)
    assert (joined.premium_pence, joined.subsidy_pence) == (late.quote.premium_pence, late.quote.subsidy_pence)
    assert joined.cover_starts == today() and joined.premium_pence <= tier_price
