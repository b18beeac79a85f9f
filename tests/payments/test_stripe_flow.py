"""Stripe payments end to end against the test Stripe server: checkout, verified exactly-once webhooks, refunds."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from marketplace.core.audit import AuditEvent
from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.payments import services as payments
from marketplace.payments.models import Payment, Refund, RefundStatus, WebhookEvent
from marketplace.payments.providers import RefundResult
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from marketplace.training.models import BookingStatus
from tests import factories

from .stripe_helpers import deliver


@pytest.fixture
def reserved(ctx, stripe_mode):
    """A Stripe-mode reservation of 2 places (£10 each, subsidised) with its Checkout Session started."""
    council = factories.publisher(areas=("Leeds",))
    session = factories.training_session(factories.course(council), capacity=2)
    owner = factories.user(name="Owner")
    enterprise = factories.enterprise(owner, area_name="Leeds")
    booking = bookings.create_booking(
        session, owner, enterprise, [Person("Ann", "ann@example.com"), Person("Bob", "bob@example.com")]
    )
    db.session.commit()
    url = payments.start(booking.payment, bookings.checkout_request(booking))
    db.session.commit()
    return booking, url


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def completed_event(server, booking):
    """Pay the checkout at the test server and build the event Stripe would send."""
    session = server.complete_checkout(booking.payment.provider_reference)
    return server.event("checkout.session.completed", session)


def test_checkout_holds_seats_and_sends_the_payer_to_stripe(reserved, stripe_mode):
    """A paid booking stays reserved, seats held, until Stripe says it is paid; the call carries our idempotency key."""
    booking, url = reserved
    assert booking.status == BookingStatus.RESERVED and booking.session.seats_taken == 2
    assert url.startswith(stripe_mode.base_url)
    created = [r for r in stripe_mode.requests if r.path == "/v1/checkout/sessions" and r.method == "POST"]
    assert created[0].idempotency_key == f"training-booking-{booking.id}-checkout"
    assert created[0].params["line_items"][0]["price_data"]["unit_amount"] == "1000"


def test_retrying_checkout_reuses_the_same_stripe_session(reserved, stripe_mode):
    """Starting the payment again replays the same Checkout Session (same idempotency key)."""
    booking, url = reserved
    first = booking.payment.provider_reference
    assert payments.start(booking.payment, bookings.checkout_request(booking)) == url
    assert booking.payment.provider_reference == first


def test_completed_webhook_confirms_and_emails(reserved, stripe_mode, client, outbox):
    """checkout.session.completed, verified and re-read from Stripe, confirms the booking and records the payment."""
    booking, _ = reserved
    response = deliver(client, stripe_mode, completed_event(stripe_mode, booking))
    assert response.status_code == 200
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.payment.status == "succeeded" and booking.payment.provider_payment_reference.startswith("pi_")
    assert outbox.to(booking.booker.email), "confirmation email"
    retrieved = [r for r in stripe_mode.requests if r.method == "GET" and r.path.startswith("/v1/checkout/sessions/")]
    assert retrieved, "the handler re-reads the session from Stripe"


@pytest.mark.parametrize(
    "signature", ["t=1,v1=deadbeef", "", "garbage"], ids=["wrong-signature", "missing", "malformed"]
)
def test_bad_signature_is_refused_and_writes_nothing(reserved, stripe_mode, client, signature):
    """Without a valid signature: 400, no event stored, booking unchanged."""
    booking, _ = reserved
    response = deliver(client, stripe_mode, completed_event(stripe_mode, booking), signature=signature)
    assert response.status_code == 400
    assert _count(WebhookEvent) == 0
    db.session.refresh(booking)
    assert booking.status == BookingStatus.RESERVED


def test_wrong_secret_and_stale_timestamp_are_refused(reserved, stripe_mode, client):
    """A signature made with another secret, older than 5 minutes, or more than 5 minutes ahead, gets 400."""
    booking, _ = reserved
    event = completed_event(stripe_mode, booking)
    assert deliver(client, stripe_mode, event, secret="whsec_other").status_code == 400
    assert deliver(client, stripe_mode, event, timestamp=int(time.time()) - 301).status_code == 400
    assert deliver(client, stripe_mode, event, timestamp=int(time.time()) + 400).status_code == 400
    assert _count(WebhookEvent) == 0
    assert deliver(client, stripe_mode, event, timestamp=int(time.time()) + 60).status_code == 200


def test_same_event_five_times_is_processed_once(reserved, stripe_mode, client):
    """Repeat deliveries of one event id change nothing after the first."""
    booking, _ = reserved
    event = completed_event(stripe_mode, booking)
    statuses = [deliver(client, stripe_mode, event).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert _count(WebhookEvent) == 1
    succeeded = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "payment.succeeded")
    confirmed = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "booking.confirmed")
    assert (db.session.scalar(succeeded), db.session.scalar(confirmed)) == (1, 1)


def test_completed_then_expired_stays_confirmed(reserved, stripe_mode, client):
    """An expired event after completion (re-read: the session is complete) changes nothing."""
    booking, _ = reserved
    event = completed_event(stripe_mode, booking)
    deliver(client, stripe_mode, event)
    session = stripe_mode.objects[booking.payment.provider_reference]
    deliver(client, stripe_mode, stripe_mode.event("checkout.session.expired", {**session, "status": "expired"}))
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED and booking.session.seats_taken == 2


def test_expired_event_releases_seats(reserved, stripe_mode, client):
    """checkout.session.expired (Stripe says expired) releases the held seats and cancels the payment."""
    booking, _ = reserved
    session = stripe_mode.expire_checkout(booking.payment.provider_reference)
    deliver(client, stripe_mode, stripe_mode.event("checkout.session.expired", session))
    db.session.refresh(booking)
    assert booking.status == BookingStatus.EXPIRED and booking.session.seats_taken == 0
    assert booking.payment.status == "cancelled"


def test_paid_after_hold_expired_is_confirmed_if_seats_remain(reserved, stripe_mode, client):
    """Our job expired the hold, then the payment (made just before) arrives: seats are taken again and confirmed."""
    booking, _ = reserved
    event = completed_event(stripe_mode, booking)
    assert bookings.expire_holds(utcnow() + timedelta(minutes=16)) == 1
    db.session.commit()
    deliver(client, stripe_mode, event)
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED and booking.session.seats_taken == 2


def test_paid_after_seats_went_elsewhere_is_refunded(reserved, stripe_mode, client):
    """If the released seats were taken meanwhile, the late payment is refunded in full through the Refund API."""
    booking, _ = reserved
    event = completed_event(stripe_mode, booking)
    bookings.expire_holds(utcnow() + timedelta(minutes=16))
    other = factories.user()
    factories.booking(booking.session, other, people=[("Cat", "cat@example.com"), ("Dot", "dot@example.com")])
    db.session.commit()
    deliver(client, stripe_mode, event)
    db.session.refresh(booking)
    assert booking.status == BookingStatus.EXPIRED
    assert booking.payment.status == "refunded"
    refund_calls = [r for r in stripe_mode.requests if r.method == "POST" and r.path == "/v1/refunds"]
    assert refund_calls and refund_calls[0].idempotency_key.startswith(f"training-booking-{booking.id}-refund")


def test_cancelling_a_paid_booking_refunds_through_stripe_once(reserved, stripe_mode, client):
    """A booker's cancellation before the cut-off refunds in full via the Refund API; the charge.refunded echo adds nothing."""
    booking, _ = reserved
    deliver(client, stripe_mode, completed_event(stripe_mode, booking))
    db.session.refresh(booking)
    assert bookings.cancel_booking(booking, booking.booker) == 2000
    db.session.commit()
    charge_id = stripe_mode.objects[booking.payment.provider_payment_reference]["latest_charge"]
    deliver(client, stripe_mode, stripe_mode.event("charge.refunded", stripe_mode.objects[charge_id]))
    assert _count(Refund) == 1
    assert db.session.scalar(select(Payment.status)) == "refunded"
    assert payments.reconciliation_problems() == []


