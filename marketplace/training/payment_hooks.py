"""What a training booking does when its payment changes: lock it first, confirm it when paid, release it when lapsed.

Declared in the training feature's `payment_purposes` (HANDLERS, below). The lock step finds the booking once and
locks its session once (the order every seat change uses); the payments service hands that booking on.
"""

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core.notifications import notify
from ..core.states import advance
from ..extensions import db
from ..payments import services as payments
from ..payments.hooks import PurposeHandlers
from ..payments.models import Payment, PaymentPurpose
from .booking import confirm, expire_hold
from .models import ATTENDEE_STATES, Attendee, AttendeeStatus, Booking, BookingStatus, TrainingSession
from .seats import take_seats


def lock_booking_of(payment: Payment) -> Booking | None:
    """Lock the session of the payment's booking, then read the booking (current, since its session is locked)."""
    session_id = select(Booking.session_id).where(Booking.payment_id == payment.id).scalar_subquery()
    session = db.session.scalars(
        select(TrainingSession)
        .where(TrainingSession.id == session_id)
        .with_for_update(of=TrainingSession)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if session is None:
        return None
    query = (
        select(Booking)
        .where(Booking.payment_id == payment.id)
        .options(joinedload(Booking.session).joinedload(TrainingSession.course))
        .execution_options(populate_existing=True)
    )
    return db.session.scalars(query).one()


def paid(payment: Payment, booking: Booking | None) -> None:
    """Money arrived: confirm; if the hold had lapsed, take the seats again or refund in full."""
    if booking is None or booking.status == BookingStatus.CONFIRMED:
        return
    if booking.status == BookingStatus.CANCELLED and booking.confirmed_at is not None:
        return  # an invoice paid after its booking was cancelled: the cancellation already settled what is owed
    if booking.status == BookingStatus.RESERVED:
        confirm(booking)
    elif booking.status == BookingStatus.EXPIRED and _retake(booking):
        confirm(booking)
    else:
        refund = payments.refund(payment, payment.refundable_pence, "Paid after the places were released")
        notify(
            booking.booker,
            "booking_refunded",
            title=f"We could not keep your places on {booking.session.course.title}",
            body="Your payment arrived after the places were released, so we have refunded it in full.",
            link=url_for("training.show_booking", booking_id=booking.id, _external=True),
            refund=refund,
        )


def _retake(booking: Booking) -> bool:
    """Take an expired booking's seats again, if they are free and none of its people has booked since."""
    emails = [a.email for a in booking.attendees]
    clash = db.session.scalar(
        select(func.count())
        .select_from(Attendee)
        .where(
            Attendee.session_id == booking.session_id,
            Attendee.email.in_(emails),
            Attendee.status != AttendeeStatus.CANCELLED,
        )
    )
    if clash or not take_seats(booking.session_id, booking.seats):
        return False
    for attendee in booking.attendees:
        advance(attendee, ATTENDEE_STATES, AttendeeStatus.BOOKED, actor=None, organisation=booking.organisation)
    return True


def lapsed(payment: Payment, booking: Booking | None) -> None:
    """The checkout expired unpaid: release the hold now rather than waiting for the job."""
    if booking is not None and booking.status == BookingStatus.RESERVED:
        expire_hold(booking)


HANDLERS = PurposeHandlers(PaymentPurpose.TRAINING_BOOKING, lock_first=lock_booking_of, on_paid=paid, on_lapsed=lapsed)
