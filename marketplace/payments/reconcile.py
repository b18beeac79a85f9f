"""`flask reconcile`'s payments half: records that disagree with each other or with what their provider does."""

from sqlalchemy import func, or_, select

from ..extensions import db
from .models import ConnectedAccount, Payment, Payout, PayoutStatus, Refund, RefundStatus
from .providers import payroll_provider_names


def reconciliation_problems() -> list[str]:
    """Every payment and payout problem found, one sentence each (an empty list when everything agrees)."""
    return refund_problems() + payout_problems()


def refund_problems() -> list[str]:
    """Payments whose refund rows (pending ones counted) do not add up to what the payment says was refunded."""
    refunded = (
        select(Refund.payment_id, func.coalesce(func.sum(Refund.amount_pence), 0).label("total"))
        .where(Refund.status != RefundStatus.FAILED)
        .group_by(Refund.payment_id)
        .subquery()
    )
    query = (
        select(Payment.id, Payment.refunded_pence, func.coalesce(refunded.c.total, 0))
        .outerjoin(refunded, refunded.c.payment_id == Payment.id)
        .where(Payment.refunded_pence != func.coalesce(refunded.c.total, 0))
    )
    return [
        f"Payment {pid}: refunded_pence {said} but refunds total {total}"
        for pid, said, total in db.session.execute(query)
    ]


def payout_problems() -> list[str]:
    """Payouts paid by transfer with no transfer reference; paid ones without a paid time (or unpaid ones with
    one); and payouts still waiting for an account that can already receive them."""
    payroll = payroll_provider_names()
    paid = Payout.status == PayoutStatus.PAID
    no_reference = select(Payout.id).where(paid, Payout.provider.not_in(payroll), Payout.provider_reference.is_(None))
    paid_time = select(Payout.id).where(or_(paid & Payout.paid_at.is_(None), ~paid & Payout.paid_at.is_not(None)))
    stuck = (
        select(Payout.id)
        .join(
            ConnectedAccount,
            (ConnectedAccount.user_id == Payout.payee_user_id) & (ConnectedAccount.provider == Payout.provider),
        )
        .where(Payout.status == PayoutStatus.WAITING_FOR_ACCOUNT, ConnectedAccount.payouts_enabled.is_(True))
    )
    found = [
        (no_reference, "was paid by transfer but has no transfer reference"),
        (paid_time, "has a paid time that disagrees with its status"),
        (stuck, "is waiting for an account that can already receive payouts"),
    ]
    return [
        f"Payout {payout_id} {problem}"
        for query, problem in found
        for payout_id in db.session.scalars(query.order_by(Payout.id))
    ]
