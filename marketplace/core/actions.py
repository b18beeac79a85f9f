"""A page's one service call: commit if it keeps the rules, or roll back and tell the person why."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash

from ..extensions import db
from .errors import DomainError


@dataclass(frozen=True)
class Outcome:
    """What came of a service call: ok and its result, or the rule it broke."""

    ok: bool
    result: object = None
    error: DomainError | None = None


def attempt(action: Callable, *, success: str | None = None, report=None) -> Outcome:
    """Call action(); commit (and show `success`) if it keeps the rules; otherwise roll back and report the error:
    as a banner by default, on a form field if `report` is one, or by calling `report(error)`."""
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        _report(error, report)
        return Outcome(False, error=error)
    db.session.commit()
    if success:
        flash(success, "success")
    return Outcome(True, result)


def _report(error: DomainError, report) -> None:
    """Tell the person which rule they broke."""
    if report is None:
        flash(str(error), "error")
    elif hasattr(report, "errors"):  # a form field (fields are callable too: they render themselves)
        report.errors.append(str(error))
    else:
        report(error)


def submit(form, action: Callable, *, success: str | None = None, report=None) -> Outcome:
    """Validate a posted form, then attempt its service call; not ok (and nothing written) if the form is invalid."""
    if not form.validate_on_submit():
        return Outcome(False)
    return attempt(action, success=success, report=report)
