"""Reading the database in tests: row counts, audit events, notifications, and a fresh look as a new request has."""

from sqlalchemy import func, select

from marketplace.core.audit import AuditEvent
from marketplace.core.notifications import Notification
from marketplace.extensions import db


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
