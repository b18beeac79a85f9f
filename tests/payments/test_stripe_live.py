"""Opt-in: the same Stripe calls against real Stripe test mode (set STRIPE_TEST_SECRET_KEY=sk_test_...)."""

import os
import time
from datetime import timedelta

import pytest
import stripe

from marketplace.core.clock import utcnow
from marketplace.payments.models import RefundStatus
from marketplace.payments.providers import CheckoutRequest, RefundRequest
from marketplace.payments.providers.stripe_provider import StripeProvider, client
from tests import factories

KEY = os.environ.get("STRIPE_TEST_SECRET_KEY", "")
pytestmark = pytest.mark.skipif(
    not KEY.startswith("sk_test_"),
    reason="opt-in: set STRIPE_TEST_SECRET_KEY to a Stripe test-mode key (needs internet)",
)


@pytest.fixture
def live_stripe(app, ctx):
    """Point the app at real Stripe test mode for one test."""
    previous = {k: app.config.get(k) for k in ("PAYMENT_PROVIDER", "STRIPE_SECRET_KEY", "STRIPE_API_BASE")}
    app.config.update(PAYMENT_PROVIDER="stripe", STRIPE_SECRET_KEY=KEY, STRIPE_API_BASE=None)
    yield
    app.config.update(previous)


def test_checkout_session_is_created_read_back_and_expired(live_stripe):
    """Our Checkout parameters are accepted by Stripe; the session can be read back and expired."""
    payment = factories.payment(provider="stripe", amount_pence=1500)
    request = CheckoutRequest(
        description="Backstop live test",
        quantity=1,
        unit_amount_pence=1500,
        success_url="https://example.com/paid",
        cancel_url="https://example.com/cancel",
        expires_at=utcnow() + timedelta(minutes=31),
        customer_email="test@example.com",
    )
    provider = StripeProvider()
    url = provider.start(payment, request)
    assert url.startswith("https://checkout.stripe.com/")
    assert StripeProvider.checkout_session(payment.provider_reference).amount_total == 1500
    provider.cancel(payment)
    assert StripeProvider.checkout_session(payment.provider_reference).status == "expired"


def test_refund_through_the_refund_api(live_stripe):
    """A paid test-card payment is refunded with our idempotency key; a retry replays the same refund."""
    intent = client().v1.payment_intents.create(
        params={
            "amount": 1200,
            "currency": "gbp",
            "payment_method": "pm_card_visa",
            "confirm": True,
            "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
        }
    )
    payment = factories.payment(provider="stripe", amount_pence=1200, status="succeeded")
    payment.provider_payment_reference = intent.id
    request = RefundRequest(1200, f"live-{intent.id}")
    first = StripeProvider().refund(payment, request)
    again = StripeProvider().refund(payment, request)
    assert again.reference == first.reference and first.status == RefundStatus.SUCCEEDED


def test_webhook_signature_round_trip(live_stripe):
    """A payload signed with our secret verifies with stripe.Webhook like Stripe's own deliveries."""
    payload = '{"id": "evt_live_test", "object": "event", "type": "ping", "data": {"object": {}}}'
    header = stripe.WebhookSignature.generate_signature_header(payload, "whsec_live", timestamp=int(time.time()))
    assert stripe.Webhook.construct_event(payload, header, "whsec_live").id == "evt_live_test"
