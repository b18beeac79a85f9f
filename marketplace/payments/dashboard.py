"""Payments' section of the dashboard: for a council or NHS body's owners and finance people, how many of its
invoices await payment and how many of those are overdue, with links to them (one query, however many)."""

from dataclasses import dataclass

from flask import g
from sqlalchemy import and_, case, func, select

from ..extensions import db
from ..organisations import permissions as org
from ..organisations.models import Organisation
from .models import PayeeDetails, Payment, PaymentStatus
from .providers import invoicing_provider_names
from .services import OVERDUE


@dataclass(frozen=True)
class MoneyFacts:
    """What the dashboard says of one council or NHS body's money."""

    has_payee_details: bool
    waiting: int  # invoices awaiting payment
    owed: int  # pence owed on them
    overdue: int  # how many of them are past their due date


def money_facts(user) -> dict[Organisation, MoneyFacts]:
    """Each council or NHS body whose money the person handles (owners and finance people), with whether it has
    said how it is paid and its invoices awaiting payment: one query, shared by the task and the section."""
    cached = g.setdefault(_CACHE, {})
    if user.id not in cached:
        organisations = [m.organisation for m in org.publisher_memberships(user) if m.role in org.FINANCE_ROLES]
        cached[user.id] = _facts(organisations) if organisations else {}
    return cached[user.id]


_CACHE = "_backstop_money_facts"


def _facts(organisations: list[Organisation]) -> dict[Organisation, MoneyFacts]:
    pending = and_(
        Payment.payee_organisation_id == Organisation.id,
        Payment.provider.in_(invoicing_provider_names()),
        Payment.status == PaymentStatus.PENDING,
    )
    query = (
        select(
            Organisation.id,
            func.count(PayeeDetails.organisation_id.distinct()),
            func.count(Payment.id),
            func.coalesce(func.sum(Payment.amount_pence - Payment.refunded_pence), 0),
            func.coalesce(func.sum(case((Payment.is_overdue, 1), else_=0)), 0),
        )
        .select_from(Organisation)
        .outerjoin(PayeeDetails, PayeeDetails.organisation_id == Organisation.id)
        .outerjoin(Payment, pending)
        .where(Organisation.id.in_([organisation.id for organisation in organisations]))
        .group_by(Organisation.id)
    )
    rows = {
        org_id: MoneyFacts(bool(given), waiting, owed, overdue)
        for org_id, given, waiting, owed, overdue in db.session.execute(query)
    }
    return {organisation: rows[organisation.id] for organisation in organisations}


def invoices_section(user) -> dict | None:
    """Each council or NHS body whose money the person handles, with its invoices awaiting payment and overdue."""
    facts = money_facts(user)
    if not facts:
        return None
    rows = [(organisation, fact.waiting, fact.owed, fact.overdue) for organisation, fact in facts.items()]
    return {"rows": rows, "pending_filter": PaymentStatus.PENDING.value, "overdue_filter": OVERDUE}
