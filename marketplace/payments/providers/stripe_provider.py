"""Stripe provider: Checkout (mode payment), refunds, and verified webhooks read back from Stripe; payouts by
Connect transfer (stripe_payouts.py) and saved payment methods charged off-session (stripe_saved.py).

Only the providers package imports stripe: every Stripe object, status and error is turned into our terms here.
"""

import logging
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import stripe
from flask import current_app

from ..models import RefundStatus
from .base import (
    CheckoutLapsed,
    CheckoutPaid,
    CheckoutRequest,
    PaymentProvider,
    ProviderEvent,
    RefundRequest,
    RefundResult,
    RefundSeen,
    RefundSettled,
    WebhookRefused,
)
from .stripe_api import calling_stripe, client, id_of
from .stripe_payouts import PAYOUT_READERS, StripePayouts
from .stripe_saved import SAVED_METHOD_READERS, StripeSavedMethods, setup_completed

log = logging.getLogger(__name__)
CHECKOUT_ORIGIN = "https://checkout.stripe.com"
TOLERANCE_SECONDS = 300  # a signed delivery older than this is refused (replay protection)

_REFUND_STATUS = {
    "succeeded": RefundStatus.SUCCEEDED,
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,  # settled later by a charge.refund.updated webhook
}
_FINAL_REFUND_STATUS = {
    "succeeded": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.FAILED,
}


class StripeProvider(StripePayouts, StripeSavedMethods, PaymentProvider):
    """Payments through Stripe Checkout; every write carries an idempotency key derived from our record."""

    name = "stripe"
    receives_webhooks = True
    pays_out_by_transfer = True
    needs_saved_method = True

    def start(self, payment, request: CheckoutRequest) -> str:
        """Create a Checkout Session and return its address; on a retry, the same session while it is open."""
        with calling_stripe():
            if payment.provider_reference:
                existing = self.checkout_session(payment.provider_reference)
                if existing.status == "open":
                    return existing.url
            session = client().v1.checkout.sessions.create(
                params=_checkout_params(payment, request),
                options={"idempotency_key": f"{payment.idempotency_key}-checkout"},
            )
        payment.provider_reference = session.id
        return session.url

    def refund(self, payment, request: RefundRequest) -> RefundResult:
        """Refund through the Refund API, keyed by our refund record."""
        with calling_stripe():
            result = client().v1.refunds.create(
                params={
                    "payment_intent": payment.provider_payment_reference,
                    "amount": request.amount_pence,
                    "metadata": {"refund_key": request.idempotency_key, "payment_id": str(payment.id)},
                },
                options={"idempotency_key": request.idempotency_key},
            )
        return RefundResult(_REFUND_STATUS.get(result.status, RefundStatus.FAILED), result.id)

    def cancel(self, payment) -> None:
        """Expire the Checkout Session so it cannot be paid (ignored if it is already finished)."""
        if not payment.provider_reference:
            return
        try:
            client().v1.checkout.sessions.expire(
                payment.provider_reference, options={"idempotency_key": f"{payment.idempotency_key}-expire"}
            )
        except stripe.InvalidRequestError:
            log.info("Checkout %s was already finished", payment.provider_reference)
        except stripe.StripeError as error:
            # Not fatal: the session expires by itself at its expires_at, and a late payment is refunded or kept.
            log.warning("Could not expire checkout %s: %s", payment.provider_reference, error)

    def order_words(self, payer_name: str) -> str:
        """The payer goes to the hosted Checkout page once the order is confirmed."""
        return "By card. When you confirm, we take you to a secure page to pay."

    def form_action_origins(self) -> tuple[str, ...]:
        """Stripe's hosted Checkout page (or STRIPE_API_BASE's, which serves it in the tests)."""
        base = urlsplit(current_app.config.get("STRIPE_API_BASE") or "")
        return (f"{base.scheme}://{base.netloc}" if base.scheme and base.netloc else CHECKOUT_ORIGIN,)

    def verified_event(self, payload: bytes, headers: Mapping) -> ProviderEvent:
        """The event, if its Stripe-Signature is valid and recent for STRIPE_WEBHOOK_SECRET (the account's endpoint)
        or STRIPE_CONNECT_WEBHOOK_SECRET (the Connect endpoint, which carries connected accounts' account.updated)."""
        config = current_app.config
        secrets = [s for s in (config.get("STRIPE_WEBHOOK_SECRET"), config.get("STRIPE_CONNECT_WEBHOOK_SECRET")) if s]
        if not secrets:
            raise WebhookRefused("STRIPE_WEBHOOK_SECRET is not set")
        event = _constructed(payload, headers.get("Stripe-Signature"), secrets)
        if _signed_at(headers.get("Stripe-Signature")) > time.time() + TOLERANCE_SECONDS:
            raise WebhookRefused("Timestamp is in the future")  # Stripe's library only refuses old ones
        return ProviderEvent(event.id, event.type, event.data.object)

    def event_facts(self, event: ProviderEvent) -> list:
        """What the event means, asked of Stripe again (the event body is never trusted)."""
        reader = _READERS.get(event.type)
        if reader is None:
            return []
        with calling_stripe():
            try:
                return reader(event.data)
            except stripe.InvalidRequestError as error:
                if error.http_status != 404:
                    raise
                # Genuinely signed, but about something Stripe does not know (deleted, or another account's test
                # object): nothing of ours to change, and no retry will make it known, so the event is kept as seen.
                log.warning("Stripe does not know the object of event %s (%s): %s", event.id, event.type, error)
                return []

    @staticmethod
    def checkout_session(session_id: str):
        """Read a Checkout Session back from Stripe."""
        return client().v1.checkout.sessions.retrieve(session_id)


