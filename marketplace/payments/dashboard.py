"""Payments' section of the dashboard: for a council or NHS body's owners and finance people, how many of its
invoices await payment and how many of those are overdue, with links to them (one query, however many)."""

from sqlalchemy import case, func, select

from ..extensions import db
from ..organisations import permissions as org
from .models import Payment, PaymentStatus
from .providers import invoicing_provider_names
from .services import OVERDUE


def _counts(org_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """Payee organisation → (invoices awaiting payment, pence owed on them, how many are overdue)."""
    invoicing = invoicing_provider_names()
    query = (
        select(
            Payment.payee_organisation_id,
            func.count(),
            func.coalesce(func.sum(Payment.amount_pence - Payment.refunded_pence), 0),
            func.coalesce(func.sum(case((Payment.is_overdue, 1), else_=0)), 0),
        )
        .where(
            Payment.payee_organisation_id.in_(org_ids),
            Payment.provider.in_(invoicing),
            Payment.status == PaymentStatus.PENDING,
        )
        .group_by(Payment.payee_organisation_id)
    )
    return {org_id: (waiting, owed, overdue) for org_id, waiting, owed, overdue in db.session.execute(query)}


def invoices_section(user) -> dict | None:
    """Each council or NHS body whose money the person handles, with its invoices awaiting payment and overdue."""
    organisations = [m.organisation for m in org.publisher_memberships(user) if m.role in org.FINANCE_ROLES]
    if not organisations:
        return None
    counts = _counts([organisation.id for organisation in organisations])
    rows = [(organisation, *counts.get(organisation.id, (0, 0, 0))) for organisation in organisations]
    return {"rows": rows, "pending_filter": PaymentStatus.PENDING.value, "overdue_filter": OVERDUE}
