"""What a payment's purpose does when money arrives or a checkout lapses (features register here)."""

from collections.abc import Callable

_ON_PAID: dict[str, Callable] = {}
_ON_LAPSED: dict[str, Callable] = {}


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
