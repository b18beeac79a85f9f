"""Append-only audit log, written in the same transaction as the change it records."""

import uuid
from datetime import datetime
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .clock import utcnow
from .types import UTCDateTime


class AuditEvent(db.Model):
    """Who did what to which object, when, and from which request. Rows are never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column()
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(36))
    ip: Mapped[str | None] = mapped_column(String(45))

    actor = relationship("User", lazy="joined")
    organisation = relationship("Organisation", lazy="joined")


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_changes(mapper, connection, target) -> None:
    raise RuntimeError("Audit events are append-only.")


def request_id() -> str | None:
    """The current request's id (set at the start of each request), or None outside one."""
    if not has_request_context():
        return None
    if "request_id" not in g:
        g.request_id = _valid_uuid(request.headers.get("X-Request-Id")) or str(uuid.uuid4())
    return g.request_id


def _valid_uuid(value: str | None) -> str | None:
    """A proxy's request id is kept only if it is a well-formed UUID (anything else could forge or break the log)."""
    try:
        return str(uuid.UUID(value)) if value else None
    except ValueError:
        return None


def client_ip() -> str | None:
    """The caller's IP address as the app sees it (behind ProxyFix in production)."""
    return request.remote_addr if has_request_context() else None


def _default_actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user
    return None


def record(action: str, *, obj: Any = None, organisation: Any = None, actor: Any = "current", **details) -> AuditEvent:
    """Add an audit event to the current transaction; it commits (or rolls back) with the change."""
    actor = _default_actor() if actor == "current" else actor
    if obj is not None and getattr(obj, "id", 0) is None:
        db.session.flush()
    if organisation is None and obj is not None:
        organisation = getattr(obj, "organisation", None)
    event_row = AuditEvent(
        actor_id=getattr(actor, "id", None),
        organisation_id=getattr(organisation, "id", None),
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        details=details,
        request_id=request_id(),
        ip=client_ip(),
    )
    db.session.add(event_row)
    return event_row
