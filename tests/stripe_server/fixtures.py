"""Pytest plugin: `stripe_server` (one server per test process, reset for each test) and `stripe_client`."""

import pytest
import stripe

from marketplace.core.clock import clock

from .server import StripeTestServer


@pytest.fixture(scope="session")
def stripe_server_session():
    """The process's StripeTestServer, started once; it tells the time by the app's injectable clock, as the
    app does, so a test's frozen moment is "now" to both sides (Stripe's expiry checks never meet the real date)."""
    with StripeTestServer(now=lambda: clock.now().timestamp()) as server:
        yield server


@pytest.fixture
def stripe_server(stripe_server_session):
    """The running StripeTestServer with empty state (no objects, keys or logged requests)."""
    stripe_server_session.reset()
    return stripe_server_session


@pytest.fixture
def stripe_client(stripe_server):
    """A real `stripe.StripeClient` that talks to `stripe_server`."""
    base = stripe_server.base_url
    return stripe.StripeClient(
        "sk_test_backstop", base_addresses={"api": base, "connect": base, "files": base}, max_network_retries=0
    )
