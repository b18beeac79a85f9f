"""Queries for the admin pages."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..core.audit import AuditEvent
from ..organisations.models import Organisation

# Newest first, then by id so the order is total (keyset pagination; ix_audit_events_at_id serves it).
AUDIT_ORDER = (AuditEvent.at.desc(), AuditEvent.id.desc())
# Oldest request first, then by id so the order is total (ix_organisations_created_at_id serves it).
ORGANISATIONS_ORDER = (Organisation.created_at, Organisation.id)


def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_query(
    *, action: str | None, actor: str | None, organisation: str | None, date_from=None, date_to=None
) -> Select:
    """Audit events matching the filters, newest first (each filter uses an index or a join)."""
    query = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor), joinedload(AuditEvent.organisation))
        .order_by(*AUDIT_ORDER)
    )
    if action:
        query = query.where(AuditEvent.action.startswith(action.strip()))
    if actor:
        query = query.join(User, AuditEvent.actor_id == User.id).where(User.email.contains(actor.strip().lower()))
    if organisation:
        query = query.join(Organisation, AuditEvent.organisation_id == Organisation.id).where(
            Organisation.name.ilike(f"%{organisation.strip()}%")
        )
    if date_from:
        query = query.where(AuditEvent.at >= _day_start(date_from))
    if date_to:
        query = query.where(AuditEvent.at < _day_start(date_to) + timedelta(days=1))
    return query


def organisations_query(status: str | None) -> Select:
    """Councils and NHS bodies, optionally by status, oldest request first."""
    query = (
        select(Organisation)
        .options(joinedload(Organisation.area), selectinload(Organisation.served_areas))
        .order_by(*ORGANISATIONS_ORDER)
    )
    if status:
        query = query.where(Organisation.status == status)
    return query
