"""Helpers for Stripe tests: the app pointed at the test Stripe server, and signed webhook deliveries."""

import json
import time

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
