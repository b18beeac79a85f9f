"""Provider webhooks: each delivery verified by its provider, each event processed exactly once.

Every provider that receives webhooks gets POST /payments/<name>/webhook (endpoint payments_webhooks.<name>_webhook).
The provider checks the signature and says what the event means (reading it back, never trusting the body);
this module records the event once and applies those facts through the payments services.
"""

import logging

from flask import Blueprint, abort, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.clock import utcnow
from ..core.permissions import public
from ..extensions import csrf, db
from . import connect, saved_methods, services
from .models import Payment, WebhookEvent
from .providers import (
    AccountUpdated,
    CheckoutLapsed,
    CheckoutPaid,
    MethodSaved,
    OffSessionCharge,
    PaymentProvider,
    ProviderError,
    RefundSeen,
    RefundSettled,
    WebhookRefused,
    all_providers,
)

log = logging.getLogger(__name__)
bp = Blueprint("payments_webhooks", __name__, url_prefix="/payments")
csrf.exempt(bp)  # deliveries are verified by the provider's signature instead


def receive(provider: PaymentProvider):
    """Receive an event: 400 without a valid signature; 200 once stored and handled (or already seen)."""
    try:
        event = provider.verified_event(request.get_data(), request.headers)
    except WebhookRefused as error:
        log.info("Refused a %s webhook: %s", provider.name, error)
        abort(400)
    db.session.add(WebhookEvent(provider=provider.name, event_id=event.id, event_type=event.type, received_at=utcnow()))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return {"received": True, "duplicate": True}
    try:
        facts = provider.event_facts(event)
    except ProviderError as error:  # not stored: the provider delivers the event again later
        db.session.rollback()
        log.warning("Could not read %s event %s back: %s", provider.name, event.id, error)
        return {"received": False}, 503
    for fact in facts:
        _apply(fact)
    db.session.commit()
    return {"received": True}


def _apply(fact) -> None:
    """Apply one fact from a verified event through the payments services."""
    _APPLY[type(fact)](fact)


def _checkout_paid(fact: CheckoutPaid) -> None:
    """A paid checkout: the payment succeeded."""
    payment = _payment_where(Payment.provider_reference == fact.reference)
    if payment is not None:
        services.record_success(payment, provider_payment_reference=fact.payment_reference)


def _checkout_lapsed(fact: CheckoutLapsed) -> None:
    """An expired checkout: the payment lapsed."""
    payment = _payment_where(Payment.provider_reference == fact.reference)
    if payment is not None:
        services.record_lapsed(payment)


def _refund_seen(fact: RefundSeen) -> None:
    """A refund at the provider: recorded once on its payment."""
    # Ours or made at the provider: recorded once by its reference. record_provider_refund locks the payment
    # first, so a transaction of ours that made this refund has committed (or rolled back) before we look.
    payment = _payment_where(Payment.provider_payment_reference == fact.payment_reference)
    if payment is not None:
        services.record_provider_refund(
            payment, provider_reference=fact.reference, amount_pence=fact.amount_pence, status=fact.status
        )


def _refund_settled(fact: RefundSettled) -> None:
    """A refund's final outcome."""
    services.record_refund_outcome(fact.reference, fact.status)


def _off_session_charge(fact: OffSessionCharge) -> None:
    """An off-session charge's outcome, applied to the payment it is for."""
    # The charge's outcome as the provider has it now: a late or repeated event of either kind ends the same way.
    payment = saved_methods.payment_charged(fact)
    if payment is not None:
        saved_methods.record_charge(payment, fact)


_APPLY = {
    CheckoutPaid: _checkout_paid,
    CheckoutLapsed: _checkout_lapsed,
    RefundSeen: _refund_seen,
    RefundSettled: _refund_settled,
    AccountUpdated: connect.record_account,
    MethodSaved: saved_methods.record_saved_method,
    OffSessionCharge: _off_session_charge,
}


def _payment_where(condition) -> Payment | None:
    # No row lock here: the services change a payment's status with conditional updates (exactly once), and the
    # purpose's handler takes its own locks in its own order (a training booking locks its session first).
    return db.session.scalar(select(Payment).where(condition))


def _view(provider: PaymentProvider):
    """The webhook view for one provider."""

    def view():
        return receive(provider)

    view.__name__ = view.__qualname__ = f"{provider.name}_webhook"
    view.__doc__ = f"Receive a {provider.name} event (signature-checked instead of signed in)."
    return public(view)


for _provider in all_providers():
    if _provider.receives_webhooks:
        bp.add_url_rule(f"/{_provider.name}/webhook", view_func=_view(_provider), methods=["POST"])
