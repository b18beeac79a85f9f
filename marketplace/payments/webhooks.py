"""Stripe webhooks: signature verified on the raw body, each event processed exactly once."""

import logging

import stripe
from flask import Blueprint, abort, current_app, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.clock import utcnow
from ..extensions import csrf, db
from . import services
from .models import Payment, WebhookEvent
from .providers.stripe_provider import StripeProvider

log = logging.getLogger(__name__)
bp = Blueprint("payments_webhooks", __name__, url_prefix="/payments")
TOLERANCE_SECONDS = 300


def _verified_event(payload: bytes):
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        abort(400)
    try:
        return stripe.Webhook.construct_event(
            payload, request.headers.get("Stripe-Signature"), secret, tolerance=TOLERANCE_SECONDS
        )
    except (ValueError, stripe.SignatureVerificationError):
        abort(400)


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    """Receive a Stripe event: 400 without a valid signature; 200 once stored and handled (or already seen)."""
    event = _verified_event(request.get_data())
    db.session.add(WebhookEvent(provider="stripe", event_id=event.id, event_type=event.type, received_at=utcnow()))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return {"received": True, "duplicate": True}
    handler = HANDLERS.get(event.type)
    if handler:
        handler(event.data.object)
    db.session.commit()
    return {"received": True}


def _payment_for_checkout(session_id: str) -> Payment | None:
    # No row lock here: the services change a payment's status with conditional updates (exactly once), and the
    # purpose's handler takes its own locks in its own order (a training booking locks its session first).
    return db.session.scalar(select(Payment).where(Payment.provider_reference == session_id))


def _checkout_completed(data) -> None:
    """Confirm the order if Stripe (asked again, not the event body) says the session is paid."""
    session = StripeProvider.checkout_session(data.id)
    payment = _payment_for_checkout(session.id)
    if payment is None or session.payment_status != "paid":
        return
    services.record_success(payment, provider_payment_reference=_intent_id(session))


def _checkout_expired(data) -> None:
    """Release what the order held if Stripe says the session really expired unpaid."""
    session = StripeProvider.checkout_session(data.id)
    payment = _payment_for_checkout(session.id)
    if payment is None or session.status != "expired":
        return
    services.record_lapsed(payment)


def _charge_refunded(data) -> None:
    """Record refunds made at Stripe (for example from its dashboard) that we do not know yet."""
    charge = StripeProvider.charge(data.id)
    intent = (
        charge.payment_intent if isinstance(charge.payment_intent, str) else getattr(charge.payment_intent, "id", None)
    )
    payment = db.session.scalar(select(Payment).where(Payment.provider_payment_reference == intent))
    if payment is None:
        return
    for refund in charge.refunds.data if charge.refunds else []:
        # Ours or made in Stripe's dashboard: recorded once by its id. record_provider_refund locks the payment
        # first, so a transaction of ours that made this refund has committed (or rolled back) before we look.
        services.record_provider_refund(
            payment, provider_reference=refund.id, amount_pence=refund.amount, status=refund.status
        )


def _refund_updated(data) -> None:
    """A pending refund succeeded or failed at Stripe: update our record (read back from Stripe)."""
    refund = StripeProvider.refund_object(data.id)
    services.record_refund_outcome(refund.id, refund.status)


def _intent_id(session) -> str | None:
    intent = session.payment_intent
    return intent if isinstance(intent, str) or intent is None else intent.id


HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.expired": _checkout_expired,
    "charge.refunded": _charge_refunded,
    "charge.refund.updated": _refund_updated,
}
