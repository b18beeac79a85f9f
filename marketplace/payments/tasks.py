"""Dashboard tasks about being paid: payment details a publisher has not given, and invoices past their due date
(for the payer to pay, and for the publisher's finance people to chase). One query per list, whatever its length."""

from flask import url_for
from sqlalchemy import or_, select, union_all
from sqlalchemy.orm import joinedload

from ..core.features import Task
from ..core.money import format_pence
from ..core.permissions import is_signed_in
from ..core.template_helpers import format_date
from ..extensions import db
from ..organisations import permissions as org
from .dashboard import money_facts
from .models import Payment
from .providers import invoicing_provider_names

OVERDUE_SHOWN = 20  # a dashboard lists at most this many overdue invoices each way; the invoices page has them all


def _overdue_ids(where):
    """The ids of the first invoices (oldest due first) matching `where` that await payment past their due date."""
    query = select(Payment.id).where(Payment.provider.in_(invoicing_provider_names()), Payment.is_overdue, where)
    return select(query.order_by(Payment.due_on, Payment.id).limit(OVERDUE_SHOWN).subquery().c.id)


def _invoice(payment: Payment) -> str:
    return url_for("payments.show_invoice", payment_id=payment.id)


def overdue_both_ways(user) -> tuple[list[Payment], list[Payment]]:
    """Overdue invoices this person's side pays (theirs, or their organisations': every member sees those), and
    overdue invoices raised by organisations whose money they handle (owners and finance people), each oldest due
    first and at most OVERDUE_SHOWN: one query, with the names the task text needs."""
    if not is_signed_in(user):
        return [], []
    memberships = org.active_memberships(user)
    payer_ids = {m.organisation_id for m in memberships}
    payee_ids = {m.organisation_id for m in memberships if m.role in org.FINANCE_ROLES}
    paid_by = or_(Payment.payer_user_id == user.id, Payment.payer_organisation_id.in_(payer_ids))
    ids = [_overdue_ids(paid_by)]
    if payee_ids:
        ids.append(_overdue_ids(Payment.payee_organisation_id.in_(payee_ids)))
    # One IN over a UNION of the two short id lists: "IN (a) OR IN (b)" made PostgreSQL filter every payment.
    query = (
        select(Payment)
        .where(Payment.id.in_(union_all(*ids) if len(ids) > 1 else ids[0]))
        .options(
            joinedload(Payment.payer_organisation),
            joinedload(Payment.payer_user),
            joinedload(Payment.payee_organisation),
        )
        .order_by(Payment.due_on, Payment.id)
    )
    found = list(db.session.scalars(query))
    to_pay = [p for p in found if p.payer_user_id == user.id or p.payer_organisation_id in payer_ids]
    to_chase = [p for p in found if p.payee_organisation_id in payee_ids and p not in to_pay]
    return to_pay[:OVERDUE_SHOWN], to_chase[:OVERDUE_SHOWN]


def overdue_tasks(user) -> list[Task]:
    """'Pay invoice BSP-… (£40, due 3 November)' for the payer; 'Invoice BSP-… to X is overdue' for the payee."""
    tasks = []
    to_pay, to_chase = overdue_both_ways(user)
    for payment in to_pay:
        money = format_pence(payment.refundable_pence)
        due = format_date(payment.due_on, year=False)
        payee = payment.payee_organisation.name if payment.payee_organisation else "Backstop"
        text = f"Pay invoice {payment.invoice_reference} ({money}, due {due})"
        tasks.append(Task(text, _invoice(payment), hint=f"Overdue: pay {payee}", status="Overdue", colour="red"))
    for payment in to_chase:
        text = f"Invoice {payment.invoice_reference} to {payment.payer_name} is overdue"
        hint = f"{format_pence(payment.refundable_pence)} was due by {format_date(payment.due_on)}"
        tasks.append(Task(text, _invoice(payment), hint=hint, status="Overdue", colour="red"))
    return tasks


def payee_details_tasks(user) -> list[Task]:
    """Owners and finance people of a council or NHS body that has not said how it is paid are asked to."""
    facts = money_facts(user) if is_signed_in(user) else {}
    return [
        Task(
            "Add your payment details so invoices say how to pay",
            url_for("payments.payee_details", org_id=organisation.id),
            hint=organisation.name if len(facts) > 1 else "",
        )
        for organisation, fact in facts.items()
        if not fact.has_payee_details
    ]
