"""What a booker's pages show: their bookings, places others booked for them, hold time left, their calendar address,
and what booking will cost and how it is paid (on the booking form and its check-your-answers page)."""

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..core.clock import utcnow
from ..extensions import db
from ..payments import services as payments
from .booking import HOLD_MINUTES
from .catalogue import price_paid_text
from .eligibility import price_for
from .models import (
    Attendee,
    AttendeeStatus,
    Booking,
    BookingStatus,
    SessionStatus,
    TrainingSession,
    WaitingListEntry,
    WaitStatus,
)


def minutes_held(pence: int) -> int | None:
    """How long places are held while the booker pays pence, or None where nothing is held: a free booking, or a
    payment provider that confirms orders at once (asked of the provider new payments use)."""
    return HOLD_MINUTES if pence and payments.orders_wait_for_payment() else None


def money_facts(session: TrainingSession, booker, organisation, places: int) -> dict:
    """What the check page says about money: the price per place and which of the course's prices it is, the
    total, how it is paid (the provider's words) and how long the places are held while paying."""
    band, unit = price_for(session.course, booker, organisation)
    total = unit * places
    payer = organisation.name if organisation else booker.name
    return {
        "price": price_paid_text(session.course, band, unit),
        "total": total,
        "paying": payments.order_words(payer) if total else None,
        "hold_minutes": minutes_held(total),
    }


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
        .options(contains_eager(Booking.session).joinedload(TrainingSession.course), selectinload(Booking.payment))
    )


def upcoming_bookings(user) -> list[Booking]:
    """The person's live bookings for sessions still to come, soonest first."""
    query = _bookings_of(user).where(
        TrainingSession.starts_at > utcnow(),
        Booking.status.in_((BookingStatus.RESERVED, BookingStatus.CONFIRMED)),
        TrainingSession.status == SessionStatus.SCHEDULED,
    )
    return list(db.session.scalars(query.order_by(TrainingSession.starts_at, Booking.id)).unique())


def waiting_entries(user) -> list[WaitingListEntry]:
    """The person's live waiting-list entries (waiting, or offered places), soonest session first."""
    query = (
        select(WaitingListEntry)
        .join(TrainingSession, TrainingSession.id == WaitingListEntry.session_id)
        .where(
            WaitingListEntry.user_id == user.id,
            WaitingListEntry.status.in_((WaitStatus.WAITING, WaitStatus.OFFERED)),
            TrainingSession.starts_at > utcnow(),
        )
        .options(contains_eager(WaitingListEntry.session).joinedload(TrainingSession.course))
        .order_by(TrainingSession.starts_at, WaitingListEntry.id)
    )
    return list(db.session.scalars(query).unique())


# Newest session first, then by booking id so the order is total (keyset pagination).
PAST_BOOKINGS_ORDER = (TrainingSession.starts_at.desc(), Booking.id.desc())


def past_bookings_query(user) -> Select:
    """The person's other bookings (past, cancelled or expired), newest session first, for pagination."""
    live_future = and_(
        TrainingSession.starts_at > utcnow(),
        Booking.status.in_((BookingStatus.RESERVED, BookingStatus.CONFIRMED)),
        TrainingSession.status == SessionStatus.SCHEDULED,
    )
    return _bookings_of(user).where(~live_future).order_by(*PAST_BOOKINGS_ORDER)


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
        .options(
            contains_eager(Attendee.booking).joinedload(Booking.booker),
            contains_eager(Attendee.booking).joinedload(Booking.session).joinedload(TrainingSession.course),
        )
        .order_by(TrainingSession.starts_at)
    )
    return list(db.session.scalars(query))


def live_booking_for(session_id: int, booker, organisation, emails: list[str]) -> Booking | None:
    """The booker's live booking on the session for exactly these people (so a confirm sent twice finds the first)."""
    query = (
        select(Booking)
        .where(
            Booking.session_id == session_id,
            Booking.booker_id == booker.id,
            Booking.organisation_id == (organisation.id if organisation else None),
            Booking.status.in_((BookingStatus.RESERVED, BookingStatus.CONFIRMED)),
        )
        .options(selectinload(Booking.attendees))
        .order_by(Booking.id)
    )
    wanted = sorted(emails)
    for booking in db.session.scalars(query):
        if sorted(a.email for a in booking.attendees if a.status == AttendeeStatus.BOOKED) == wanted:
            return booking
    return None
