"""Premiums through the Stripe test server: a pledge saves a card (nobody charged), activation charges it off-session
with a key from our own enrolment; a declined card leaves the pledge standing with a notice, retried once a day, and
cancels it after 7 days unpaid."""

from sqlalchemy import select

from marketplace.core.jobs import run_due
from marketplace.extensions import db
from marketplace.insurance import activation, enrolments
from marketplace.insurance.models import Enrolment
from marketplace.insurance.statuses import EnrolmentStatus
from marketplace.payments.models import Payment, PaymentStatus
from tests import factories
from tests.database import notifications_for
from tests.insurance.world import answers, open_scheme
from tests.pages import main_text
from tests.payments.test_saved_methods import intents_posted, save_card


def _pledge(scheme, server, client, *, card="visa"):
    owner = factories.user()
    organisation = factories.enterprise(owner)
    db.session.commit()
    enrolment = activation.join(scheme, organisation, owner, answers=answers(scheme))
    db.session.commit()
    assert enrolments.awaits_payment_method(enrolment)
    save_card(server, client, organisation, owner, card=card)
    return enrolment.id, owner


def _fresh(enrolment_id) -> Enrolment:
    db.session.expire_all()
    return db.session.get(Enrolment, enrolment_id)


def test_activation_charges_each_saved_card_once_with_our_key(ctx, clock, stripe_mode, client):
    officer = factories.user(role="publisher")
    council = factories.publisher(officer)
    scheme = open_scheme(officer, council, threshold=2)
    first, _ = _pledge(scheme, stripe_mode, client)
    second, _ = _pledge(scheme, stripe_mode, client)
    assert intents_posted(stripe_mode) == []  # nobody charged while pledging
    activation.activate_early(scheme, officer)
    db.session.commit()  # the charges are queued for after the commit (run in process here)
    for enrolment_id in (first, second):
        enrolment = _fresh(enrolment_id)
        assert enrolment.status == EnrolmentStatus.ACTIVE and enrolment.payment.status == PaymentStatus.SUCCEEDED
    keys = sorted(r.idempotency_key for r in intents_posted(stripe_mode))
    assert keys == sorted(f"insurance-premium-{e}-{scheme.id}-1" for e in (first, second))
    assert {r.params["amount"] for r in intents_posted(stripe_mode)} == {"24000"}


def test_a_declined_card_is_retried_daily_then_the_pledge_is_cancelled(ctx, clock, stripe_mode, client):
    officer = factories.user(role="publisher")
    council = factories.publisher(officer)
    scheme = open_scheme(officer, council, threshold=2)
    fixed, fixed_owner = _pledge(scheme, stripe_mode, client, card="declined")
    never, never_owner = _pledge(scheme, stripe_mode, client, card="declined")
    activation.activate_early(scheme, officer)
    db.session.commit()
    for enrolment_id, owner in ((fixed, fixed_owner), (never, never_owner)):
        enrolment = _fresh(enrolment_id)
        assert enrolment.status == EnrolmentStatus.PLEDGED and enrolment.charge_failed_at is not None
        (told,) = notifications_for(owner, "insurance_charge_failed")
        assert "declined" in told.title and "try again each day" in told.body
    assert run_due(clock.now())["retry-insurance-premiums"] == 0  # not yet a day
    save_card(stripe_mode, client, _fresh(fixed).organisation, fixed_owner)  # a card that works
    clock.advance(days=1, minutes=1)
    assert run_due(clock.now())["retry-insurance-premiums"] == 2
    assert _fresh(fixed).status == EnrolmentStatus.ACTIVE
    assert _fresh(never).status == EnrolmentStatus.PLEDGED
    clock.advance(days=6)
    run_due(clock.now())
    assert _fresh(never).status == EnrolmentStatus.CANCELLED and _fresh(never).ended_reason == "unpaid"
    assert notifications_for(never_owner, "insurance_enrolment_cancelled")
    charged = select(Payment).where(Payment.status == PaymentStatus.SUCCEEDED)
    assert [p.idempotency_key for p in db.session.scalars(charged)] == [f"insurance-premium-{fixed}-{scheme.id}-2"]


def test_the_dashboard_asks_for_a_card_then_for_another_after_a_decline(ctx, clock, stripe_mode, client, login_as):
    officer = factories.user(role="publisher")
    council = factories.publisher(officer)
    scheme = open_scheme(officer, council, threshold=1)
    owner = factories.user()
    organisation = factories.enterprise(owner)
    db.session.commit()
    activation.join(scheme, organisation, owner, answers=answers(scheme))
    db.session.commit()
    login_as(owner)
    assert f"Save a card for your {scheme.name} pledge" in main_text(client.get("/dashboard"))
    save_card(stripe_mode, client, organisation, owner, card="declined")
    assert f"Save a card for your {scheme.name} pledge" not in main_text(client.get("/dashboard"))
    activation.activate_early(db.session.get(type(scheme), scheme.id), officer)
    db.session.commit()
    assert f"Save another card for your {scheme.name} premium" in main_text(client.get("/dashboard"))
