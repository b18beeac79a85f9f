"""Payment providers behind one interface, chosen by PAYMENT_PROVIDER (invoice or stripe)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from flask import current_app


@dataclass(frozen=True)
class CheckoutRequest:
    """What a provider needs to take a payment."""

    description: str
    quantity: int
    unit_amount_pence: int
    success_url: str
    cancel_url: str
    expires_at: datetime
    customer_email: str | None = None


class PaymentProvider(Protocol):
    """The interface every provider implements."""

    name: str
    confirms_on_order: bool  # True: the order is confirmed at once and paid later (invoice)

    def start(self, payment, request: CheckoutRequest) -> str | None:
        """Begin taking the payment; return the address to send the payer to, or None."""

    def refund(self, payment, refund) -> None:
        """Return money; set refund.status and provider_reference."""

    def cancel(self, payment) -> None:
        """Stop an unpaid checkout so it can no longer be paid."""


def get_provider(name: str | None = None) -> PaymentProvider:
    """The configured provider (PAYMENT_PROVIDER), or a named one."""
    from .invoice import InvoiceProvider
    from .stripe_provider import StripeProvider

    name = name or current_app.config.get("PAYMENT_PROVIDER", "invoice")
    providers = {"invoice": InvoiceProvider, "stripe": StripeProvider}
    if name not in providers:
        raise RuntimeError(f"Unknown PAYMENT_PROVIDER {name!r}; use invoice or stripe")
    return providers[name]()
