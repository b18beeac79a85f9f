"""Training's side of reconciliation: every booking's money matches its payment record.

A booking's total is the price of the places it still holds (unit price × seats). Its payment was for every place
booked, so the payment's amount is the unit price × all its attendees, cancelled places included (what came back
for a cancelled place is a refund or credit on the payment, which payments reconciles).
"""

from sqlalchemy import func, or_, select

from ..extensions import db
from ..payments.models import Payment
from .models import Attendee, Booking, BookingStatus


def booking_problems() -> list[str]:
    """Bookings whose price, payment amount or free status disagree (an empty list means they reconcile)."""
    places_booked = select(func.count()).where(Attendee.booking_id == Booking.id).correlate(Booking).scalar_subquery()
    charged = Booking.unit_price_pence * places_booked
    mismatched = db.session.execute(
        select(Booking.id, Booking.total_pence, charged, Payment.amount_pence)
        .join(Payment, Payment.id == Booking.payment_id)
        .where(or_(Payment.amount_pence != charged, Booking.total_pence != Booking.unit_price_pence * Booking.seats))
    ).all()
    unpaid = db.session.scalars(
        select(Booking.id).where(
            Booking.payment_id.is_(None), Booking.total_pence > 0, Booking.status != BookingStatus.EXPIRED
        )
    ).all()
    problems = [
        f"Booking {bid}: total {total} for the places held, {booked} for every place booked, but payment amount "
        f"{amount}"
        for bid, total, booked, amount in mismatched
    ]
    problems += [f"Booking {bid}: costs money but has no payment record" for bid in unpaid]
    return problems
