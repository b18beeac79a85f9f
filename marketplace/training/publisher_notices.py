"""What a council or NHS body's training people hear about their courses: places booked, bookings and places
cancelled by bookers, and people joining a waiting list. In the service and by email (as each person chose), through
one queued fan-out after the commit, so the booker's request does not wait for them."""

from flask import url_for
from sqlalchemy import select

from ..core.notifications import notify_each
from ..core.template_helpers import format_datetime
from ..extensions import db
from ..organisations.models import MemberRole, Membership, MembershipStatus
from .models import Attendee, Booking, TrainingSession, WaitingListEntry

TRAINING_ROLES = (MemberRole.OWNER, MemberRole.MEMBER)  # finance people hear about money (invoices, refunds) instead


def training_people(organisation) -> list[int]:
    """The ids of the body's active owners and members: the people who run its courses."""
    query = select(Membership.user_id).where(
        Membership.organisation_id == organisation.id,
        Membership.role.in_(TRAINING_ROLES),
        Membership.status == MembershipStatus.ACTIVE,
    )
    return list(db.session.scalars(query))


def _places(count: int) -> str:
    return "1 place" if count == 1 else f"{count} places"


def _who(booker, organisation) -> str:
    """The enterprise that booked, or the person booking for themselves."""
    return organisation.name if organisation is not None else booker.name


def _tell(session: TrainingSession, kind: str, title: str, *, key: str | None = None) -> None:
    """Every training person of the session's publisher, with a link to the session's roster (key: notify_each's)."""
    notify_each(
        training_people(session.course.organisation),
        kind,
        title=title,
        body=f"The session starts on {format_datetime(session.starts_at)}.",
        link=url_for("training.roster", session_id=session.id, _external=True),
        key=key,
    )


def booking_made(booking: Booking) -> None:
    """A booking is confirmed (paid, free, or invoiced): told once per booking, however often its job runs."""
    who = _who(booking.booker, booking.organisation)
    title = f"{who} booked {_places(booking.seats)} on {booking.session.course.title}"
    _tell(booking.session, "publisher_booking_made", title, key=f"booking-made-{booking.id}")


def booking_cancelled(booking: Booking, *, by_publisher: bool) -> None:
    """A booker cancelled a whole booking (the publisher's own cancellations are not news to it)."""
    if by_publisher:
        return
    who = _who(booking.booker, booking.organisation)
    course = booking.session.course
    title = f"{who} cancelled {_places(booking.seats)} on {course.title}"
    _tell(booking.session, "publisher_booking_cancelled", title)


def place_cancelled(booking: Booking, attendee: Attendee, *, by_publisher: bool) -> None:
    """A booker cancelled one person's place on a booking."""
    if by_publisher:
        return
    who = _who(booking.booker, booking.organisation)
    title = f"{who} cancelled {attendee.name}'s place on {booking.session.course.title}"
    _tell(booking.session, "publisher_place_cancelled", title)


def waiting_list_joined(entry: WaitingListEntry) -> None:
    """Someone asked for places on a session that cannot take them now."""
    who = _who(entry.user, entry.organisation)
    title = f"{who} joined the waiting list for {entry.session.course.title}, asking for {_places(entry.seats)}"
    _tell(entry.session, "publisher_waiting_list_joined", title)
