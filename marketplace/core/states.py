"""Explicit state machines: each status enum has one table of legal transitions, and one helper makes every change.

A feature declares its machine next to its model:

    BOOKING = StateMachine(BookingStatus, {BookingStatus.RESERVED: {BookingStatus.CONFIRMED, ...}, ...}, "booking")

and changes a status only through `change()` (or `advance()`, which raises when it loses). The change is a
conditional UPDATE (`WHERE id = :id AND status IN (legal from-states)`), so of two concurrent callers exactly one
wins; the winner's audit event is written in the same transaction. Nothing else assigns a status
(tests/core/test_states.py fails on any code that does).
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import ClauseElement

from ..extensions import db
from . import audit
from .errors import DomainError


class IllegalTransition(DomainError):
    """A status change the state machine does not allow, or one another caller made first."""


class StateMachine:
    """The legal transitions of one status enum, and the audit name of the things it describes."""

    def __init__(self, statuses: type[StrEnum], transitions: Mapping, noun: str, *, field: str = "status"):
        unknown = {s for pair in transitions.items() for s in (pair[0], *pair[1])} - set(statuses)
        if unknown:
            raise ValueError(f"{noun}: {unknown} are not {statuses.__name__} values")
        self.statuses = statuses
        self.transitions = {source: frozenset(targets) for source, targets in transitions.items()}
        self.noun = noun
        self.field = field

    def allows(self, current: str | None, new: str) -> bool:
        """Whether the table allows current → new."""
        return new in self.transitions.get(current, ())

    def sources(self, new: str) -> tuple[str, ...]:
        """Every status from which `new` can be reached."""
        return tuple(source for source, targets in self.transitions.items() if new in targets)


def change(
    obj: Any,
    machine: StateMachine,
    new_status: StrEnum,
    *,
    actor: Any,
    action: str | None = None,
    organisation: Any = None,
    values: Mapping | None = None,
    **details,
) -> bool:
    """Move obj to new_status if it is still in a legal from-state; True if this caller made the change.

    `values` are other columns written in the same UPDATE (e.g. paid_at); `details` go into the audit event,
    recorded as `action` (default "<noun>.<new status>") only when the change was made. Pending changes are
    flushed first so the row is current; the object is brought up to date whether or not the change was won.
    """
    written = {machine.field: new_status, **(values or {})}
    if not _update_if_legal(obj, machine, new_status, written):
        _reread(obj, list(written))
        return False
    _remember(obj, written)
    audit.record(
        action or f"{machine.noun}.{new_status}",
        obj=obj,
        organisation=organisation if organisation is not None else getattr(obj, "organisation", None),
        actor=actor,
        **details,
    )
    return True


def _update_if_legal(obj: Any, machine: StateMachine, new_status: str, written: dict) -> bool:
    """UPDATE ... WHERE id = :id AND status IN (legal from-states); True if the row changed."""
    model = type(obj)
    db.session.flush()
    result = db.session.execute(
        update(model)
        .where(model.id == obj.id, getattr(model, machine.field).in_(machine.sources(new_status)))
        .values(written)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _reread(obj: Any, keys: list[str]) -> None:
    """Bring the object up to date with the row another caller changed (if the row still exists)."""
    try:
        db.session.refresh(obj, keys)
    except InvalidRequestError:
        pass  # another transaction deleted the row: there is nothing left to bring up to date


def _remember(obj: Any, written: dict) -> None:
    """Record what the UPDATE wrote on the object, without marking it changed; SQL expressions are read back."""
    computed = [key for key, value in written.items() if isinstance(value, ClauseElement)]
    for key, value in written.items():
        if key not in computed:
            set_committed_value(obj, key, value)
    if computed:
        db.session.refresh(obj, computed)


def advance(obj: Any, machine: StateMachine, new_status: StrEnum, *, actor: Any, **kwargs) -> None:
    """change(), but raise IllegalTransition if the change is not legal now (or another caller made it first)."""
    before = getattr(obj, machine.field)
    if not change(obj, machine, new_status, actor=actor, **kwargs):
        now = getattr(obj, machine.field)
        raise IllegalTransition(f"Cannot change {machine.noun} {obj.id} from {now or before} to {new_status}")


def stamp_once(model: type, row_id: int, column: str, value: Any) -> bool:
    """Set a still-empty column (e.g. reminder_sent_at) by conditional UPDATE: of concurrent callers, one wins."""
    stamp = getattr(model, column)
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, stamp.is_(None))
        .values({column: value})
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


class HasStatus:
    """Mixin for models with a state machine: templates and views ask `obj.can_become(status)`."""

    STATES: StateMachine

    def can_become(self, new_status: str) -> bool:
        """Whether the table allows this object's next status to be new_status."""
        return self.STATES.allows(getattr(self, self.STATES.field), new_status)
