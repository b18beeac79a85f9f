"""Publisher rules for courses, sessions and topics: create, change, publish, archive, cancel a session."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError, NotAllowed
from ..core.mail import send_email
from ..core.states import change
from ..extensions import db
from ..organisations.models import Area
from ..organisations.permissions import can_publish
from .attendee_emails import SessionDetails, announce_session_change
from .booking import cancel_booking
from .models import (
    COURSE_STATES,
    HOLDS_SEATS,
    SESSION_STATES,
    AttendeeStatus,
    Booking,
    Course,
    CourseStatus,
    Delivery,
    SessionStatus,
    Topic,
    TrainingSession,
)
from .offers import offer_seats
from .permissions import require
from .seats import lock_session
from .waiting import close_waiting_list


def topic_choices(keep: int | None = None) -> dict[int, str]:
    """Topics as form choices, by name: retired ones only if it is the one a course already has (`keep`)."""
    offered = Topic.retired_at.is_(None) | (Topic.id == keep)
    return {topic.id: topic.name for topic in db.session.scalars(select(Topic).where(offered).order_by(Topic.name))}


def _apply_course(course: Course, details: dict) -> None:
    area_ids = details.pop("area_ids", [])
    for name, value in details.items():
        setattr(course, name, value)
    course.eligible_areas = list(db.session.scalars(select(Area).where(Area.id.in_(area_ids)))) if area_ids else []
    if db.session.get(Topic, course.topic_id) is None:
        raise DomainError("Select a topic from the list")
    if course.subsidised_price_pence > course.full_price_pence:
        raise DomainError("The subsidised price must be no more than the full price")


def create_course(organisation, actor, **details) -> Course:
    """A draft course of an approved council or NHS body."""
    if not can_publish(actor, organisation):
        raise NotAllowed(f"{organisation.name} must be approved before it can publish courses")
    course = Course(organisation=organisation, status=CourseStatus.DRAFT)
    _apply_course(course, dict(details))
    db.session.add(course)
    db.session.flush()
    audit.record("course.created", obj=course, organisation=organisation, actor=actor, title=course.title)
    return course


def update_course(course: Course, actor, **details) -> None:
    """Change a course's details (bookings already made keep their price)."""
    require(actor, "training_publisher", course)
    _apply_course(course, dict(details))
    db.session.flush()
    audit.record("course.updated", obj=course, organisation=course.organisation, actor=actor)


def change_course_status(course: Course, status: CourseStatus, actor) -> None:
    """Publish or archive a course, as the course state machine allows."""
    require(actor, "training_publisher", course)
    if course.status == status:
        raise DomainError(f"{course.title} is already {status}")
    if not change(course, COURSE_STATES, status, actor=actor):
        raise DomainError(f"{course.title} is {course.status} and cannot be {status}")


def session_time_problems(starts_at: datetime, ends_at: datetime, booking_deadline: datetime) -> dict[str, str]:
    """The rules a session's times break, by the time that breaks each: "starts", "ends" or "deadline" (the session
    form ties each message to its field; the services refuse the first)."""
    problems = {}
    if starts_at <= utcnow():
        problems["starts"] = "The session must start in the future"
    if ends_at <= starts_at:
        problems["ends"] = "The end time must be after the start time"
    if booking_deadline >= starts_at:
        problems["deadline"] = "Booking must close before the session starts"
    return problems


def _check_times(starts_at: datetime, ends_at: datetime, booking_deadline: datetime) -> None:
    problems = session_time_problems(starts_at, ends_at, booking_deadline)
    if problems:
        raise DomainError(next(iter(problems.values())))


def _apply_session(session: TrainingSession, *, starts_at, ends_at, booking_deadline, place: str) -> None:
    _check_times(starts_at, ends_at, booking_deadline)
    session.starts_at, session.ends_at, session.booking_deadline = starts_at, ends_at, booking_deadline
    if session.course.delivery == Delivery.ONLINE:
        session.online_link, session.venue_address = place, None
    else:
        session.venue_address, session.online_link = place, None


def add_session(course: Course, actor, *, capacity: int, **times_and_place) -> TrainingSession:
    """A new scheduled session of a course that is not archived."""
    require(actor, "training_publisher", course)
    if course.status == CourseStatus.ARCHIVED:
        raise DomainError("Publish the course again before adding sessions")
    session = TrainingSession(course=course, capacity=capacity, seats_taken=0)
    _apply_session(session, **times_and_place)
    db.session.add(session)
    db.session.flush()
    audit.record("session.created", obj=session, organisation=course.organisation, actor=actor, capacity=capacity)
    return session


def _set_capacity(session: TrainingSession, capacity: int) -> None:
    """Done in the database so a booking made meanwhile can never be squeezed out."""
    result = db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == session.id, TrainingSession.seats_taken <= capacity)
        .values(capacity=capacity)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(session)
    if result.rowcount != 1:
        raise DomainError(f"{session.seats_taken} places are already taken: enter {session.seats_taken} or more")


