"""Session rosters (with CSV export) and attendance: attended people get a training record and certificate."""

import secrets

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from ..accounts.models import User
from ..core import audit
from ..core.clock import to_london, utcnow
from ..core.errors import DomainError
from ..core.spreadsheets import csv_text
from ..core.states import advance, change
from ..extensions import db
from .models import (
    ATTENDEE_STATES,
    SESSION_STATES,
    Attendee,
    AttendeeStatus,
    Booking,
    BookingStatus,
    SessionStatus,
    TrainingRecord,
    TrainingSession,
)
from .permissions import require
from .seats import lock_session

CERTIFICATE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to read out and type
NUMBER_ATTEMPTS = 5
MARKED = (AttendeeStatus.ATTENDED, AttendeeStatus.NO_SHOW)
NOTHING_MARKED = "Select attended or did not attend for at least one person"
CSV_HEADER = ("Name", "Email", "Place", "Booking", "Booking status", "Booked by", "Organisation", "Price band")


def roster(session_id: int) -> list[Attendee]:
    """Everyone ever booked on a session, with their booking, booker and organisation loaded."""
    query = (
        select(Attendee)
        .join(Attendee.booking)
        .options(
            contains_eager(Attendee.booking).joinedload(Booking.booker),
            contains_eager(Attendee.booking).joinedload(Booking.organisation),
        )
        .where(Attendee.session_id == session_id)
        .order_by(Booking.status, Attendee.name, Attendee.id)
    )
    return list(db.session.scalars(query).unique())


def roster_csv(session_id: int) -> str:
    """The roster as CSV with a header row."""
    rows = (
        (
            attendee.name,
            attendee.email,
            attendee.status,
            attendee.booking.id,
            attendee.booking.status,
            attendee.booking.booker.name,
            attendee.booking.organisation.name if attendee.booking.organisation else "",
            attendee.booking.price_band,
        )
        for attendee in roster(session_id)
    )
    return csv_text(CSV_HEADER, rows)


def markable(session_id: int) -> list[Attendee]:
    """Attendees with a confirmed place, who can be marked attended or no-show."""
    query = (
        select(Attendee)
        .join(Attendee.booking)
        .where(
            Attendee.session_id == session_id,
            Booking.status == BookingStatus.CONFIRMED,
            Attendee.status != AttendeeStatus.CANCELLED,
        )
        .order_by(Attendee.name, Attendee.id)
    )
    return list(db.session.scalars(query))


def can_mark(session: TrainingSession) -> bool:
    """Attendance is taken once a session has started, unless it was cancelled."""
    return session.status != SessionStatus.CANCELLED and utcnow() >= session.starts_at


def record_attendance(session: TrainingSession, marks: dict[int, str], actor) -> int:
    """Mark attendees attended or no-show; the session completes when everyone is marked. Returns changes made."""
    require(actor, "training_publisher", session)
    session = lock_session(session.id)  # one marker at a time per session
    if not can_mark(session):
        raise DomainError("You can mark attendance once the session has started")
    attendees = {attendee.id: attendee for attendee in markable(session.id)}
    if not marks:
        raise DomainError(NOTHING_MARKED if attendees else "Nobody has a confirmed place on this session to mark")
    if set(marks) - set(attendees):
        raise DomainError("Someone on this form no longer has a place: reload the page and try again")
    changed = sum(_mark(attendees[a_id], AttendeeStatus(mark), session, actor) for a_id, mark in marks.items())
    if session.can_complete and all(a.status in MARKED for a in attendees.values()):
        change(session, SESSION_STATES, SessionStatus.COMPLETED, actor=actor, organisation=session.course.organisation)
    db.session.flush()
    return changed


def _mark(attendee: Attendee, mark: AttendeeStatus, session: TrainingSession, actor) -> bool:
    if attendee.status == mark:
        return False
    was_attended = attendee.status == AttendeeStatus.ATTENDED
    organisation = session.course.organisation
    advance(
        attendee,
        ATTENDEE_STATES,
        mark,
        actor=actor,
        organisation=organisation,
        values={"marked_at": utcnow()},
        session_id=session.id,
    )
    if mark == AttendeeStatus.ATTENDED:
        issue_record(attendee, session, actor)
    elif was_attended and attendee.record is not None:
        _withdraw_record(attendee, organisation, actor)
    return True


def _withdraw_record(attendee: Attendee, organisation, actor) -> None:
    record = attendee.record
    audit.record(
        "training_record.deleted",
        obj=record,
        organisation=organisation,
        actor=actor,
        certificate_number=record.certificate_number,
        person=record.person_name,
    )
    db.session.delete(record)
    db.session.flush()


def new_certificate_number() -> str:
    """A random number like BSC-7K2M9QXP."""
    return "BSC-" + "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(8))


def issue_record(attendee: Attendee, session: TrainingSession, actor) -> TrainingRecord:
    """The training record for someone who attended, with a unique certificate number."""
    course = session.course
    completed = to_london(session.starts_at).date()
    months = course.certificate_validity_months
    record = TrainingRecord(
        attendee_id=attendee.id,
        user_id=db.session.scalar(select(User.id).where(User.email == attendee.email)),
        organisation_id=attendee.booking.organisation_id,
        person_name=attendee.name,
        email=attendee.email,
        topic_id=course.topic_id,
        course_id=course.id,
        completed_on=completed,
        expires_on=completed + relativedelta(months=months) if months else None,
    )
    _save_with_unique_number(record)
    audit.record(
        "training_record.created",
        obj=record,
        organisation=course.organisation,
        actor=actor,
        certificate_number=record.certificate_number,
        person=record.person_name,
    )
    return record


def _save_with_unique_number(record: TrainingRecord) -> None:
    """Insert inside a savepoint so a clashing number is retried with a fresh one, not a failed request."""
    for _ in range(NUMBER_ATTEMPTS):
        record.certificate_number = new_certificate_number()
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:
            continue
        return
    raise DomainError("We could not issue a certificate number: try again")
