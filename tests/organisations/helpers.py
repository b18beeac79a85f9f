"""Helpers for the organisation and admin tests: page text, error messages, audit rows, notifications."""

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from marketplace.core.audit import AuditEvent
from marketplace.core.notifications import Notification
from marketplace.extensions import db


def soup(response) -> BeautifulSoup:
    """The parsed HTML of a response."""
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def text(response) -> str:
    """The visible text of a page, whitespace collapsed."""
    return " ".join(soup(response).get_text(" ").split())


def error_summary(response) -> str:
    """The text of the GOV.UK error summary, or '' when there is none."""
    box = soup(response).select_one(".govuk-error-summary")
    return " ".join(box.get_text(" ").split()) if box else ""


def h1(response) -> str:
    """The page's main heading."""
    return " ".join(soup(response).h1.get_text(" ").split())


def nav_links(response) -> list[str]:
    """The texts of the service navigation links."""
    return [" ".join(a.get_text(" ").split()) for a in soup(response).select(".govuk-service-navigation a")]


def audit_events(action: str | None = None, *, prefix: str | None = None) -> list[AuditEvent]:
    """Audit rows, oldest first, optionally one action or an action prefix."""
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    if prefix:
        query = query.where(AuditEvent.action.startswith(prefix))
    return list(db.session.scalars(query))


def notifications_for(user, kind: str | None = None) -> list[Notification]:
    """A person's in-app notifications, optionally of one kind."""
    query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query))


def count(model, *where) -> int:
    """How many rows of a model (matching optional conditions) are in the database."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def fresh() -> None:
    """Forget anything not committed and reload from the database (as a new request would)."""
    db.session.rollback()
    db.session.expire_all()
