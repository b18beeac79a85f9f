"""The same Stripe event delivered five times at once is processed exactly once (PostgreSQL, real threads)."""

import json
import os
import threading
import time

import pytest
from sqlalchemy import func, select

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.payments import services as payments
from marketplace.payments.models import WebhookEvent
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from tests import factories
from tests.conftest import STRIPE_WEBHOOK_SECRET

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="concurrent deliveries are proven on PostgreSQL (make test runs it when TEST_DATABASE_URL is set)",
)


def test_five_concurrent_deliveries_are_processed_once(app, ctx, stripe_mode):
    """Five simultaneous deliveries of one event: all answered 200, one stored event, one confirmation."""
    council = factories.publisher(areas=("Leeds",))
    session = factories.training_session(factories.course(council), capacity=2)
    owner = factories.user()
    booking = bookings.create_booking(session, owner, factories.enterprise(owner), [Person("Ann", "ann@example.com")])
    db.session.commit()
    payments.start(booking.payment, bookings.checkout_request(booking))
    db.session.commit()
    paid = stripe_mode.complete_checkout(booking.payment.provider_reference)
    payload = json.dumps(stripe_mode.event("checkout.session.completed", paid))
    header = stripe_mode.sign(payload, STRIPE_WEBHOOK_SECRET, timestamp=int(time.time()))
    barrier, statuses = threading.Barrier(5), []

    def deliver():
        client = app.test_client()
        barrier.wait()
        response = client.post(
            "/payments/stripe/webhook",
            data=payload,
            headers={"Stripe-Signature": header},
            content_type="application/json",
            csrf=False,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=deliver) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    assert statuses == [200] * 5
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
    confirmed = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "booking.confirmed")
    assert db.session.scalar(confirmed) == 1
    assert db.session.get(type(booking), booking.id).status == "confirmed"
