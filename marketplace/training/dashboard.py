"""Training's part of the dashboard: offers to accept, holds to pay, attendance to mark, certificates expiring;
the courses a publisher runs with their next sessions; the training links."""

from datetime import timedelta

from flask import url_for
from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager, joinedload

from ..core.clock import to_london, utcnow
from ..core.features import NavLink, Task
from ..core.permissions import is_admin
from ..core.template_helpers import format_date, format_time
from ..extensions import db
from ..organisations.permissions import active_memberships, can_publish, enterprise_memberships, publisher_memberships
from .models import (
    Attendee,
    AttendeeStatus,
    Booking,
    BookingStatus,
    Course,
    CourseStatus,
    SessionStatus,
    TrainingRecord,
    TrainingSession,
    WaitingListEntry,
    WaitStatus,
)


def _when(moment) -> str:
    """'2:05pm on 3 March': a moment in the next few days."""
    return f"{format_time(moment)} on {format_date(moment, year=False)}"


def _offers(user) -> list[Task]:
    query = (
        select(WaitingListEntry)
        .where(WaitingListEntry.user_id == user.id, WaitingListEntry.status == WaitStatus.OFFERED)
        .options(joinedload(WaitingListEntry.session).joinedload(TrainingSession.course))
    )
    return [
        Task(
            f"Accept your places on {e.session.course.title}",
            url_for("training.waiting_list_entry", entry_id=e.id),
            f"The offer ends at {_when(e.offer_expires_at)}",
        )
        for e in db.session.scalars(query)
    ]


def _unpaid(user) -> list[Task]:
    query = (
        select(Booking)
        .where(Booking.booker_id == user.id, Booking.status == BookingStatus.RESERVED)
        .options(joinedload(Booking.session).joinedload(TrainingSession.course))
    )
    return [
        Task(
            f"Finish paying for {b.session.course.title}",
            url_for("training.show_booking", booking_id=b.id),
            f"Your places are held until {_when(b.hold_expires_at)}",
        )
        for b in db.session.scalars(query)
    ]


def _attendance(user) -> list[Task]:
    org_ids = [m.organisation_id for m in publisher_memberships(user)]
    if not org_ids:
        return []
    query = (
        select(TrainingSession)
        .join(Course)
        .options(contains_eager(TrainingSession.course))
        .where(Course.organisation_id.in_(org_ids), TrainingSession.status == SessionStatus.SCHEDULED)
        .where(TrainingSession.starts_at <= utcnow())
        .where(TrainingSession.id.in_(select(Attendee.session_id).where(Attendee.status == AttendeeStatus.BOOKED)))
    )
    return [
        Task(
            f"Mark attendance for {s.course.title}",
            url_for("training.mark_attendance", session_id=s.id),
            f"The session started at {_when(s.starts_at)}",
        )
        for s in db.session.scalars(query)
    ]


def _expiring(user) -> list[Task]:
    org_ids = [m.organisation_id for m in enterprise_memberships(user)]
    if not org_ids:
        return []
    today = to_london(utcnow()).date()
    query = select(TrainingRecord.organisation_id).where(
        TrainingRecord.organisation_id.in_(org_ids),
        TrainingRecord.expires_on.between(today, today + timedelta(days=30)),
    )
    return [
        Task(
            "Staff training expires within 30 days",
            url_for("training.staff_records", org_id=org_id),
            "Book refresher courses before the certificates run out",
        )
        for org_id in sorted(set(db.session.scalars(query)))
    ]


def training_tasks(user) -> list[Task]:
    """Everything training asks of this person now."""
    return _unpaid(user) + _offers(user) + _attendance(user) + _expiring(user)


# --- "Your courses": what a council or NHS body runs ------------------------------------------------------------

COURSES_SHOWN = 10  # the dashboard shows the courses whose sessions come soonest; the courses page lists them all
SESSIONS_SHOWN = 3


def courses_section(user) -> dict | None:
    """Each course the person's approved councils and NHS bodies run (soonest first), with its next sessions."""
    organisations = [m.organisation for m in active_memberships(user) if can_publish(user, m.organisation)]
    if not organisations:
        return None
    return {
        "organisations": organisations,
        "courses": _courses_with_next_sessions([organisation.id for organisation in organisations]),
    }


def _upcoming():
    """Scheduled sessions that have not ended."""
    return (TrainingSession.status == SessionStatus.SCHEDULED, TrainingSession.ends_at > utcnow())


def _courses_with_next_sessions(org_ids: list[int]) -> list[tuple[Course, list[TrainingSession]]]:
    """Up to COURSES_SHOWN of the organisations' live courses, those with the soonest next session first, each with
    up to SESSIONS_SHOWN upcoming sessions, soonest first: one query, however many courses and sessions."""
    # Each of these courses' next start, correlated: a grouped subquery aggregated every course's sessions first.
    next_start = (
        select(func.min(TrainingSession.starts_at))
        .where(TrainingSession.course_id == Course.id, *_upcoming())
        .correlate(Course)
        .scalar_subquery()
    )
    listed = (
        select(Course.id, Course.title, next_start.label("next_at"))
        .where(Course.organisation_id.in_(org_ids), Course.status != CourseStatus.ARCHIVED)
        .subquery()
    )
    chosen = (
        select(listed.c.id, listed.c.next_at)
        .order_by(listed.c.next_at.is_(None), listed.c.next_at, listed.c.title, listed.c.id)
        .limit(COURSES_SHOWN)
        .subquery()
    )
    place = func.row_number().over(
        partition_by=TrainingSession.course_id, order_by=(TrainingSession.starts_at, TrainingSession.id)
    )
    ranked = (
        select(TrainingSession.id, place.label("place"))
        .where(TrainingSession.course_id.in_(select(chosen.c.id)), *_upcoming())
        .subquery()
    )
    shown = select(ranked.c.id).where(ranked.c.place <= SESSIONS_SHOWN)
    query = (
        select(Course, TrainingSession)
        .join(chosen, chosen.c.id == Course.id)
        .outerjoin(TrainingSession, and_(TrainingSession.course_id == Course.id, TrainingSession.id.in_(shown)))
        .order_by(
            chosen.c.next_at.is_(None),
            chosen.c.next_at,
            Course.title,
            Course.id,
            TrainingSession.starts_at,
            TrainingSession.id,
        )
    )
    found: dict[Course, list[TrainingSession]] = {}
    for course, session in db.session.execute(query):
        found.setdefault(course, [])
        if session is not None:
            found[course].append(session)
    return list(found.items())


# --- links ------------------------------------------------------------------------------------------------------


def booker_links(user) -> list[NavLink]:
    """Finding and booking training, and what came of it (platform admins have their own links)."""
    if is_admin(user):
        return []
    return [
        NavLink("Find training", "training.catalogue"),
        NavLink("Your bookings", "training.my_bookings"),
        NavLink("Your training records", "training.my_records"),
        NavLink("Add your sessions to your calendar", "training.calendar"),
    ]


def admin_links(user) -> list[NavLink]:
    """Platform admins manage the list of training topics."""
    return [NavLink("Training topics", "training.topics")] if is_admin(user) else []
