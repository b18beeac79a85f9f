"""Joining and activation through the services: who may join (each rule refused with its reason), underwriting
answers that decline, the maximum, pledges (nobody charged), activation at the close charging each member the tier
reached less the subsidy, once; a scheme under its threshold fails and nobody is charged; cancelling; expiry."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.core.clock import today
from marketplace.core.errors import DomainError
from marketplace.core.jobs import run_due
from marketplace.extensions import db
from marketplace.insurance import activation, enrolments, schemes
from marketplace.insurance.models import Enrolment, Scheme
from marketplace.insurance.statuses import EnrolmentStatus, SchemeStatus, SubsidyKind
from marketplace.organisations.models import LegalForm
from marketplace.payments.models import Payment, PaymentPurpose
from tests import factories
from tests.database import count, notifications_for
from tests.insurance.world import answers, open_scheme


@pytest.fixture
def council(ctx, clock):
    officer = factories.user(name="Olive Officer", role="publisher")
    body = factories.publisher(officer)
    db.session.commit()
    return officer, body


def _enterprise(name="Acorn Care", **fields):
    owner = factories.user(name=f"Owner of {name}")
    organisation = factories.enterprise(owner, name=name, **fields)
    db.session.commit()
    return organisation, owner


def _join(scheme, name="Acorn Care", answer="no", **fields):
    organisation, owner = _enterprise(name, **fields)
    enrolment = activation.join(scheme, organisation, owner, answers=answers(scheme, answer), invoice_mandate=True)
    db.session.commit()
    return enrolment


def test_a_pledge_secures_a_place_and_charges_nobody(council):
    scheme = open_scheme(*council)
    enrolment = _join(scheme)
    assert enrolment.status == EnrolmentStatus.PLEDGED and enrolment.member_number.startswith("BKI-")
    assert enrolment.premium_pence is None and count(Payment) == 0
    assert enrolments.members(scheme) == 1
    assert [a.answer for a in enrolment.answers] == ["no"]


@pytest.mark.parametrize(
    ("rule", "fields", "reason"),
    [
        ("area", {"area_name": "York"}, "only for enterprises in Leeds"),
        ("legal form", {"legal_form": LegalForm.CHARITY}, "only for these kinds of business: sole trader"),
        ("staff", {"fte": Decimal("4.5")}, "2 full-time staff or fewer"),
        ("staff unknown", {"fte": None}, "Add how many full-time staff"),
    ],
)
def test_each_eligibility_rule_refuses_with_its_reason(council, rule, fields, reason):
    """Checked on the server: an enterprise outside the scheme's areas, legal forms or staff size is refused."""
    officer, body = council
    scheme = open_scheme(
        officer, body, area_ids=[factories.area("Leeds").id], legal_forms=LegalForm.SOLE_TRADER, max_fte=Decimal("2")
    )
    organisation, owner = _enterprise(**fields)
    assert any(reason in text for text in enrolments.reasons_not_eligible(scheme, organisation)), rule
    with pytest.raises(enrolments.NotEligible, match=reason):
        activation.join(scheme, organisation, owner, answers=answers(scheme), invoice_mandate=True)
    db.session.rollback()
    assert count(Enrolment) == 0
    fine, owner = _enterprise("Fine Care")
    assert enrolments.reasons_not_eligible(scheme, fine) == []


def test_outside_the_enrolment_window_nobody_joins(council, clock):
    scheme = open_scheme(*council)
    organisation, _ = _enterprise()
    clock.set(clock.now() + timedelta(days=8))
    assert enrolments.reasons_not_eligible(scheme, organisation) == ["Enrolment has closed"]
    later = open_scheme(*council, enrolment_opens=today() + timedelta(days=3))
    assert enrolments.reasons_not_eligible(later, organisation) == ["Enrolment has not opened yet"]


def test_a_declining_answer_refuses_and_keeps_nothing(council):
    scheme = open_scheme(*council)
    with pytest.raises(enrolments.Declined, match="cannot cover businesses that answer 'yes'"):
        _join(scheme, answer="yes")
    db.session.rollback()
    assert count(Enrolment) == 0


def test_every_question_must_be_answered_and_invoices_agreed(council):
    scheme = open_scheme(*council)
    organisation, owner = _enterprise()
    with pytest.raises(DomainError, match="Answer the question"):
        activation.join(scheme, organisation, owner, answers={}, invoice_mandate=True)
    db.session.rollback()
    with pytest.raises(DomainError, match="Agree to pay the premium by invoice"):
        activation.join(scheme, organisation, owner, answers=answers(scheme), invoice_mandate=False)


def test_only_an_owner_pledges_and_only_once(council):
    scheme = open_scheme(*council)
    enrolment = _join(scheme)
    member = factories.user()
    factories.membership(member, enrolment.organisation, role="member")
    with pytest.raises(DomainError):
        activation.join(scheme, enrolment.organisation, member, answers=answers(scheme), invoice_mandate=True)
    db.session.rollback()
    owner = enrolment.organisation.memberships[0].user
    with pytest.raises(enrolments.NotEligible, match="already joined"):
        activation.join(scheme, enrolment.organisation, owner, answers=answers(scheme), invoice_mandate=True)


def test_the_maximum_is_never_passed(council):
    scheme = open_scheme(*council, threshold=2, max_members=2)
    _join(scheme, "One")
    _join(scheme, "Two")
    with pytest.raises(enrolments.NotEligible, match="full"):
        _join(scheme, "Three")


