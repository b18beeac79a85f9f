"""Helpers for Stripe tests: the app pointed at the test Stripe server, and signed webhook deliveries."""

import json
import time

import stripe

from tests.conftest import STRIPE_WEBHOOK_SECRET as WEBHOOK_SECRET


def deliver(client, server, event: dict, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None, signature=None):
    """POST an event to the webhook the way Stripe does: raw JSON body, Stripe-Signature header."""
    payload = json.dumps(event)
    header = (
        signature if signature is not None else server.sign(payload, secret, timestamp=timestamp or int(time.time()))
    )
    headers = {"Stripe-Signature": header} if header else {}
    return client.post(
        "/payments/stripe/webhook", data=payload, headers=headers, content_type="application/json", csrf=False
    )


def server_client(server) -> stripe.StripeClient:
    """A Stripe client of the test's own (not the app's), to set things up at the test server."""
    base = server.base_url
    return stripe.StripeClient("sk_test_backstop", base_addresses={"api": base, "connect": base}, max_network_retries=0)
