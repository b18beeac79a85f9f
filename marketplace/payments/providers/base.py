"""The payment provider interface: every question whose answer depends on how money moves is asked of a provider.

A provider is one way of taking money (an invoice paid on terms, a card payment through Stripe Checkout). Code
outside this package never names a provider: it asks the payment's provider what to do, through the payments
services. Two kinds of answer:

- Capabilities are class attributes (`confirms_on_order`, `issues_invoice`, ...): facts about the mode that
  callers branch on. Each has one meaning, written next to it below.
- Operations are methods (`start`, `refund`, `cancel`, ...). The base class either does the neutral thing
  (nothing to stop, no webhooks) or raises NotSupported, so a provider implements only what it offers.

New needs are new operations, never new `if provider == ...`: relief cover's saved payment methods
(`create_customer`, `start_saving_method`, `charge_off_session`) and payouts by transfer
(`create_connected_account`, `onboarding_url`, `connected_account`, `transfer`) are methods here that raise
NotSupported, implemented by the providers that can, with a capability flag where a caller must choose before
calling (`pays_out_by_transfer`, `needs_saved_method`); insurance's subscriptions will be the same.
`supports(name)` says whether a provider implements an operation.

Providers speak the provider's language (its objects, statuses and errors) and hand back neutral values:
RefundResult, the webhook facts below, and ProviderError when the provider cannot be reached or refuses.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from ...core.money import format_pence
from ..models import PaymentStatus, RefundStatus


class ProviderError(Exception):
    """The provider could not be reached or refused the call; nothing was taken or returned."""


class NotSupported(ProviderError):
    """This provider does not offer the operation (callers check a capability or `supports()` first)."""


class ProviderRefused(ProviderError):
    """The provider understood the call and refused it for good (retrying the same call cannot succeed)."""


class WebhookRefused(ProviderError):
    """A webhook delivery that is not genuinely from the provider (bad or missing signature, unreadable body)."""


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


@dataclass(frozen=True)
class RefundRequest:
    """Money to return on a payment; the key makes a retried call return the same refund."""

    amount_pence: int
    idempotency_key: str


@dataclass(frozen=True)
class RefundResult:
    """What the provider did with a refund: its reference there, and our status for it."""

    status: RefundStatus
    reference: str | None = None


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook delivery: the provider's event id and type, and its body (never trusted for facts)."""

    id: str
    type: str
    data: object


# Webhook facts: what a verified event means, read back from the provider, in our terms.


@dataclass(frozen=True)
class CheckoutPaid:
    """The checkout with this reference is paid; payment_reference is the provider's id for the money."""

    reference: str
    payment_reference: str | None


@dataclass(frozen=True)
class CheckoutLapsed:
    """The checkout with this reference expired unpaid."""

    reference: str


@dataclass(frozen=True)
class RefundSeen:
    """A refund exists at the provider on the payment with this payment_reference (ours, or made there)."""

    payment_reference: str
    reference: str
    amount_pence: int
    status: RefundStatus


@dataclass(frozen=True)
class RefundSettled:
    """A refund we asked for has reached a final status at the provider."""

    reference: str
    status: RefundStatus


@dataclass(frozen=True)
class AccountUpdated:
    """The connected account with this reference, as the provider says it is now."""

    reference: str
    payouts_enabled: bool
    details_submitted: bool


@dataclass(frozen=True)
class MethodSaved:
    """The customer with this reference saved a payment method for later charges (set up at set_up_at)."""

    customer_reference: str
    method_reference: str
    set_up_at: datetime


@dataclass(frozen=True)
class OffSessionCharge:
    """Where a charge on a saved method stands: SUCCEEDED, FAILED (reason says why) or PENDING (still processing).

    payment_id is ours, read back from the provider's copy of the charge (None when it has none)."""

    reference: str | None
    status: PaymentStatus
    payment_id: int | None = None
    reason: str | None = None


