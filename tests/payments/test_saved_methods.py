"""Saved payment methods and off-session cover charges through the services and webhooks (Stripe test server),
and cover charges as invoices in invoice mode."""

import pytest
from sqlalchemy import func, select

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import DomainError
from marketplace.core.permissions import NotAllowed
from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.payments import saved_methods
from marketplace.payments import services as payments
from marketplace.payments.models import Payment, PaymentPurpose, PaymentStatus, SavedPaymentMethod, WebhookEvent
from tests import factories

from .stripe_helpers import deliver, server_client

RETURN, CANCEL = "https://backstop.example/cover/card-saved", "https://backstop.example/cover/card"


@pytest.fixture
def parties(ctx):
    """An enterprise (its owner, and a member who is not a finance person) that a council charges for cover."""
    owner = factories.user(name="Ann Owner")
    enterprise = factories.enterprise(owner, name="Ann's Care")
    member = factories.user()
    factories.membership(member, enterprise, role=MemberRole.MEMBER)
    council = factories.publisher()
    db.session.commit()
    return enterprise, owner, member, council


def cover_charge(enterprise, council, *, key="cover-charge-1", amount=4250) -> Payment:
    """A pending cover charge, as approving a timesheet makes one."""
    return payments.create_payment(
        purpose=PaymentPurpose.COVER_CHARGE,
        amount_pence=amount,
        description="Relief cover beyond your funded hours",
        key=key,
        payer_organisation=enterprise,
        payee_organisation=council,
    )


def fresh(model, row_id):
    """A row as the last transaction (perhaps a job's) left it."""
    db.session.expire_all()
    return db.session.get(model, row_id)


def save_card(server, client, enterprise, owner, card="visa") -> str:
    """Save a card the way the owner would: start, save it on the hosted page, and the webhook completes it."""
    saved_methods.start_saving_method(enterprise, return_url=RETURN, cancel_url=CANCEL, actor=owner)
    db.session.commit()
    reference = saved_methods.saved_method_of(enterprise).setup_reference
    session = server.complete_setup_checkout(reference, card=card)
    assert deliver(client, server, server.event("checkout.session.completed", session)).status_code == 200
    return reference


def intents_posted(server) -> list:
    """The POST /v1/payment_intents requests the server received."""
    return [r for r in server.requests if r.method == "POST" and r.path == "/v1/payment_intents"]


# Invoice mode


def test_invoice_mode_invoices_cover_charges(parties, stripe_server):
    enterprise, owner, _, council = parties
    assert saved_methods.needs_saved_method() is False and saved_methods.has_saved_method(enterprise) is False
    payment = cover_charge(enterprise, council)
    payments.collect_later(payment)
    db.session.commit()
    payment = fresh(Payment, payment.id)
    assert payment.status == PaymentStatus.PENDING and payment.invoice_reference.startswith("BSP-")
    assert payment.due_on is not None and payments.issues_invoice(payment)
    assert stripe_server.requests == []
    with pytest.raises(DomainError, match="invoiced"):
        saved_methods.start_saving_method(enterprise, return_url=RETURN, cancel_url=CANCEL, actor=owner)
    with pytest.raises(DomainError):
        saved_methods.charge_saved_method(payment)


# Saving a method


def test_saving_a_method_makes_one_customer_and_reuses_the_open_setup(parties, stripe_mode):
    enterprise, owner, _, _ = parties
    assert saved_methods.needs_saved_method() is True
    first = saved_methods.start_saving_method(enterprise, return_url=RETURN, cancel_url=CANCEL, actor=owner)
    db.session.commit()
    again = saved_methods.start_saving_method(enterprise, return_url=RETURN, cancel_url=CANCEL, actor=owner)
    db.session.commit()
    assert first == again and first.startswith(f"{stripe_mode.base_url}/checkout/")
    customers = [r for r in stripe_mode.requests if r.method == "POST" and r.path == "/v1/customers"]
    assert len(customers) == 1 and customers[0].idempotency_key == f"organisation-{enterprise.id}-customer"
    (session,) = [r for r in stripe_mode.requests if r.method == "POST" and r.path == "/v1/checkout/sessions"]
    assert (session.params["mode"], session.params["success_url"]) == ("setup", RETURN)
    saved = saved_methods.saved_method_of(enterprise)
    assert session.params["customer"] == saved.provider_customer_id and saved.payment_method_reference is None
    assert saved_methods.has_saved_method(enterprise) is False


