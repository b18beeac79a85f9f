"""What payments hold about a person (payments they made, their refunds, payouts made to them and their payout
account), for their data export.

Closing an account changes no payment, refund or payout: they are financial records, kept as they are (so
`flask reconcile` still adds up); a payment shows its payer by the account's pseudonym once the account is closed.
"""

from sqlalchemy import select

from ..extensions import db
from .models import ConnectedAccount, Payment, Payout


def export(user) -> dict[str, list[dict]]:
    """Each payment the person made, each refund against one, each payout to them and their payout account."""
    payments = list(db.session.scalars(select(Payment).where(Payment.payer_user_id == user.id).order_by(Payment.id)))
    return {
        "payments": [
            {
                "payment": p.id,
                "description": p.description,
                "paid_by": p.payer_name,
                "paid_to": p.payee_organisation.name if p.payee_organisation else "",
                "amount_pence": p.amount_pence,
                "refunded_pence": p.refunded_pence,
                "status": p.status_label,
                "invoice_reference": p.invoice_reference,
                "created_at": p.created_at,
                "paid_at": p.paid_at,
                "due_on": p.due_on,
            }
            for p in payments
        ],
        "refunds": [
            {"payment": r.payment_id, "amount_pence": r.amount_pence, "status": r.status_label, "reason": r.reason}
            for p in payments
            for r in p.refunds
        ],
        **_payouts(user),
    }


def _payouts(user) -> dict[str, list[dict]]:
    """Payouts made to the person, and their account for payouts by transfer (as last read from the provider)."""
    payouts = db.session.scalars(select(Payout).where(Payout.payee_user_id == user.id).order_by(Payout.id))
    accounts = db.session.scalars(select(ConnectedAccount).where(ConnectedAccount.user_id == user.id))
    return {
        "payouts": [
            {
                "payout": p.reference,
                "description": p.description,
                "amount_pence": p.amount_pence,
                "status": p.status_label,
                "created_at": p.created_at,
                "paid_at": p.paid_at,
            }
            for p in payouts
        ],
        "payout_accounts": [
            {"payouts_enabled": a.payouts_enabled, "details_submitted": a.details_submitted, "created_at": a.created_at}
            for a in accounts
        ],
    }
