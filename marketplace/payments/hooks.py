"""What a payment's purpose does when money arrives or a checkout lapses (features register here)."""

from collections.abc import Callable

_LOCK_FIRST: dict[str, Callable] = {}
_ON_PAID: dict[str, Callable] = {}
_ON_LAPSED: dict[str, Callable] = {}


def lock_first(purpose: str):
    """Register the function that takes the purpose's own locks before a payment row is locked or changed.

    Features lock their rows first (a training booking locks its session); payments lock after. One order
    everywhere means no deadlocks between a payment arriving and an order being cancelled.
    """

    def decorator(func: Callable) -> Callable:
        _LOCK_FIRST[purpose] = func
        return func

    return decorator


def lock(payment) -> None:
    """Take the purpose's locks for this payment (if it registered any)."""
    handler = _LOCK_FIRST.get(payment.purpose)
    if handler:
        handler(payment)


def on_paid(purpose: str):
    """Register the function called (with the Payment) when a payment of this purpose succeeds."""

    def decorator(func: Callable) -> Callable:
        _ON_PAID[purpose] = func
        return func

    return decorator


def on_lapsed(purpose: str):
    """Register the function called (with the Payment) when its checkout expires unpaid."""

    def decorator(func: Callable) -> Callable:
        _ON_LAPSED[purpose] = func
        return func

    return decorator


def paid(payment) -> None:
    """Tell the purpose's feature the payment succeeded."""
    handler = _ON_PAID.get(payment.purpose)
    if handler:
        handler(payment)


def lapsed(payment) -> None:
    """Tell the purpose's feature the checkout expired unpaid."""
    handler = _ON_LAPSED.get(payment.purpose)
    if handler:
        handler(payment)
