"""A Stripe-compatible HTTP test server owned by the tests (see server.StripeTestServer)."""

from .schema import ALLOW_LIST, StripeApiError, decode_form
from .server import RecordedRequest, StripeTestServer

__all__ = ["ALLOW_LIST", "RecordedRequest", "StripeApiError", "StripeTestServer", "decode_form"]