class PaymentProvider:
    """The interface every provider implements; the defaults are what a provider that offers nothing does."""

    name: ClassVar[str]

    confirms_on_order: ClassVar[bool] = False
    """The order is confirmed at once and paid later (on terms), rather than when the money arrives."""

    issues_invoice: ClassVar[bool] = False
    """The payment is an invoice: it has a reference and a due date (the payee's terms), is emailed to the payer and
    listed on the invoices pages."""

    marked_paid_by_hand: ClassVar[bool] = False
    """Nobody tells us the money arrived: a finance person of the payee records it."""

    credits_unpaid: ClassVar[bool] = False
    """An unpaid payment is owed, so a refund reduces what is owed; otherwise an unpaid payment is a checkout,
    which cancelling an order stops instead of refunding."""

    receives_webhooks: ClassVar[bool] = False
    """The provider tells us what happened by webhook at /payments/<name>/webhook."""

    pays_out_by_transfer: ClassVar[bool] = False
    """Payouts are sent by the provider to the payee's connected account (which the payee sets up first); otherwise
    they are listed for the paying organisation's payroll and a finance person marks them paid."""

    needs_saved_method: ClassVar[bool] = False
    """Charges made later (off-session) are taken from a payment method the payer saved first; otherwise such a
    charge is an ordinary payment of this provider (an invoice)."""

    def supports(self, operation: str) -> bool:
        """Whether this provider implements the operation (a method the base class leaves unsupported)."""
        return getattr(type(self), operation) is not getattr(PaymentProvider, operation)

    def on_created(self, payment) -> None:
        """The payment record was just inserted: do what this mode does at once (nothing by default)."""

    def start(self, payment, request: CheckoutRequest) -> str:
        """Begin taking the payment; return the address to send the payer to."""
        raise NotSupported(f"{self.name} payments have no checkout")

    def cancel(self, payment) -> None:
        """Stop an unpaid payment so it can no longer be paid (nothing to stop by default)."""

    def refund(self, payment, request: RefundRequest) -> RefundResult:
        """Return money on a payment (ProviderError if the provider cannot be reached)."""
        raise NotSupported(f"{self.name} payments cannot be refunded")

    def refund_needs_person(self, payment) -> bool:
        """Whether a refund on this payment is only a record, and a person must send the money back."""
        return False

    def refund_words(self, payment, amount_pence: int) -> str:
        """What the payer is told will happen to amount_pence if their order is cancelled now."""
        kind = "a full refund" if amount_pence >= payment.refundable_pence else "a refund"
        return f"You will get {kind} of {format_pence(amount_pence)}."

    def refunded_words(self, payment, amount_pence: int) -> str:
        """What the payer is told happened to amount_pence once their order was cancelled."""
        return f"We have refunded {format_pence(amount_pence)}."

    def sent_words(self, payment, amount_pence: int) -> str:
        """What the payer is told once a person has sent a refund of amount_pence (refund_needs_person)."""
        return f"Your refund of {format_pence(amount_pence)} has been sent."

    def owed_words(self, payment, amount_pence: int) -> str:
        """What the payer is told they still have to pay (amount_pence) on the payment."""
        return f"You still need to pay {format_pence(amount_pence)}."

    def order_words(self, payer_name: str) -> str:
        """How payer_name will pay for an order they are about to confirm (on a check-your-answers page)."""
        return "You pay after you confirm."

    def form_action_origins(self) -> tuple[str, ...]:
        """Other sites our forms may lead to (a hosted payment page the browser is redirected to)."""
        return ()

    def verified_event(self, payload: bytes, headers: Mapping) -> ProviderEvent:
        """The webhook delivery, checked to be genuinely from the provider (WebhookRefused if not)."""
        raise NotSupported(f"{self.name} sends no webhooks")

    def event_facts(self, event: ProviderEvent) -> list:
        """What a verified event means (the webhook facts above), read back from the provider."""
        return []

    def create_connected_account(self, user, key: str) -> str:
        """Open an account that receives payouts for this person; its reference (the key makes a retry the same)."""
        raise NotSupported(f"{self.name} pays no one by transfer")

    def onboarding_url(self, account_reference: str, *, return_url: str, refresh_url: str) -> str:
        """The address where the person gives the provider their details for the account."""
        raise NotSupported(f"{self.name} pays no one by transfer")

    def connected_account(self, account_reference: str) -> AccountUpdated:
        """The account as the provider says it is now."""
        raise NotSupported(f"{self.name} pays no one by transfer")

    def transfer(self, payout, account_reference: str) -> str:
        """Send the payout to the account, keyed by the payout's idempotency key; the provider's reference for it.

        ProviderRefused when the provider will never make it; ProviderError when it may on a retry."""
        raise NotSupported(f"{self.name} pays no one by transfer")

    def create_customer(self, organisation, key: str) -> str:
        """A customer record for the organisation at the provider; its reference (the key makes a retry the same)."""
        raise NotSupported(f"{self.name} saves no payment methods")

    def start_saving_method(self, saved, *, return_url: str, cancel_url: str, key: str) -> tuple[str, str]:
        """Begin saving a payment method for the saved row's customer: (reference, address to send the payer to);
        the setup already started (saved.setup_reference) while it can still be finished."""
        raise NotSupported(f"{self.name} saves no payment methods")

    def charge_off_session(self, payment, saved) -> OffSessionCharge:
        """Take the payment from the saved method without the payer present, keyed by the payment's key."""
        raise NotSupported(f"{self.name} saves no payment methods")
