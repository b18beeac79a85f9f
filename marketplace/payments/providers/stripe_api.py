"""The Stripe client and the turning of Stripe's errors into ours, shared by the Stripe provider's modules."""

from collections.abc import Iterator
from contextlib import contextmanager

import stripe
from flask import current_app

from .base import ProviderError, ProviderRefused


def client() -> stripe.StripeClient:
    """A Stripe client; STRIPE_API_BASE sends calls to another server (the tests' Stripe)."""
    config = current_app.config
    secret = config.get("STRIPE_SECRET_KEY")
    if not secret:
        raise RuntimeError("Set STRIPE_SECRET_KEY to take payments with Stripe")
    base = config.get("STRIPE_API_BASE")
    addresses = {"api": base, "connect": base, "files": base} if base else None
    return stripe.StripeClient(secret, base_addresses=addresses, max_network_retries=2)


@contextmanager
def calling_stripe() -> Iterator[None]:
    """Turn Stripe's errors into the provider-neutral ProviderError (ProviderRefused when Stripe said no for good:
    a request it will not make however often it is sent)."""
    try:
        yield
    except (stripe.InvalidRequestError, stripe.CardError, stripe.PermissionError) as error:
        raise ProviderRefused(str(error)) from error
    except stripe.StripeError as error:
        raise ProviderError(str(error)) from error


def id_of(value) -> str | None:
    """An expandable Stripe field: the id whether Stripe sent the id or the object."""
    return value if isinstance(value, str) or value is None else value.id
