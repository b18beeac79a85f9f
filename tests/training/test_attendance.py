"""Attendance: marked after the start; attended creates a training record, no-show removes it; session completes."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.core.audit import AuditEvent
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.training import attendance
from marketplace.training.models import Attendee, AttendeeStatus, SessionStatus, TrainingRecord, TrainingSession
from tests import factories

NUMBER = re.compile(r"^BSC-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")


@pytest.fixture
def held(ctx, clock):
    """A session that started late on 30 June 2027 UTC (already 1 July in the UK), two people from one enterprise."""
    officer = factories.user(name="Officer", role="publisher")
    council = factories.publisher(officer)
    course = factories.course(council, title="Basic life support", certificate_validity_months=12)
    starts = datetime(2027, 6, 30, 23, 30, tzinfo=UTC)
    session = factories.training_session(course, starts_at=starts, ends_at=starts + timedelta(hours=2))
    ann = factories.user(name="Ann Account", email="ann@example.com")
    enterprise = factories.enterprise(name="Care Co")
    booking = factories.booking(
        session,
        factories.user(),
        enterprise,
        people=[("Ann Smith", "ann@example.com"), ("Bob Jones", "bob@example.com")],
    )
    db.session.commit()
    clock.set(starts + timedelta(hours=3))
    first, second = booking.attendees
    return session, officer, ann, enterprise, first, second


def form(*marks) -> dict:
    return {f"attendee_{attendee.id}": mark for attendee, mark in marks}


def records() -> list[TrainingRecord]:
    return list(db.session.scalars(select(TrainingRecord).order_by(TrainingRecord.id)))


def test_attendance_waits_for_the_session_to_start(client, login_as, held, clock):
    """Before the start the page sends the publisher back and the service refuses."""
    session, officer, _, _, first, _ = held
    clock.set(session.starts_at - timedelta(minutes=1))
    login_as(officer)
    response = client.get(f"/training/manage/sessions/{session.id}/attendance")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/sessions/{session.id}/roster")
    client.post(f"/training/manage/sessions/{session.id}/attendance", data=form((first, "attended")))
    assert records() == [] and db.session.get(Attendee, first.id).status == AttendeeStatus.BOOKED
    with pytest.raises(DomainError):
        attendance.record_attendance(session, {first.id: "attended"}, officer)


def test_marking_everyone_creates_records_and_completes_the_session(client, login_as, held):
    """Attended: a record with a unique number, UK completion date, expiry, account and enterprise. Then completed."""
    session, officer, ann, enterprise, first, second = held
    login_as(officer)
    page = client.get(f"/training/manage/sessions/{session.id}/attendance").get_data(as_text=True)
    assert "Ann Smith" in page and "Bob Jones" in page
    client.post(
        f"/training/manage/sessions/{session.id}/attendance", data=form((first, "attended"), (second, "no_show"))
    )
    db.session.expire_all()
    (record,) = records()
    assert NUMBER.match(record.certificate_number)
    assert record.completed_on == date(2027, 7, 1) and record.expires_on == date(2028, 7, 1)
    assert (record.user_id, record.organisation_id, record.attendee_id) == (ann.id, enterprise.id, first.id)
    assert (record.person_name, record.email, record.course_id) == ("Ann Smith", "ann@example.com", session.course_id)
    assert record.topic_id == session.course.topic_id
    assert db.session.get(Attendee, second.id).status == AttendeeStatus.NO_SHOW
    assert db.session.get(TrainingSession, session.id).status == SessionStatus.COMPLETED
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"attendee.attended", "attendee.no_show", "training_record.created", "session.completed"} <= actions


def test_partly_marked_session_stays_scheduled(client, login_as, held):
    """One of two marked: the session is not complete yet; the other keeps no record."""
    session, officer, _, _, first, second = held
    login_as(officer)
    client.post(f"/training/manage/sessions/{session.id}/attendance", data=form((second, "attended")))
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).status == SessionStatus.SCHEDULED
    assert [r.attendee_id for r in records()] == [second.id]
    assert db.session.get(Attendee, first.id).status == AttendeeStatus.BOOKED
    assert records()[0].user_id is None  # Bob has no account


def test_switching_to_no_show_deletes_the_record(client, login_as, held):
    """Attended → no-show removes the record (audited); back to attended issues a fresh number."""
    session, officer, _, _, first, second = held
    login_as(officer)
    url = f"/training/manage/sessions/{session.id}/attendance"
    client.post(url, data=form((first, "attended"), (second, "attended")))
    old_number = db.session.scalar(
        select(TrainingRecord.certificate_number).where(TrainingRecord.attendee_id == first.id)
    )
    client.post(url, data=form((first, "no_show"), (second, "attended")))
    db.session.expire_all()
    assert [r.attendee_id for r in records()] == [second.id]
    deleted = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "training_record.deleted"))
    assert deleted.details["certificate_number"] == old_number and deleted.actor_id == officer.id
    client.post(url, data=form((first, "attended"), (second, "attended")))
    db.session.expire_all()
    new_number = db.session.scalar(
        select(TrainingRecord.certificate_number).where(TrainingRecord.attendee_id == first.id)
    )
    assert new_number and new_number != old_number


def test_no_validity_means_no_expiry(held, clock):
    """A course whose certificates do not expire gives records without an expiry date."""
    session, officer, _, _, first, _ = held
    session.course.certificate_validity_months = None
    attendance.record_attendance(session, {first.id: "attended"}, officer)
    assert records()[0].expires_on is None


def test_a_clashing_certificate_number_is_retried(held, monkeypatch):
    """If a random number is taken, another is drawn instead of failing."""
    session, officer, _, _, first, second = held
    attendance.record_attendance(session, {first.id: "attended"}, officer)
    taken = records()[0].certificate_number
    numbers = iter([taken, "BSC-22222222"])
    monkeypatch.setattr(attendance, "new_certificate_number", lambda: next(numbers))
    attendance.record_attendance(session, {second.id: "attended"}, officer)
    db.session.commit()
    assert [r.certificate_number for r in records()] == [taken, "BSC-22222222"]


def test_only_this_sessions_confirmed_attendees_can_be_marked(held):
    """An attendee id from another session is refused and nothing is written."""
    session, officer, _, _, first, _ = held
    other = factories.training_session(session.course, starts_at=session.starts_at)
    stranger = factories.booking(other, factories.user()).attendees[0]
    with pytest.raises(DomainError):
        attendance.record_attendance(session, {first.id: "attended", stranger.id: "attended"}, officer)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(TrainingRecord)) == 0


def test_cancelled_bookings_are_not_on_the_form(client, login_as, held):
    """People whose booking was cancelled are not asked about."""
    session, officer, _, _, _, _ = held
    factories.booking(session, factories.user(), people=[("Cancelled Carl", "carl@example.com")], status="cancelled")
    db.session.commit()
    login_as(officer)
    page = client.get(f"/training/manage/sessions/{session.id}/attendance").get_data(as_text=True)
    assert "Cancelled Carl" not in page and "Ann Smith" in page


def test_cancelled_session_cannot_be_marked(held):
    """A cancelled session takes no attendance."""
    session, officer, _, _, first, _ = held
    session.status = SessionStatus.CANCELLED
    with pytest.raises(DomainError):
        attendance.record_attendance(session, {first.id: "attended"}, officer)
