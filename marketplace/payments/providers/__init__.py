"""Payment providers behind one interface (providers/base.py), chosen by PAYMENT_PROVIDER.

The only place that knows which providers exist. Everything else asks `provider_of(payment)` (the provider a
payment was made with) or `get_provider()` (the one new payments use) and never names a provider.
"""

from flask import current_app

from .base import (
    AccountUpdated,
    CheckoutLapsed,
    CheckoutPaid,
    CheckoutRequest,
    MethodSaved,
    NotSupported,
    OffSessionCharge,
    PaymentProvider,
    ProviderError,
    ProviderEvent,
    ProviderRefused,
    RefundRequest,
    RefundResult,
    RefundSeen,
    RefundSettled,
    WebhookRefused,
)
from .invoice import InvoiceProvider
from .stripe_provider import StripeProvider

__all__ = [
    "AccountUpdated",
    "CheckoutLapsed",
    "CheckoutPaid",
    "CheckoutRequest",
    "MethodSaved",
    "NotSupported",
    "OffSessionCharge",
    "PaymentProvider",
    "ProviderError",
    "ProviderEvent",
    "ProviderRefused",
    "RefundRequest",
    "RefundResult",
    "RefundSeen",
    "RefundSettled",
    "WebhookRefused",
    "all_providers",
    "invoicing_provider_names",
    "payroll_provider_names",
    "get_provider",
    "provider_of",
]

DEFAULT = InvoiceProvider.name
PROVIDERS: dict[str, type[PaymentProvider]] = {p.name: p for p in (InvoiceProvider, StripeProvider)}


def get_provider(name: str | None = None) -> PaymentProvider:
    """The configured provider (PAYMENT_PROVIDER), or a named one."""
    name = name or current_app.config.get("PAYMENT_PROVIDER") or DEFAULT
    if name not in PROVIDERS:
        raise RuntimeError(f"Unknown PAYMENT_PROVIDER {name!r}; use one of {', '.join(PROVIDERS)}")
    return PROVIDERS[name]()


def provider_of(payment) -> PaymentProvider:
    """The provider this payment was made with."""
    return get_provider(payment.provider)


def all_providers() -> list[PaymentProvider]:
    """Every provider (for routes and queries that cover them all, such as webhooks and the invoices list)."""
    return [provider() for provider in PROVIDERS.values()]


def invoicing_provider_names() -> list[str]:
    """The providers whose payments are invoices (listed on the invoices pages, chased when overdue)."""
    return [provider.name for provider in all_providers() if provider.issues_invoice]


def payroll_provider_names() -> list[str]:
    """The providers whose payouts are paid through the paying organisation's payroll, not by transfer."""
    return [provider.name for provider in all_providers() if not provider.pays_out_by_transfer]
