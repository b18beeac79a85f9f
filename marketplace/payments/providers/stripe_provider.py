"""Stripe provider: Checkout (mode payment), refunds, and reading objects back for webhooks."""

import stripe
from flask import current_app

from ..models import RefundStatus

_REFUND_STATUS = {
    "succeeded": RefundStatus.SUCCEEDED,
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,  # settled later by a charge.refund.updated webhook
}


def client() -> stripe.StripeClient:
    """A Stripe client; STRIPE_API_BASE sends calls to another server (the tests' Stripe)."""
    config = current_app.config
    secret = config.get("STRIPE_SECRET_KEY")
    if not secret:
        raise RuntimeError("Set STRIPE_SECRET_KEY to take payments with Stripe")
    base = config.get("STRIPE_API_BASE")
    addresses = {"api": base, "connect": base, "files": base} if base else None
    return stripe.StripeClient(secret, base_addresses=addresses, max_network_retries=2)


class StripeProvider:
    """Payments through Stripe Checkout; every write carries an idempotency key derived from our record."""

    name = "stripe"
    confirms_on_order = False

    def start(self, payment, request) -> str | None:
        """Create a Checkout Session and return its address; on a retry, the same session while it is open."""
        if payment.provider_reference:
            existing = self.checkout_session(payment.provider_reference)
            if existing.status == "open":
                return existing.url
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
            "customer_email": request.customer_email,
            "expires_at": int(request.expires_at.timestamp()),
            "metadata": {"payment_id": str(payment.id)},
            "payment_intent_data": {"metadata": {"payment_id": str(payment.id)}},
        }
        if not request.customer_email:
            del params["customer_email"]
        session = client().v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"{payment.idempotency_key}-checkout"}
        )
        payment.provider_reference = session.id
        return session.url

    def refund(self, payment, refund) -> None:
        """Refund through the Refund API, keyed by our refund record."""
        result = client().v1.refunds.create(
            params={
                "payment_intent": payment.provider_payment_reference,
                "amount": refund.amount_pence,
                "metadata": {"refund_id": str(refund.id), "payment_id": str(payment.id)},
            },
            options={"idempotency_key": refund.idempotency_key},
        )
        refund.provider_reference = result.id
        refund.status = _REFUND_STATUS.get(result.status, RefundStatus.FAILED)

    def cancel(self, payment) -> None:
        """Expire the Checkout Session so it cannot be paid (ignored if it is already finished)."""
        if not payment.provider_reference:
            return
        try:
            client().v1.checkout.sessions.expire(
                payment.provider_reference, options={"idempotency_key": f"{payment.idempotency_key}-expire"}
            )
        except stripe.InvalidRequestError:
            current_app.logger.info("Checkout %s was already finished", payment.provider_reference)
        except stripe.StripeError as error:
            # Not fatal: the session expires by itself at its expires_at, and a late payment is refunded or kept.
            current_app.logger.warning("Could not expire checkout %s: %s", payment.provider_reference, error)

    @staticmethod
    def checkout_session(session_id: str):
        """Read a Checkout Session back from Stripe (webhooks never trust the event body)."""
        return client().v1.checkout.sessions.retrieve(session_id)

    @staticmethod
    def refund_object(refund_id: str):
        """Read a Refund back from Stripe."""
        return client().v1.refunds.retrieve(refund_id)

    @staticmethod
    def charge(charge_id: str):
        """Read a Charge back from Stripe, with its refunds."""
        return client().v1.charges.retrieve(charge_id, params={"expand": ["refunds"]})