def test_only_finance_people_save_a_method(parties, stripe_mode):
    enterprise, _, member, _ = parties
    for person in (member, factories.user()):
        with pytest.raises(NotAllowed):
            saved_methods.start_saving_method(enterprise, return_url=RETURN, cancel_url=CANCEL, actor=person)
    assert stripe_mode.requests == []


def test_setup_completed_webhook_saves_the_method_once(parties, stripe_mode, client):
    enterprise, owner, _, _ = parties
    reference = save_card(stripe_mode, client, enterprise, owner)
    saved = saved_methods.saved_method_of(enterprise)
    intent = server_client(stripe_mode).v1.checkout.sessions.retrieve(reference).setup_intent
    method = stripe_mode.get_object("setup_intent", intent)["payment_method"]
    assert saved_methods.has_saved_method(enterprise) and saved.payment_method_reference == method
    event = stripe_mode.event("checkout.session.completed", stripe_mode.get_object("checkout.session", reference))
    assert deliver(client, stripe_mode, event).status_code == 200
    deliver(client, stripe_mode, event)
    saved_events = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "payment_method.saved")
    assert db.session.scalar(saved_events) == 1
    assert db.session.scalar(select(func.count()).select_from(SavedPaymentMethod)) == 1


def test_an_older_setup_arriving_late_does_not_replace_the_newer_method(parties, stripe_mode, client):
    enterprise, owner, _, _ = parties
    first = save_card(stripe_mode, client, enterprise, owner)
    old_event = stripe_mode.event("checkout.session.completed", stripe_mode.get_object("checkout.session", first))
    stripe_mode.now = lambda: stripe_mode.default_now() + 60  # the second card is saved a minute later
    save_card(stripe_mode, client, enterprise, owner, card="declined")
    newer = fresh(SavedPaymentMethod, saved_methods.saved_method_of(enterprise).id).payment_method_reference
    deliver(client, stripe_mode, old_event)
    assert fresh(SavedPaymentMethod, saved_methods.saved_method_of(enterprise).id).payment_method_reference == newer


# Off-session charges


def test_off_session_charge_succeeds_with_the_payments_key(parties, stripe_mode, client):
    enterprise, owner, _, council = parties
    save_card(stripe_mode, client, enterprise, owner)
    payment = cover_charge(enterprise, council)
    db.session.commit()
    assert saved_methods.charge_saved_method(payment) == PaymentStatus.SUCCEEDED
    db.session.commit()
    payment = fresh(Payment, payment.id)
    assert payment.is_paid and payment.provider_payment_reference.startswith("pi_") and payment.paid_at
    (posted,) = intents_posted(stripe_mode)
    assert posted.idempotency_key == "cover-charge-1"
    assert (posted.params["confirm"], posted.params["off_session"], posted.params["amount"]) == ("true", "true", "4250")
    assert saved_methods.charge_saved_method(payment) == PaymentStatus.SUCCEEDED  # charged already: not again
    assert len(intents_posted(stripe_mode)) == 1
    event = stripe_mode.event(
        "payment_intent.succeeded", stripe_mode.get_object("payment_intent", payment.provider_payment_reference)
    )
    assert deliver(client, stripe_mode, event).status_code == 200
    succeeded = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "payment.succeeded")
    assert db.session.scalar(succeeded) == 1


