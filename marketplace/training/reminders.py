"""Jobs: remind people 2 days before a session; warn 30 days before a training record expires."""

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import select

from ..core import audit
from ..core.clock import to_london, utcnow
from ..core.mail import send_email
from ..core.notifications import Notification, notify
from ..core.states import stamp_once
from ..core.template_helpers import format_date, format_datetime
from ..extensions import db
from .models import (
    AttendeeStatus,
    Booking,
    BookingStatus,
    Course,
    CourseStatus,
    SessionStatus,
    TrainingRecord,
    TrainingSession,
)

REMINDER_DAYS = 2
EXPIRY_WARNING_DAYS = 30
SESSIONS_SUGGESTED = 5


def send_session_reminders(now: datetime) -> int:
    """Job: for sessions starting within 2 days, tell each confirmed booker and email each attendee, once."""
    due = db.session.scalars(
        select(TrainingSession.id).where(
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.reminder_sent_at.is_(None),
            TrainingSession.starts_at > now,
            TrainingSession.starts_at <= now + timedelta(days=REMINDER_DAYS),
        )
    ).all()
    sent = 0
    for session_id in due:
        if stamp_once(TrainingSession, session_id, "reminder_sent_at", now):
            _remind(db.session.get(TrainingSession, session_id))
            sent += 1
    return sent


def _remind(session: TrainingSession) -> None:
    course = session.course
    bookings = db.session.scalars(
        select(Booking).where(Booking.session_id == session.id, Booking.status == BookingStatus.CONFIRMED)
    ).all()
    for booking in bookings:
        notify(
            booking.booker,
            "session_reminder",
            title=f"Reminder: {course.title} starts on {format_datetime(session.starts_at)}",
            link=url_for("training.show_booking", booking_id=booking.id, _external=True),
        )
        for attendee in booking.attendees:
            if attendee.status == AttendeeStatus.BOOKED:
                send_email(attendee.email, "training_session_reminder", name=attendee.name, session=session)
    audit.record("session.reminder_sent", obj=session, organisation=course.organisation, actor=None)


def warn_expiring_records(now: datetime) -> int:
    """Job: records expiring within 30 days get one warning, with upcoming sessions of the same topic."""
    today = to_london(now).date()
    due = db.session.scalars(
        select(TrainingRecord.id).where(
            TrainingRecord.expiry_warned_at.is_(None),
            TrainingRecord.expires_on >= today,
            TrainingRecord.expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS),
        )
    ).all()
    suggestions: dict[int, list] = {}  # one query per topic, not per record
    warned = 0
    for record_id in due:
        if stamp_once(TrainingRecord, record_id, "expiry_warned_at", now):
            record = db.session.get(TrainingRecord, record_id)
            if record.topic_id not in suggestions:
                suggestions[record.topic_id] = upcoming_sessions(record.topic_id, now)
            _warn(record, suggestions[record.topic_id])
            warned += 1
    return warned


def upcoming_sessions(topic_id: int, now: datetime, limit: int = SESSIONS_SUGGESTED) -> list[TrainingSession]:
    """Soonest bookable sessions of published courses on a topic."""
    query = (
        select(TrainingSession)
        .join(TrainingSession.course)
        .where(
            Course.topic_id == topic_id,
            Course.status == CourseStatus.PUBLISHED,
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.booking_deadline > now,
        )
        .order_by(TrainingSession.starts_at)
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _warn(record: TrainingRecord, sessions: list[TrainingSession]) -> None:
    links = [(s, url_for("training.show_session", session_id=s.id, _external=True)) for s in sessions]
    title = f"Your {record.topic.name} training expires on {format_date(record.expires_on)}"
    send_email(record.email, "training_record_expiring", title=title, record=record, sessions=links)
    if record.user_id is not None:
        # the email above already carries the session links, so this is the in-app note only (notify would email again)
        db.session.add(
            Notification(
                user_id=record.user_id,
                kind="training_expiring",
                title=title,
                body="Book a session to renew it before it expires.",
                link=url_for("training.my_records", _external=True),
                emailed_at=utcnow(),
            )
        )
    audit.record("training_record.expiry_warned", obj=record, organisation=None, actor=None)