def test_refund_made_in_stripe_dashboard_is_recorded(reserved, stripe_mode, client, stripe_client):
    """charge.refunded for a refund we did not make records it once, keeping totals reconciled."""
    booking, _ = reserved
    deliver(client, stripe_mode, completed_event(stripe_mode, booking))
    db.session.refresh(booking)
    stripe_client.v1.refunds.create(
        params={"payment_intent": booking.payment.provider_payment_reference, "amount": 500}
    )
    charge_id = stripe_mode.objects[booking.payment.provider_payment_reference]["latest_charge"]
    event = stripe_mode.event("charge.refunded", stripe_mode.objects[charge_id])
    deliver(client, stripe_mode, event)
    deliver(client, stripe_mode, stripe_mode.event("charge.refunded", stripe_mode.objects[charge_id]))
    db.session.refresh(booking.payment)
    assert (booking.payment.refunded_pence, booking.payment.status) == (500, "partially_refunded")
    assert payments.reconciliation_problems() == []


def test_pay_now_again_later_reuses_the_open_checkout(reserved, stripe_mode):
    """Coming back to pay reuses the open Checkout Session rather than creating another (or failing)."""
    booking, url = reserved
    assert payments.start(booking.payment, bookings.checkout_request(booking)) == url
    created = [r for r in stripe_mode.requests if r.method == "POST" and r.path == "/v1/checkout/sessions"]
    assert len(created) == 1


