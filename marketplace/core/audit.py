"""Append-only audit log, written in the same transaction as the change it records."""

import json
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String, Text, cast, event, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .clock import utcnow
from .types import UTCDateTime


class AuditEvent(db.Model):
    """Who did what to which object, when, and from which request.

    Rows are never updated or deleted, with two exceptions for data protection, both in this module: redact() takes
    a closed account's name and email out of the details, and forget_ips() blanks IP addresses after 12 months.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at_id", "at", "id"),)  # the audit log's order, newest first

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column()
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(36))
    ip: Mapped[str | None] = mapped_column(String(45))

    actor = relationship("User")
    organisation = relationship("Organisation")


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


IP_KEPT_MONTHS = 12


def events_about(person: Any, *, actions: tuple[str, ...] | None = None) -> list[AuditEvent]:
    """Events by the person, about them (the object, or the user_id in the details), oldest first."""
    query = select(AuditEvent).where(
        or_(
            AuditEvent.actor_id == person.id,
            (AuditEvent.object_type == type(person).__name__) & (AuditEvent.object_id == person.id),
            AuditEvent.details["user_id"].as_integer() == person.id,
        )
    )
    if actions is not None:
        query = query.where(AuditEvent.action.in_(actions))
    return list(db.session.scalars(query.order_by(AuditEvent.at, AuditEvent.id)))


def replacer(replacements: Mapping[str, str]) -> Callable[[str], str]:
    """A function that replaces each old value (a closed account's name or email) as a whole word: an email in any
    case (it is the person's alone), a name exactly as written ("Will Jones", never "you will")."""
    words = {old: new for old, new in replacements.items() if old}
    emails = {old.lower(): new for old, new in words.items() if "@" in old}
    longest_first = sorted(words, key=len, reverse=True)  # an email is replaced whole, not the name inside it
    pattern = re.compile(
        "|".join(
            rf"(?<!\w)(?i:{re.escape(old)})(?!\w)" if "@" in old else rf"(?<!\w){re.escape(old)}(?!\w)"
            for old in longest_first
        )
    )

    def swap(match: re.Match) -> str:
        found = match.group(0)
        return emails.get(found.lower()) or words[found]

    return lambda text: pattern.sub(swap, text) if words and text else text


def _mentioning(values) -> object:
    """A condition: the event's details (stored as JSON text) contain one of these values."""
    text = cast(AuditEvent.details, Text)
    # A value is found as json.dumps writes it (non-ASCII letters escaped).
    return or_(*(text.ilike(f"%{json.dumps(old)[1:-1]}%") for old in values))


def event_ids_mentioning(value: str) -> list[int]:
    """The events whose details contain this value (an email address)."""
    return list(db.session.scalars(select(AuditEvent.id).where(_mentioning([value])))) if value else []


def redact(replacements: Mapping[str, str], *, within: Iterable[int] | None = None) -> int:
    """Replace each old value (a closed account's email or name) in events' details (see replacer): everywhere, or
    only in the events `within` (a name: only the person's own events); how many events changed. Pending events
    are written first, so they are redacted too."""
    replacements = {old: new for old, new in replacements.items() if old and old != new}
    if not replacements:
        return 0
    db.session.flush()
    swap = replacer(replacements)
    query = select(AuditEvent.id, AuditEvent.details).where(_mentioning(replacements))
    if within is not None:
        query = query.where(AuditEvent.id.in_(list(within)))
    changed = 0
    for event_id, details in db.session.execute(query).all():
        cleaned = _replace_in(details, swap)
        if cleaned != details:
            db.session.execute(AuditEvent.__table__.update().where(AuditEvent.id == event_id).values(details=cleaned))
            changed += 1
    return changed


def _replace_in(value: Any, swap: Callable[[str], str]) -> Any:
    """The value with swap() applied to every string in it, through nested lists and dicts."""
    if isinstance(value, str):
        return swap(value)
    if isinstance(value, list):
        return [_replace_in(item, swap) for item in value]
    if isinstance(value, dict):
        return {key: _replace_in(item, swap) for key, item in value.items()}
    return value


def forget_ips(now: datetime) -> int:
    """Retention: blank the IP address of events IP_KEPT_MONTHS old or older; how many."""
    cutoff = now - relativedelta(months=IP_KEPT_MONTHS)
    query = AuditEvent.__table__.update().where(AuditEvent.ip.is_not(None), AuditEvent.at <= cutoff).values(ip=None)
    return db.session.execute(query).rowcount or 0