def test_a_withdrawn_pledge_frees_its_place_and_can_pledge_again(council):
    scheme = open_scheme(*council)
    enrolment = _join(scheme)
    owner = enrolment.organisation.memberships[0].user
    enrolments.withdraw(enrolment, owner)
    db.session.commit()
    assert enrolment.status == EnrolmentStatus.CANCELLED and enrolments.members(scheme) == 0
    again = activation.join(scheme, enrolment.organisation, owner, answers=answers(scheme), invoice_mandate=True)
    assert again.id == enrolment.id and again.status == EnrolmentStatus.PLEDGED


def test_activation_at_the_close_charges_each_member_the_tier_reached_less_the_subsidy(council, clock):
    """Five pledges reach the second tier (£180): each pays £180 less £30 subsidy, by invoice, once; covered."""
    scheme = open_scheme(*council, subsidy_kind=SubsidyKind.FIXED, subsidy_value=3000)
    pledged = [_join(scheme, f"Care {n}") for n in range(5)]
    clock.set(clock.now() + timedelta(days=7))
    assert run_due(clock.now())["close-insurance-enrolment"] == 0  # the last day to join is still open
    clock.set(clock.now() + timedelta(days=1))
    assert run_due(clock.now())["close-insurance-enrolment"] == 1
    assert run_due(clock.now())["close-insurance-enrolment"] == 0
    db.session.expire_all()
    scheme = db.session.get(Scheme, scheme.id)
    assert scheme.status == SchemeStatus.ACTIVE and (scheme.locked_price_pence, scheme.locked_members) == (18_000, 5)
    payments = list(db.session.scalars(select(Payment).where(Payment.purpose == PaymentPurpose.SCHEME_PREMIUM)))
    assert sorted(p.amount_pence for p in payments) == [15_000] * 5
    for enrolment in pledged:
        enrolment = db.session.get(Enrolment, enrolment.id)
        assert enrolment.status == EnrolmentStatus.ACTIVE
        assert (enrolment.premium_pence, enrolment.subsidy_pence) == (15_000, 3000)
        assert enrolment.cover_starts == scheme.period_starts and enrolment.cover_ends == scheme.period_ends


def test_under_the_threshold_the_scheme_fails_and_nobody_is_charged(council, clock):
    officer, _ = council
    scheme = open_scheme(*council)
    pledged = [_join(scheme, f"Care {n}") for n in range(3)]
    clock.set(clock.now() + timedelta(days=8))
    run_due(clock.now())
    db.session.expire_all()
    assert db.session.get(Scheme, scheme.id).status == SchemeStatus.FAILED
    assert count(Payment) == 0
    assert {db.session.get(Enrolment, e.id).status for e in pledged} == {EnrolmentStatus.CANCELLED}
    owner = pledged[0].organisation.memberships[0].user
    (told,) = notifications_for(owner, "insurance_scheme_failed")
    assert "3 of the 5" in told.title and told.body == "Nobody has been charged."


def test_the_publisher_activates_early_only_with_the_threshold_met(council):
    officer, _ = council
    scheme = open_scheme(*council, threshold=2)
    _join(scheme, "One")
    with pytest.raises(DomainError, match="needs 2 members"):
        activation.activate_early(scheme, officer)
    db.session.rollback()
    _join(scheme, "Two")
    assert activation.activate_early(scheme, officer) == 2
    assert activation.activate_early(scheme, officer) == 0  # already active: nobody charged twice
    db.session.commit()
    assert count(Payment) == 2


def test_a_late_joiner_pays_the_locked_price_pro_rata(council, clock):
    """After activation the price is locked (however many join later) and a joiner pays for the days left."""
    officer, _ = council
    scheme = open_scheme(*council, threshold=1)
    _join(scheme, "First")
    activation.activate_early(scheme, officer)
    db.session.commit()
    clock.set(clock.now() + timedelta(days=30 + 73))  # 73 days into a 365-day period
    late = _join(scheme, "Late")
    assert late.status == EnrolmentStatus.ACTIVE and late.cover_starts == today()
    assert late.annual_price_pence == 24_000 and late.premium_pence == round(24_000 * 292 / 365)


def test_cancelling_an_open_scheme_tells_its_pledgers(council):
    officer, _ = council
    scheme = open_scheme(*council)
    enrolment = _join(scheme)
    schemes.cancel_scheme(scheme, officer)
    db.session.commit()
    assert enrolment.status == EnrolmentStatus.CANCELLED and count(Payment) == 0
    assert notifications_for(enrolment.organisation.memberships[0].user, "insurance_scheme_cancelled")


def test_a_scheme_needs_sensible_settings(council):
    officer, body = council
    with pytest.raises(DomainError, match="first price tier must start at 1"):
        open_scheme(officer, body, tiers=[(2, 1000)])
    with pytest.raises(DomainError, match="cost less"):
        open_scheme(officer, body, tiers=[(1, 1000), (5, 1000)])
    with pytest.raises(DomainError, match="close before the policy period ends"):
        open_scheme(officer, body, enrolment_closes=today() + timedelta(days=500))


def test_the_period_ending_expires_the_scheme_and_its_cover(council, clock):
    officer, _ = council
    scheme = open_scheme(*council, threshold=1)
    enrolment = _join(scheme)
    activation.activate_early(scheme, officer)
    db.session.commit()
    clock.set(clock.now() + timedelta(days=30 + 366))
    assert run_due(clock.now())["expire-insurance-schemes"] == 1
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).status == EnrolmentStatus.EXPIRED
