"""Training's side of reconciliation: every booking's money matches its payment record."""

from sqlalchemy import or_, select

from ..extensions import db
from ..payments.models import Payment
from .models import Booking, BookingStatus


def booking_problems() -> list[str]:
    """Bookings whose price, payment amount or free status disagree (an empty list means they reconcile)."""
    mismatched = db.session.execute(
        select(Booking.id, Booking.total_pence, Payment.amount_pence)
        .join(Payment, Payment.id == Booking.payment_id)
        .where(
            or_(
                Payment.amount_pence != Booking.total_pence,
                Booking.total_pence != Booking.unit_price_pence * Booking.seats,
            )
        )
    ).all()
    unpaid = db.session.scalars(
        select(Booking.id).where(
            Booking.payment_id.is_(None), Booking.total_pence > 0, Booking.status != BookingStatus.EXPIRED
        )
    ).all()
    problems = [f"Booking {bid}: total {total} but payment amount {amount}" for bid, total, amount in mismatched]
    problems += [f"Booking {bid}: costs money but has no payment record" for bid in unpaid]
    return problems
