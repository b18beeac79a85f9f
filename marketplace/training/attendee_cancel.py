"""Cancelling one person's place on a booking: a seat back, one place's refund under the cut-off rule, the rest kept."""

from datetime import datetime

from flask import url_for
from sqlalchemy import func, select, update

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.mail import send_email
from ..core.notifications import notify
from ..core.states import change
from ..extensions import db
from ..payments import services as payments
from ..payments.models import RefundStatus
from . import publisher_notices
from .booking import BookingClosed, _tell_refund_failed, cancel_booking, refund_due
from .models import ATTENDEE_STATES, Attendee, AttendeeStatus, Booking, BookingStatus
from .offers import offer_seats
from .permissions import require
from .seats import give_back_seats, lock_session

REFUND_REASON = "One place on a training booking cancelled"


def place_refund_due(booking: Booking, *, by_publisher: bool, now: datetime) -> int:
    """One place's share of the booking rule: its unit price whenever the whole booking would be refunded."""
    return booking.unit_price_pence if refund_due(booking, by_publisher=by_publisher, now=now) else 0


def live_places(booking: Booking) -> int:
    """How many people on the booking still hold a place."""
    query = select(func.count()).where(Attendee.booking_id == booking.id, Attendee.status == AttendeeStatus.BOOKED)
    return db.session.scalar(query)


def cancel_attendee(attendee: Attendee, actor, *, by_publisher: bool = False, reason: str = "") -> int:
    """Cancel one person's place (the whole booking if it is the last one); returns the pence refunded."""
    booking = attendee.booking
    session = lock_session(booking.session_id)  # one lock order for every seat change on a session: no deadlocks
    db.session.refresh(booking)
    db.session.refresh(attendee)
    require(actor, "training_publisher" if by_publisher else "booking_canceller", booking)
    now = utcnow()
    if now >= session.starts_at:
        raise BookingClosed("This session has started, so places on it can no longer be cancelled")
    _check_cancellable(booking, attendee)
    if live_places(booking) == 1:
        return cancel_booking(booking, actor, by_publisher=by_publisher, reason=reason)
    due = place_refund_due(booking, by_publisher=by_publisher, now=now)
    details = {"by_publisher": by_publisher, "due": due, "reason": reason[:200] or None}
    if not change(
        attendee, ATTENDEE_STATES, AttendeeStatus.CANCELLED, actor=actor, organisation=booking.organisation, **details
    ):
        raise DomainError(f"{attendee.name}'s place has already been cancelled")
    give_back_seats(session.id, 1)
    _drop_one_place(booking)
    refunded = _refund_place(booking, due)
    audit.record(
        "booking.place_cancelled",
        obj=booking,
        organisation=booking.organisation,
        actor=actor,
        attendee_id=attendee.id,
        seats=booking.seats,
        total=booking.total_pence,
        refunded=refunded,
        by_publisher=by_publisher,
    )
    _tell_place_cancelled(booking, attendee, refunded, by_publisher, reason)
    publisher_notices.place_cancelled(booking, attendee, by_publisher=by_publisher)
    offer_seats(session.id)
    return refunded


def _check_cancellable(booking: Booking, attendee: Attendee) -> None:
    """Only a confirmed booking's live places are cancelled one by one (a checkout in progress is for all of them)."""
    if attendee.status != AttendeeStatus.BOOKED:
        raise DomainError(f"{attendee.name}'s place has already been cancelled")
    if booking.status == BookingStatus.RESERVED:
        raise DomainError(
            "You can cancel one place once the booking is confirmed. You can cancel the whole booking now"
        )
    if booking.status != BookingStatus.CONFIRMED:
        raise DomainError("This booking is no longer active")


def _drop_one_place(booking: Booking) -> None:
    """One seat and one unit price fewer, by conditional UPDATE: never below one place, only on a live booking."""
    result = db.session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.seats > 1, Booking.status == BookingStatus.CONFIRMED)
        .values(seats=Booking.seats - 1, total_pence=Booking.total_pence - Booking.unit_price_pence)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError("This booking changed while you were cancelling the place. Try again")
    db.session.refresh(booking, ["seats", "total_pence"])


def _refund_place(booking: Booking, due: int) -> int:
    """Give back one place's price through the payments service; the pence actually given back."""
    if booking.payment is None or due <= 0:
        return 0
    refund = payments.refund(booking.payment, due, REFUND_REASON)
    if refund is None:
        return 0
    if refund.status == RefundStatus.FAILED:
        _tell_refund_failed(booking, refund.amount_pence)
        return 0
    return refund.amount_pence


def _tell_place_cancelled(booking: Booking, attendee: Attendee, refunded: int, by_publisher: bool, reason: str) -> None:
    """The booker is notified; the person whose place it was is emailed (unless they are the booker)."""
    course = booking.session.course
    who = course.organisation.name if by_publisher else "You"
    money = f" {payments.refunded_words(booking.payment, refunded)}" if refunded else ""
    notify(
        booking.booker,
        "booking_place_cancelled",
        title=f"{who} cancelled {attendee.name}'s place on {course.title}",
        body=f"{reason.strip()}{money}".strip(),
        link=url_for("training.show_booking", booking_id=booking.id, _external=True),
    )
    if attendee.email.lower() == booking.booker.email.lower():
        return
    send_email(
        attendee.email,
        "training_place_cancelled",
        name=attendee.name,
        course=course,
        session=booking.session,
        cancelled_by=who if by_publisher else booking.booker.name,
        reason=reason.strip(),
    )


def refund_preview(booking: Booking, *, by_publisher: bool) -> str:
    """What cancelling one place now means for the money, in the payer's words."""
    payment = booking.payment
    if payment is None or booking.unit_price_pence == 0:
        return "This place is free, so there is nothing to refund."
    due = place_refund_due(booking, by_publisher=by_publisher, now=utcnow())
    if due == 0:
        days = booking.session.course.cancellation_cutoff_days
        return f"The session starts in less than {days} days, so there is no refund for this place."
    return payments.refund_words(payment, due)


def place_on(booking: Booking, attendee_id: int) -> Attendee | None:
    """The person with that id on this booking (None if they are on another)."""
    return next((attendee for attendee in booking.attendees if attendee.id == attendee_id), None)


def can_cancel_place(booking: Booking, attendee: Attendee) -> bool:
    """A booked person on a confirmed booking whose session has not started."""
    live = booking.status == BookingStatus.CONFIRMED and not booking.session.has_started
    return live and attendee.status == AttendeeStatus.BOOKED


def check_page_facts(booking: Booking, attendee: Attendee, *, by_publisher: bool) -> dict:
    """What the check page says: its question, the money, and whether it is the booking's last place."""
    others = live_places(booking) - 1
    return {
        "booking": booking,
        "attendee": attendee,
        "title": f"Cancel {attendee.name}'s place?",
        "refund": refund_preview(booking, by_publisher=by_publisher),
        "others": others,
        "last": others == 0,
        "button": f"Cancel {attendee.name}'s place",
    }


def cancelled_message(booking: Booking, attendee: Attendee, refunded: int, *, payer: bool) -> str:
    """The banner after cancelling a place (or, when it was the last, the whole booking); the payer hears any debt."""
    done = "The booking has been cancelled." if booking.status == BookingStatus.CANCELLED else ""
    done = done or f"{attendee.name}'s place has been cancelled."
    money = f" {payments.refunded_words(booking.payment, refunded)}" if refunded else ""
    owed = f" {payments.owed_words(booking.payment)}" if payer and booking.payment else ""
    return f"{done}{money}{owed}".rstrip()
