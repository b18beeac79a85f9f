"""Refunds a person must send: money owed back on a paid invoice waits until the payee's finance people send it."""

from datetime import date

from flask import url_for
from sqlalchemy import select

from ..accounts.models import User
from ..core.errors import DomainError
from ..core.features import Task
from ..core.money import format_pence
from ..core.notifications import notify, notify_each
from ..core.states import change
from ..extensions import db
from ..organisations import permissions as org
from ..organisations.models import Membership, MembershipStatus
from .models import REFUND_STATES, Payment, Refund, RefundStatus
from .permissions import require
from .providers import provider_of


def _invoice_link(payment: Payment) -> str:
    """The invoice page, as a full address for notifications and emails."""
    return url_for("payments.show_invoice", payment_id=payment.id, _external=True)


def finance_people(organisation) -> list[User]:
    """The organisation's active owners and finance people."""
    query = (
        select(User)
        .join(Membership)
        .where(
            Membership.organisation_id == organisation.id,
            Membership.role.in_(org.FINANCE_ROLES),
            Membership.status == MembershipStatus.ACTIVE,
        )
    )
    return list(db.session.scalars(query))


def task_text(refund: Refund) -> str:
    """What the payee's finance people have to do, in one line."""
    payment = refund.payment
    money = format_pence(refund.amount_pence)
    return f"Send a refund of {money} to {payment.payer_name} (invoice {payment.invoice_reference})"


def tell_finance(refund: Refund) -> None:
    """A refund now waits for a person: the payee's finance people are told (in the service and by email)."""
    payment = refund.payment
    if payment.payee_organisation is None:
        return
    notify_each(
        finance_people(payment.payee_organisation),
        "refund_to_send",
        title=task_text(refund),
        body="Send the money, then record the date you sent it and your reference on the invoice page.",
        link=_invoice_link(payment),
    )


def record_refund_sent(refund: Refund, actor, *, sent_on: date, reference: str) -> None:
    """A payee's finance person records that they sent a waiting refund: it succeeds and the payer is told."""
    payment = refund.payment
    require(actor, "payee_finance", payment)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError("Enter your reference for the refund")
    if len(reference) > 60:
        raise DomainError("Your reference must be 60 characters or fewer")
    values = {"sent_on": sent_on, "sent_reference": reference}
    details = {"payment_id": payment.id, "amount": refund.amount_pence}
    if not change(
        refund, REFUND_STATES, RefundStatus.SUCCEEDED, actor=actor, action="payment.refund_sent",
        organisation=payment.payee_organisation, values=values, **details,
    ):  # fmt: skip
        raise DomainError("This refund has already been recorded as sent")
    if payment.payer_user is not None:
        words = provider_of(payment).sent_words(payment, refund.amount_pence)
        notify(payment.payer_user, "refund_sent", title=words, link=_invoice_link(payment))


def _waiting(query) -> list[Refund]:
    """The pending refunds the query finds that wait for a person (not for a provider) to send them."""
    rows = db.session.scalars(query.where(Refund.status == RefundStatus.PENDING))
    return [row for row in rows if provider_of(row.payment).refund_needs_person(row.payment)]


def refunds_to_send(user) -> list[Refund]:
    """Refunds waiting for this person (a finance person of the payee) to send."""
    ids = [m.organisation_id for m in org.active_memberships(user) if m.role in org.FINANCE_ROLES]
    if not ids:
        return []
    query = select(Refund).join(Payment).where(Payment.payee_organisation_id.in_(ids)).order_by(Refund.id)
    return _waiting(query)


def refund_tasks(user) -> list[Task]:
    """Dashboard tasks: each refund this person must send, linking to its invoice."""
    return [
        Task(task_text(row), url_for("payments.show_invoice", payment_id=row.payment_id))
        for row in refunds_to_send(user)
    ]


def count_waiting() -> int:
    """How many refunds are waiting for a person to send them (for `flask reconcile`)."""
    return len(_waiting(select(Refund).where(Refund.provider_reference.is_(None))))
