"""Explicit state machines: one table of legal transitions per status enum."""

from enum import StrEnum

from .errors import DomainError


class IllegalTransition(DomainError):
    """A status change the state machine does not allow."""


def transition(obj, new_status: StrEnum, legal: dict, *, field: str = "status") -> None:
    """Move obj to new_status if the table allows it from its current status, else raise."""
    current = getattr(obj, field)
    if new_status not in legal.get(current, ()):
        raise IllegalTransition(f"Cannot change {type(obj).__name__} from {current} to {new_status}")
    setattr(obj, field, new_status)
