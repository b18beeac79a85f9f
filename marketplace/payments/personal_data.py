"""What payments hold about a person (payments they made, and their refunds), for their data export.

Closing an account changes no payment or refund: they are financial records, kept as they are (so `flask reconcile`
still adds up); a payment shows its payer by the account's pseudonym once the account is closed.
"""

from sqlalchemy import select

from ..extensions import db
from .models import Payment


def export(user) -> dict[str, list[dict]]:
    """Each payment the person made, and each refund against one."""
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
    }