def update_session(session: TrainingSession, actor, *, capacity: int, **times_and_place) -> int:
    """Change a session that has not started; more places are offered to the waiting list. A new time, venue or
    joining link is announced to everyone booked; returns how many bookings were told (0: nothing they rely on)."""
    require(actor, "training_publisher", session)
    session = lock_session(session.id)  # a cancellation or another change made meanwhile waits, or is seen here
    if session.status != SessionStatus.SCHEDULED or session.starts_at <= utcnow():
        raise DomainError("Only sessions that have not started can be changed")
    before, details_before = session.capacity, SessionDetails.of(session)
    if capacity != before:
        _set_capacity(session, capacity)
    _apply_session(session, **times_and_place)
    db.session.flush()
    changes = details_before.changes_to(SessionDetails.of(session))
    audit.record(
        "session.updated",
        obj=session,
        organisation=session.course.organisation,
        actor=actor,
        capacity=capacity,
        changed=changes,
    )
    if capacity > before:
        offer_seats(session.id)
    if not changes:
        return 0
    db.session.execute(  # counted by the database, under the session lock: calendar apps need every change
        update(TrainingSession)
        .where(TrainingSession.id == session.id)
        .values(revision=TrainingSession.revision + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(session, ["revision"])
    return announce_session_change(session, live_bookings(session.id), details_before, changes)


def live_bookings(session_id: int) -> list[Booking]:
    """Reserved and confirmed bookings of a session."""
    query = select(Booking).where(Booking.session_id == session_id, Booking.status.in_(HOLDS_SEATS))
    return list(db.session.scalars(query.order_by(Booking.id)))


def cancel_session(session: TrainingSession, actor, reason: str) -> int:
    """Cancel a whole session: refund every booking in full, email every attendee, close the waiting list."""
    require(actor, "training_publisher", session)
    session = lock_session(session.id)
    course = session.course
    revision = {"revision": TrainingSession.revision + 1}  # calendar apps replace an event with a higher SEQUENCE
    if not change(
        session,
        SESSION_STATES,
        SessionStatus.CANCELLED,
        actor=actor,
        organisation=course.organisation,
        values=revision,
        reason=reason,
    ):
        raise DomainError(f"This session is {session.status} and cannot be cancelled")
    bookings = live_bookings(session.id)
    people = [(a.name, a.email) for b in bookings for a in b.attendees if a.status == AttendeeStatus.BOOKED]
    for booking in bookings:
        cancel_booking(booking, actor, by_publisher=True, reason=reason)
    for name, email in people:
        send_email(email, "training_session_cancelled", name=name, course=course, session=session, reason=reason)
    close_waiting_list(session)
    return len(bookings)


def upcoming_sessions(course: Course) -> list[TrainingSession]:
    """A course's scheduled sessions that have not started, soonest first."""
    query = select(TrainingSession).where(
        TrainingSession.course_id == course.id,
        TrainingSession.status == SessionStatus.SCHEDULED,
        TrainingSession.starts_at > utcnow(),
    )
    return list(db.session.scalars(query.order_by(TrainingSession.starts_at, TrainingSession.id)))


def archive_course(course: Course, actor, reason: str = "") -> tuple[int, int]:
    """Archive a course and cancel its upcoming sessions as cancel_session does (full refunds, everyone told);
    a reason is needed when anyone is booked. One transaction: the caller rolls it all back if any step fails.
    Returns (sessions cancelled, bookings cancelled)."""
    require(actor, "training_publisher", course)
    reason = " ".join((reason or "").split())
    sessions = upcoming_sessions(course)
    if not reason and any(live_bookings(session.id) for session in sessions):
        raise DomainError("Enter a reason for cancelling the sessions")
    change_course_status(course, CourseStatus.ARCHIVED, actor)  # first: a refused archive asks no provider to refund
    told = reason or f"{course.title} is no longer running"
    bookings = sum(cancel_session(session, actor, told) for session in sessions)
    return len(sessions), bookings


def add_topic(name: str, actor) -> Topic:
    """A new topic on the managed list; the database refuses a name it has in any case, even one added meanwhile."""
    require(actor, "platform_admin")
    name = " ".join(name.split())
    topic = Topic(name=name)
    try:
        with db.session.begin_nested():
            db.session.add(topic)
    except IntegrityError:
        raise DomainError(f"There is already a topic called {name}") from None
    audit.record("topic.created", obj=topic, actor=actor, name=name)
    return topic


def rename_topic(topic: Topic, name: str, actor) -> Topic:
    """A topic's new name; the database's case-insensitive unique index has the last word on clashes."""
    require(actor, "platform_admin")
    old, name = topic.name, " ".join(name.split())
    try:
        with db.session.begin_nested():
            topic.name = name
            db.session.flush()
    except IntegrityError:
        raise DomainError(f"There is already a topic called {name}") from None
    audit.record("topic.renamed", obj=topic, actor=actor, old_name=old, name=name)
    return topic


def retire_topic(topic: Topic, actor) -> Topic:
    """Stop offering a topic for new courses (courses that have it keep it)."""
    require(actor, "platform_admin")
    if topic.retired_at is not None:
        raise DomainError(f"{topic.name} is already retired")
    topic.retired_at = utcnow()
    audit.record("topic.retired", obj=topic, actor=actor, name=topic.name)
    return topic
