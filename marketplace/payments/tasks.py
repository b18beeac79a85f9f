"""Dashboard tasks about being paid: payment details a publisher has not given, and invoices past their due date
(for the payer to pay, and for the publisher's finance people to chase). One query per list, whatever its length."""

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..core.features import Task
from ..core.money import format_pence
from ..core.permissions import is_signed_in
from ..core.template_helpers import format_date
from ..extensions import db
from ..organisations import permissions as org
from .models import PayeeDetails, Payment
from .permissions import can_edit_payee_details
from .providers import invoicing_provider_names

OVERDUE_SHOWN = 20  # a dashboard lists at most this many overdue invoices each way; the invoices page has them all


def _overdue():
    """Invoices awaiting payment past their due date, oldest due first, with the names the task text needs."""
    return (
        select(Payment)
        .where(Payment.provider.in_(invoicing_provider_names()), Payment.is_overdue)
        .options(
            selectinload(Payment.payer_organisation),
            selectinload(Payment.payer_user),
            selectinload(Payment.payee_organisation),
        )
        .order_by(Payment.due_on, Payment.id)
        .limit(OVERDUE_SHOWN)
    )


def _invoice(payment: Payment) -> str:
    return url_for("payments.show_invoice", payment_id=payment.id)


def overdue_to_pay(user) -> list[Payment]:
    """Overdue invoices this person's side pays: theirs, or their organisations' (every member sees those)."""
    if not is_signed_in(user):
        return []
    ids = [membership.organisation_id for membership in org.active_memberships(user)]
    paid_by = or_(Payment.payer_user_id == user.id, Payment.payer_organisation_id.in_(ids))
    return list(db.session.scalars(_overdue().where(paid_by)))


def overdue_to_chase(user) -> list[Payment]:
    """Overdue invoices raised by organisations this person handles the money of (owners and finance people)."""
    ids = [m.organisation_id for m in org.active_memberships(user) if m.role in org.FINANCE_ROLES]
    if not ids:
        return []
    return list(db.session.scalars(_overdue().where(Payment.payee_organisation_id.in_(ids))))


def overdue_tasks(user) -> list[Task]:
    """'Pay invoice BSP-… (£40, due 3 November)' for the payer; 'Invoice BSP-… to X is overdue' for the payee."""
    tasks = []
    for payment in overdue_to_pay(user):
        money = format_pence(payment.refundable_pence)
        due = format_date(payment.due_on, year=False)
        payee = payment.payee_organisation.name if payment.payee_organisation else "Backstop"
        text = f"Pay invoice {payment.invoice_reference} ({money}, due {due})"
        tasks.append(Task(text, _invoice(payment), hint=f"Overdue: pay {payee}", status="Overdue", colour="red"))
    for payment in overdue_to_chase(user):
        text = f"Invoice {payment.invoice_reference} to {payment.payer_name} is overdue"
        hint = f"{format_pence(payment.refundable_pence)} was due by {format_date(payment.due_on)}"
        tasks.append(Task(text, _invoice(payment), hint=hint, status="Overdue", colour="red"))
    return tasks


def payee_details_tasks(user) -> list[Task]:
    """Owners and finance people of a council or NHS body that has not said how it is paid are asked to."""
    publishers = [
        m.organisation for m in org.publisher_memberships(user) if can_edit_payee_details(user, m.organisation)
    ]
    if not publishers:
        return []
    query = select(PayeeDetails.organisation_id).where(PayeeDetails.organisation_id.in_([o.id for o in publishers]))
    given = set(db.session.scalars(query))
    return [
        Task(
            "Add your payment details so invoices say how to pay",
            url_for("payments.payee_details", org_id=organisation.id),
            hint=organisation.name if len(publishers) > 1 else "",
        )
        for organisation in publishers
        if organisation.id not in given
    ]