def test_checkout_expiry_is_fixed_per_booking(reserved):
    """The Checkout expiry comes from the booking, so a retried call sends exactly the same parameters."""
    booking, _ = reserved
    first = bookings.checkout_request(booking).expires_at
    assert first == booking.created_at + timedelta(minutes=45)
    assert bookings.checkout_request(booking).expires_at == first


def test_stripe_unreachable_during_cancellation_changes_nothing(reserved, stripe_mode, client, app):
    """If the refund cannot be made, the person is told to try again and the booking stays as it was."""
    from marketplace.core.errors import DomainError

    booking, _ = reserved
    deliver(client, stripe_mode, completed_event(stripe_mode, booking))
    db.session.refresh(booking)
    app.config["STRIPE_SECRET_KEY"] = "rk_wrong_key"
    with pytest.raises(DomainError, match="could not reach the payment provider"):
        bookings.cancel_booking(booking, booking.booker)
    db.session.rollback()
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED and booking.payment.refunded_pence == 0


def test_hold_expiry_job_works_when_stripe_is_unreachable(reserved, stripe_mode, app):
    """Seats are released even if Stripe cannot be told (its session expires by itself)."""
    booking, _ = reserved
    app.config["STRIPE_SECRET_KEY"] = "rk_wrong_key"
    assert bookings.expire_holds(utcnow() + timedelta(minutes=16)) == 1
    db.session.commit()
    assert booking.status == BookingStatus.EXPIRED and booking.session.seats_taken == 0


def test_refund_updated_webhook_settles_a_pending_refund(reserved, stripe_mode, client):
    """charge.refund.updated (re-read from Stripe) turns our pending refund into succeeded."""
    booking, _ = reserved
    deliver(client, stripe_mode, completed_event(stripe_mode, booking))
    db.session.refresh(booking)
    bookings.cancel_booking(booking, booking.booker)
    refund = db.session.scalar(select(Refund))
    db.session.execute(update(Refund).values({"status": RefundStatus.PENDING}))  # as if Stripe had not settled it
    db.session.commit()
    deliver(
        client,
        stripe_mode,
        stripe_mode.event("refund.updated", stripe_mode.objects[refund.provider_reference])
        | {"type": "charge.refund.updated"},
    )
    db.session.refresh(refund)
    assert refund.status == "succeeded"


def test_failed_refund_is_taken_off_the_total(ctx):
    """A refund Stripe reports as failed no longer counts as refunded, and reconciliation still holds."""
    payment = factories.payment(provider="stripe", status="refunded", amount_pence=1000)
    payment.refunded_pence = 1000
    db.session.add(
        Refund(
            payment=payment,
            amount_pence=1000,
            reason="test",
            status="pending",
            provider_reference="re_failing",
            idempotency_key="k-failing",
        )
    )
    db.session.flush()
    assert payments.record_refund_outcome("re_failing", RefundStatus.FAILED)
    assert (payment.refunded_pence, payment.status) == (0, "succeeded")
    assert payments.reconciliation_problems() == []


def test_event_body_is_not_trusted(reserved, stripe_mode, client):
    """A completed event whose body says 'paid' does nothing while Stripe itself says the session is unpaid."""
    booking, _ = reserved
    session = stripe_mode.objects[booking.payment.provider_reference]
    forged = stripe_mode.event(
        "checkout.session.completed", {**session, "status": "complete", "payment_status": "paid"}
    )
    assert deliver(client, stripe_mode, forged).status_code == 200
    db.session.refresh(booking)
    assert booking.status == BookingStatus.RESERVED and booking.payment.status == "pending"


