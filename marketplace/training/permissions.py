"""Who may see and do what in training: the publisher of a course, the booker, people booked; scoped getters;
the training policies that routes and services name."""

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.roles import is_relief_worker
from ..core.permissions import is_signed_in, register_policy
from ..core.permissions import require as require  # services import it from here: training's policies are loaded
from ..extensions import db
from ..organisations import permissions as org
from ..payments.models import Payment
from .models import (
    Attendee,
    AttendeeStatus,
    Booking,
    BookingStatus,
    Course,
    CourseStatus,
    TrainingRecord,
    TrainingSession,
    WaitingListEntry,
)

# --- the publisher of a course ---------------------------------------------------------------------------------


def publishing_organisation(thing):
    """The council or NHS body behind a course, a session or a booking."""
    if isinstance(thing, Booking):
        thing = thing.session
    if isinstance(thing, TrainingSession):
        thing = thing.course
    return thing.organisation


def is_course_publisher(user, thing) -> bool:
    """The person belongs to the body that publishes the course (of a session or a booking)."""
    return org.is_publisher_member(user, publishing_organisation(thing))


def manages(user, thing) -> bool:
    """The person publishes for the approved body behind the course, session or booking."""
    return org.can_publish(user, publishing_organisation(thing))


def managed_organisation_ids(user) -> list[int]:
    """The approved councils and NHS bodies the person publishes for."""
    return [m.organisation_id for m in org.active_memberships(user) if org.can_publish(user, m.organisation)]


def managed_course(course_id: int, user) -> Course | None:
    """A course of an approved publisher the person belongs to."""
    query = select(Course).where(Course.id == course_id, Course.organisation_id.in_(managed_organisation_ids(user)))
    return db.session.scalar(query)


def managed_session(session_id: int, user) -> TrainingSession | None:
    """A session of a course the person manages."""
    query = (
        select(TrainingSession)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(TrainingSession.id == session_id, Course.organisation_id.in_(managed_organisation_ids(user)))
    )
    return db.session.scalar(query)


