"""What a payment's purpose does when money arrives or a checkout lapses: each feature declares its handlers.

A feature that takes payments lists a `PurposeHandlers` in its Feature's `payment_purposes`. `lock_first` takes
the purpose's own locks before a payment row is locked or changed, and returns the purpose's order (a training
booking), read after its locks; the payments service hands that same order to `on_paid`, `on_lapsed` or
`on_failed`, so a
payment change finds and locks the order once. Features lock their rows first and payments after: one order
everywhere means no deadlocks between a payment arriving and an order being cancelled.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.features import payment_handlers, registry


@dataclass(frozen=True)
class PurposeHandlers:
    """A feature's handlers for the payments of one purpose (each optional)."""

    purpose: str
    lock_first: Callable[[Any], Any] | None = None  # payment → the purpose's order (locked), or None
    on_paid: Callable[[Any, Any], None] | None = None  # (payment, order) once it succeeded
    on_lapsed: Callable[[Any, Any], None] | None = None  # (payment, order) once its checkout expired unpaid
    on_failed: Callable[[Any, Any], None] | None = None  # (payment, order) once a charge on a saved method failed
    off_session: bool = False  # taken from the payer's saved method without them present (not a checkout)


def _handlers(payment) -> PurposeHandlers | None:
    return payment_handlers(payment.purpose)


def lock(payment) -> Any:
    """Take the purpose's locks for this payment; the purpose's order, or None."""
    handlers = _handlers(payment)
    return handlers.lock_first(payment) if handlers and handlers.lock_first else None


def paid(payment, order: Any) -> None:
    """Tell the purpose's feature the payment succeeded."""
    handlers = _handlers(payment)
    if handlers and handlers.on_paid:
        handlers.on_paid(payment, order)


def lapsed(payment, order: Any) -> None:
    """Tell the purpose's feature the checkout expired unpaid."""
    handlers = _handlers(payment)
    if handlers and handlers.on_lapsed:
        handlers.on_lapsed(payment, order)


def failed(payment, order: Any) -> None:
    """Tell the purpose's feature a charge on a saved payment method failed."""
    handlers = _handlers(payment)
    if handlers and handlers.on_failed:
        handlers.on_failed(payment, order)


def off_session(purpose: str) -> bool:
    """Whether payments of this purpose are taken from the payer's saved method, as its feature declared."""
    handlers = payment_handlers(purpose)
    return bool(handlers and handlers.off_session)


def off_session_purposes() -> tuple[str, ...]:
    """Every purpose taken from saved methods."""
    return tuple(purpose for purpose, handlers in registry().payment_handlers.items() if handlers.off_session)