def test_stale_expired_event_before_completed_ends_confirmed(reserved, stripe_mode, client):
    """Out of order: an 'expired' event arriving first is checked against Stripe (complete), then 'completed' confirms."""
    booking, _ = reserved
    paid = stripe_mode.complete_checkout(booking.payment.provider_reference)
    deliver(client, stripe_mode, stripe_mode.event("checkout.session.expired", {**paid, "status": "expired"}))
    db.session.refresh(booking)
    assert booking.status == BookingStatus.RESERVED and booking.session.seats_taken == 2
    deliver(client, stripe_mode, stripe_mode.event("checkout.session.completed", paid))
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED and booking.payment.status == "succeeded"


def test_refused_refund_tells_booker_and_publisher(reserved, stripe_mode, client, monkeypatch):
    """If Stripe refuses a refund, nothing is counted as refunded and both the booker and the publisher's owners are told."""
    from marketplace.core.notifications import Notification
    from marketplace.payments.providers.stripe_provider import StripeProvider

    booking, _ = reserved
    deliver(client, stripe_mode, completed_event(stripe_mode, booking))
    db.session.refresh(booking)

    def refuse(self, payment, request):
        return RefundResult(RefundStatus.FAILED, "re_refused")

    monkeypatch.setattr(StripeProvider, "refund", refuse)
    assert bookings.cancel_booking(booking, booking.booker) == 0
    db.session.commit()  # as the caller does: the owners' notifications are a fan-out job that runs after the commit
    kinds = db.session.scalars(select(Notification.user_id).where(Notification.kind == "refund_failed")).all()
    owner_of_council = booking.session.course.organisation.memberships[0].user_id
    assert sorted(kinds) == sorted([booking.booker_id, owner_of_council])
    assert booking.payment.refunded_pence == 0


def test_charge_refunded_body_is_not_trusted(reserved, stripe_mode, client):
    """A charge.refunded event listing a refund Stripe does not have records nothing (the charge is re-read)."""
    booking, _ = reserved
    deliver(client, stripe_mode, completed_event(stripe_mode, booking))
    db.session.refresh(booking)
    charge = stripe_mode.objects[stripe_mode.objects[booking.payment.provider_payment_reference]["latest_charge"]]
    forged_refund = {"id": "re_forged", "object": "refund", "amount": 2000, "status": "succeeded", "metadata": {}}
    forged = {
        **charge,
        "refunded": True,
        "amount_refunded": 2000,
        "refunds": {"object": "list", "data": [forged_refund]},
    }
    deliver(client, stripe_mode, stripe_mode.event("charge.refunded", forged))
    db.session.refresh(booking.payment)
    assert booking.payment.refunded_pence == 0 and _count(Refund) == 0


def test_expiring_a_checkout_carries_an_idempotency_key(reserved, stripe_mode):
    """Stopping an unpaid checkout (the hold expired) is an idempotent write keyed by our payment."""
    booking, _ = reserved
    bookings.expire_holds(utcnow() + timedelta(minutes=16))
    expire = [r for r in stripe_mode.requests if r.method == "POST" and r.path.endswith("/expire")]
    assert expire and expire[0].idempotency_key == f"training-booking-{booking.id}-expire"


def test_refunds_never_exceed_what_was_paid(ctx):
    """Asking to refund more than remains refunds only what remains, whether we ask or Stripe reports it."""
    payment = factories.payment(provider="invoice", status="succeeded", amount_pence=1500)
    first = payments.refund(payment, 1000, "part")
    second = payments.refund(payment, 99999, "the rest and more")
    assert (first.amount_pence, second.amount_pence, payment.refunded_pence) == (1000, 500, 1500)
    assert payments.refund(payment, 100, "nothing left") is None
    other = factories.payment(provider="stripe", status="succeeded", amount_pence=800)
    payments.record_provider_refund(
        other, provider_reference="re_big", amount_pence=5000, status=RefundStatus.SUCCEEDED
    )
    assert other.refunded_pence == 800 and other.status == "refunded"


def test_reconciliation_reports_over_recorded_refunds(ctx):
    """A payment claiming more refunded than its refund rows show is reported."""
    payment = factories.payment(provider="invoice", status="succeeded", amount_pence=1500)
    payments.refund(payment, 500, "part")
    payment.refunded_pence = 900
    db.session.flush()
    assert payments.reconciliation_problems() == [f"Payment {payment.id}: refunded_pence 900 but refunds total 500"]