def test_declined_charge_fails_then_late_success_and_replays_end_paid(parties, stripe_mode, client):
    """Declined (the bank wants the payer to authenticate): failed. The payer authenticates later: succeeded, and
    the old payment_failed event replayed after that leaves it paid (each event is read back from Stripe)."""
    enterprise, owner, _, council = parties
    save_card(stripe_mode, client, enterprise, owner, card="authentication_required")
    payment = cover_charge(enterprise, council)
    db.session.commit()
    assert saved_methods.charge_saved_method(payment) == PaymentStatus.FAILED
    db.session.commit()
    payment = fresh(Payment, payment.id)
    intent_id = payment.provider_payment_reference
    assert payment.status == PaymentStatus.FAILED and intent_id.startswith("pi_")
    failed = select(AuditEvent).where(AuditEvent.action == "payment.failed")
    assert "authentication" in db.session.scalars(failed).one().details["reason"]
    failed_event = stripe_mode.event(
        "payment_intent.payment_failed", stripe_mode.get_object("payment_intent", intent_id)
    )
    deliver(client, stripe_mode, failed_event)
    assert fresh(Payment, payment.id).status == PaymentStatus.FAILED
    succeeded = stripe_mode.succeed_payment_intent(intent_id)
    deliver(client, stripe_mode, stripe_mode.event("payment_intent.succeeded", succeeded))
    deliver(client, stripe_mode, failed_event)  # a replay
    deliver(
        client,
        stripe_mode,
        stripe_mode.event("payment_intent.payment_failed", stripe_mode.get_object("payment_intent", intent_id)),
    )
    assert fresh(Payment, payment.id).status == PaymentStatus.SUCCEEDED
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 4  # the setup + 3 new events


def test_plain_decline_fails_and_a_retry_replays_the_decline(parties, stripe_mode, client):
    enterprise, owner, _, council = parties
    save_card(stripe_mode, client, enterprise, owner, card="declined")
    payment = cover_charge(enterprise, council)
    db.session.commit()
    assert saved_methods.charge_saved_method(payment) == PaymentStatus.FAILED
    db.session.commit()
    assert saved_methods.charge_saved_method(fresh(Payment, payment.id)) == PaymentStatus.FAILED
    assert len(intents_posted(stripe_mode)) == 1


def test_success_known_only_by_webhook_is_recorded(parties, stripe_mode, client):
    """Our transaction that charged was lost after Stripe took the money: the webhook finds the payment by its id."""
    enterprise, owner, _, council = parties
    save_card(stripe_mode, client, enterprise, owner)
    payment = cover_charge(enterprise, council)
    db.session.commit()
    saved = saved_methods.saved_method_of(enterprise)
    intent = server_client(stripe_mode).v1.payment_intents.create(
        params={
            "amount": 4250,
            "currency": "gbp",
            "customer": saved.provider_customer_id,
            "payment_method": saved.payment_method_reference,
            "confirm": True,
            "off_session": True,
            "metadata": {"payment_id": str(payment.id), "charge": "off_session"},
        }
    )
    deliver(client, stripe_mode, stripe_mode.event("payment_intent.succeeded", intent.to_dict()))
    payment = fresh(Payment, payment.id)
    assert payment.status == PaymentStatus.SUCCEEDED and payment.provider_payment_reference == intent.id


def test_collect_later_charges_now_or_once_a_method_is_saved(parties, stripe_mode, client):
    enterprise, owner, _, council = parties
    waiting = cover_charge(enterprise, council, key="cover-charge-1")
    payments.collect_later(waiting)
    db.session.commit()  # the job finds no saved method: the charge waits
    assert fresh(Payment, waiting.id).status == PaymentStatus.PENDING and intents_posted(stripe_mode) == []
    save_card(stripe_mode, client, enterprise, owner)  # saving one collects what waited
    assert fresh(Payment, waiting.id).status == PaymentStatus.SUCCEEDED
    later = cover_charge(enterprise, council, key="cover-charge-2")
    payments.collect_later(later)
    db.session.commit()
    assert fresh(Payment, later.id).status == PaymentStatus.SUCCEEDED
    assert [r.idempotency_key for r in intents_posted(stripe_mode)] == ["cover-charge-1", "cover-charge-2"]


def test_only_off_session_purposes_are_taken_from_a_saved_method(parties, stripe_mode):
    """A training booking is paid at a checkout: only purposes their features declare off-session are charged."""
    enterprise, _, _, council = parties
    payment = payments.create_payment(
        purpose=PaymentPurpose.TRAINING_BOOKING,
        amount_pence=1000,
        description="Training",
        key="training-1",
        payer_organisation=enterprise,
        payee_organisation=council,
    )
    with pytest.raises(DomainError, match="without the payer present"):
        saved_methods.charge_saved_method(payment)
    with pytest.raises(saved_methods.NoSavedMethod):
        saved_methods.charge_saved_method(cover_charge(enterprise, council))
