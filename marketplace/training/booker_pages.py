"""What a booker's pages show: their bookings, places others booked for them, hold time left, their calendar address."""

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..core.clock import utcnow
from ..extensions import db
from .models import Attendee, AttendeeStatus, Booking, BookingStatus, SessionStatus, TrainingSession


def hold_minutes_left(booking: Booking) -> int:
    """Whole minutes (at least 0) before a reserved booking's hold lapses."""
    if booking.status != BookingStatus.RESERVED or booking.hold_expires_at is None:
        return 0
    return max(0, -(-int((booking.hold_expires_at - utcnow()).total_seconds()) // 60))


def _bookings_of(user) -> Select:
    """Bookings the person made, with their session and payment loaded."""
    return (
        select(Booking)
        .join(Booking.session)
        .where(Booking.booker_id == user.id)
        .options(contains_eager(Booking.session), selectinload(Booking.payment))
    )


def upcoming_bookings(user) -> list[Booking]:
    """The person's live bookings for sessions still to come, soonest first."""
    query = _bookings_of(user).where(
        TrainingSession.starts_at > utcnow(),
        Booking.status.in_((BookingStatus.RESERVED, BookingStatus.CONFIRMED)),
        TrainingSession.status == SessionStatus.SCHEDULED,
    )
    return list(db.session.scalars(query.order_by(TrainingSession.starts_at, Booking.id)).unique())


def past_bookings_query(user) -> Select:
    """The person's other bookings (past, cancelled or expired), newest session first, for pagination."""
    live_future = and_(
        TrainingSession.starts_at > utcnow(),
        Booking.status.in_((BookingStatus.RESERVED, BookingStatus.CONFIRMED)),
        TrainingSession.status == SessionStatus.SCHEDULED,
    )
    return _bookings_of(user).where(~live_future).order_by(TrainingSession.starts_at.desc(), Booking.id.desc())


def places_booked_for(user) -> list[Attendee]:
    """Confirmed places someone else booked naming the person, for sessions still to come."""
    query = (
        select(Attendee)
        .join(Booking, Booking.id == Attendee.booking_id)
        .join(TrainingSession, TrainingSession.id == Attendee.session_id)
        .where(
            Attendee.email == user.email.lower(),
            Attendee.status != AttendeeStatus.CANCELLED,
            Booking.status == BookingStatus.CONFIRMED,
            Booking.booker_id != user.id,
            TrainingSession.starts_at > utcnow(),
        )
        .options(selectinload(Attendee.booking))
        .order_by(TrainingSession.starts_at)
    )
    return list(db.session.scalars(query))