def _checkout_params(payment, request: CheckoutRequest) -> dict:
    """The Checkout Session for a payment: one line, our ids in the metadata, a fixed expiry."""
    params = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": request.quantity,
                "price_data": {
                    "currency": payment.currency.lower(),
                    "unit_amount": request.unit_amount_pence,
                    "product_data": {"name": request.description[:250]},
                },
            }
        ],
        "success_url": request.success_url,
        "cancel_url": request.cancel_url,
        "client_reference_id": str(payment.id),
        "expires_at": int(request.expires_at.timestamp()),
        "metadata": {"payment_id": str(payment.id)},
        "payment_intent_data": {"metadata": {"payment_id": str(payment.id)}},
    }
    if request.customer_email:
        params["customer_email"] = request.customer_email
    return params


def _checkout_completed(data) -> list:
    """Paid, if Stripe says the session is paid; a method saved, if it was a setup session Stripe says is complete."""
    session = StripeProvider.checkout_session(data.id)
    if session.mode == "setup":
        return setup_completed(session)
    return [CheckoutPaid(session.id, id_of(session.payment_intent))] if session.payment_status == "paid" else []


def _checkout_expired(data) -> list:
    """Lapsed, if Stripe says the session really expired."""
    session = StripeProvider.checkout_session(data.id)
    return [CheckoutLapsed(session.id)] if session.status == "expired" else []


def _charge_refunded(data) -> list:
    """Every refund on the charge (ours, or made in Stripe's dashboard)."""
    charge = client().v1.charges.retrieve(data.id, params={"expand": ["refunds"]})
    intent = id_of(charge.payment_intent)
    if intent is None:
        return []
    return [
        RefundSeen(
            payment_reference=intent,
            reference=refund.id,
            amount_pence=refund.amount,
            status=RefundStatus.SUCCEEDED if refund.status == "succeeded" else RefundStatus.PENDING,
        )
        for refund in (charge.refunds.data if charge.refunds else [])
    ]


def _refund_updated(data) -> list:
    """A refund's final outcome, once Stripe has one."""
    refund = client().v1.refunds.retrieve(data.id)
    status = _FINAL_REFUND_STATUS.get(refund.status)
    return [RefundSettled(refund.id, status)] if status else []


def _constructed(payload: bytes, header: str | None, secrets: list[str]):
    """The event verified with the first secret that signed it (WebhookRefused if none did)."""
    for secret in secrets:
        try:
            return stripe.Webhook.construct_event(payload, header, secret, tolerance=TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError as error:
            refusal = error
        except ValueError as error:  # not JSON: no other secret makes it readable
            raise WebhookRefused(str(error)) from error
    raise WebhookRefused(str(refusal)) from refusal


def _signed_at(header: str) -> int:
    """The t= timestamp of a Stripe-Signature header the library has already verified."""
    stamps = [item.split("=", 1)[1] for item in header.split(",") if item.strip().startswith("t=")]
    return int(stamps[0])


_READERS = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.expired": _checkout_expired,
    "charge.refunded": _charge_refunded,
    "charge.refund.updated": _refund_updated,
    **PAYOUT_READERS,
    **SAVED_METHOD_READERS,
}
