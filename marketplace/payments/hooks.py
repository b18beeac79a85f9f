"""What a payment's purpose does when money arrives or a checkout lapses (features register here).

A purpose registers up to three functions. `lock_first` takes the purpose's own locks before a payment row is
locked or changed, and returns the purpose's order (a training booking), read after its locks; the payments
service hands that same order to `on_paid` or `on_lapsed`, so a payment change finds and locks the order once.
"""

from collections.abc import Callable
from typing import Any

_LOCK_FIRST: dict[str, Callable] = {}
_ON_PAID: dict[str, Callable] = {}
_ON_LAPSED: dict[str, Callable] = {}


def _register(table: dict[str, Callable], purpose: str):
    """A decorator that files the function under the purpose."""

    def decorator(func: Callable) -> Callable:
        table[purpose] = func
        return func

    return decorator


def lock_first(purpose: str):
    """Register the function (payment → order or None) that takes the purpose's locks before the payment's.

    Features lock their rows first (a training booking locks its session); payments lock after. One order
    everywhere means no deadlocks between a payment arriving and an order being cancelled.
    """
    return _register(_LOCK_FIRST, purpose)


def on_paid(purpose: str):
    """Register the function called (with the Payment and its order) when a payment of this purpose succeeds."""
    return _register(_ON_PAID, purpose)


def on_lapsed(purpose: str):
    """Register the function called (with the Payment and its order) when its checkout expires unpaid."""
    return _register(_ON_LAPSED, purpose)


def lock(payment) -> Any:
    """Take the purpose's locks for this payment; the purpose's order, or None."""
    handler = _LOCK_FIRST.get(payment.purpose)
    return handler(payment) if handler else None


def paid(payment, order: Any) -> None:
    """Tell the purpose's feature the payment succeeded."""
    handler = _ON_PAID.get(payment.purpose)
    if handler:
        handler(payment, order)


def lapsed(payment, order: Any) -> None:
    """Tell the purpose's feature the checkout expired unpaid."""
    handler = _ON_LAPSED.get(payment.purpose)
    if handler:
        handler(payment, order)