def managed_booking(booking_id: int, user) -> Booking | None:
    """A booking on a session of a course the person manages."""
    query = (
        select(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(Booking.id == booking_id, Course.organisation_id.in_(managed_organisation_ids(user)))
    )
    return db.session.scalar(query)


# --- courses and sessions anyone may see -----------------------------------------------------------------------


def visible_course(course_id: int, user) -> Course | None:
    """A published course, or any course of the person's own publisher."""
    course = db.session.get(Course, course_id)
    if course is None or (course.status != CourseStatus.PUBLISHED and not is_course_publisher(user, course)):
        return None
    return course


def _live_attendee_of(user):
    """Attendees of confirmed bookings made by the person or naming them."""
    return (
        select(Attendee)
        .join(Booking, Booking.id == Attendee.booking_id)
        .where(
            Booking.status == BookingStatus.CONFIRMED,
            Attendee.status != AttendeeStatus.CANCELLED,
            or_(Booking.booker_id == user.id, Attendee.email == user.email.lower()),
        )
    )


def is_confirmed_on(user, session: TrainingSession) -> bool:
    """The person has a confirmed place on the session (as an attendee or as the booker)."""
    if not is_signed_in(user):
        return False
    query = _live_attendee_of(user).where(Attendee.session_id == session.id).limit(1)
    return db.session.scalar(query) is not None


def can_see_private(user, session: TrainingSession) -> bool:
    """Venue, online link and attendee names: for people confirmed on the session and the publisher's members."""
    if not is_signed_in(user):
        return False
    return is_course_publisher(user, session) or is_confirmed_on(user, session)


def visible_session(session_id: int, user) -> TrainingSession | None:
    """A session of a published course, or one the person publishes or is booked on."""
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        return None
    if session.course.status == CourseStatus.PUBLISHED or can_see_private(user, session):
        return session
    return None


def attendee_names(user, session: TrainingSession) -> list[str]:
    """Names the person may see: everyone booked, for the publisher; otherwise the people on their own bookings."""
    live = (Attendee.session_id == session.id, Attendee.status != AttendeeStatus.CANCELLED)
    query = select(Attendee.name).join(Booking, Booking.id == Attendee.booking_id)
    query = query.where(*live, Booking.status == BookingStatus.CONFIRMED)
    if not is_course_publisher(user, session):
        named_in = select(Attendee.booking_id).where(*live, Attendee.email == user.email.lower())
        query = query.where(or_(Booking.booker_id == user.id, Booking.id.in_(named_in)))
    return list(db.session.scalars(query.order_by(Attendee.name)))


# --- bookings, waiting lists and records -----------------------------------------------------------------------


def may_book(user, _session=None) -> bool:
    """Entrepreneurs book for their enterprise's staff, relief workers for themselves; nobody else books."""
    return org.is_entrepreneur(user) or is_relief_worker(user)


def books_for(user, organisation) -> bool:
    """Entrepreneurs book for an enterprise they belong to; relief workers (and entrepreneurs) for themselves."""
    return may_book(user) if organisation is None else org.is_enterprise_member(user, organisation)


def is_booker(user, booking: Booking) -> bool:
    """The person made the booking."""
    return is_signed_in(user) and booking.booker_id == user.id


def can_view_booking(user, booking: Booking) -> bool:
    """The booker, members of the booking's enterprise and the publisher's members."""
    return is_booker(user, booking) or org.is_member(user, booking.organisation) or is_course_publisher(user, booking)


def can_cancel_booking(user, booking: Booking) -> bool:
    """The booker, or an owner of the booking's enterprise."""
    return is_booker(user, booking) or org.is_owner(user, booking.organisation)


def can_see_booked_session(user, booking: Booking) -> bool:
    """The venue and joining details of a booking's session (its calendar event): those who may see them."""
    return can_see_private(user, booking.session)


def visible_booking(booking_id: int, user) -> Booking | None:
    """A booking the person may see, or None."""
    shown = (
        joinedload(Booking.session).joinedload(TrainingSession.course).joinedload(Course.organisation),
        joinedload(Booking.payment).selectinload(Payment.refunds),
        joinedload(Booking.booker),
        joinedload(Booking.organisation),
        selectinload(Booking.attendees),
    )  # what its pages show: one query for the booking, one for its people, one for any refunds
    booking = db.session.get(Booking, booking_id, options=shown)
    return booking if booking is not None and can_view_booking(user, booking) else None


def holds_entry(user, entry: WaitingListEntry) -> bool:
    """The person's own waiting-list entry."""
    return is_signed_in(user) and entry.user_id == user.id


def own_waiting_entry(entry_id: int, user) -> WaitingListEntry | None:
    """The person's own waiting-list entry, or None."""
    entry = db.session.get(WaitingListEntry, entry_id)
    return entry if entry is not None and holds_entry(user, entry) else None


def can_download(user, record: TrainingRecord) -> bool:
    """The person themselves, members of the enterprise that booked them, and the course's publisher."""
    if not is_signed_in(user):
        return False
    if record.user_id == user.id or record.email == user.email.lower():
        return True
    if any(m.organisation_id == record.organisation_id for m in org.enterprise_memberships(user)):
        return True
    return manages(user, record.course)


def visible_record(record_id: int, user) -> TrainingRecord | None:
    """A training record whose certificate the person may download, or None."""
    record = db.session.get(TrainingRecord, record_id)
    return record if record is not None and can_download(user, record) else None


register_policy("training_publisher", manages, refuse=404)
register_policy("may_book", may_book)
register_policy("books_for", books_for)
register_policy("booker", is_booker)
register_policy("booking_viewer", can_view_booking, refuse=404)
register_policy("booking_canceller", can_cancel_booking)
register_policy("booking_session_details", can_see_booked_session, refuse=404)
register_policy("waiting_entry_holder", holds_entry, refuse=404)
register_policy("record_viewer", can_download, refuse=404)
