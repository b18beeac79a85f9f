"""Training's part of the dashboard: offers to accept, holds to pay, attendance to mark, certificates expiring."""

from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from ..core.clock import to_london, utcnow
from ..core.features import Task
from ..core.template_helpers import format_date, format_time
from ..extensions import db
from ..organisations.permissions import enterprise_memberships, publisher_memberships
from .models import (
    Attendee,
    AttendeeStatus,
    Booking,
    BookingStatus,
    Course,
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
    query = select(WaitingListEntry).where(
        WaitingListEntry.user_id == user.id, WaitingListEntry.status == WaitStatus.OFFERED
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
    query = select(Booking).where(Booking.booker_id == user.id, Booking.status == BookingStatus.RESERVED)
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
