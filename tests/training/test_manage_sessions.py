"""Publisher session pages: add and change in UK time, capacity rules, cancelling a whole session, the roster."""

import csv
import io
from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.payments import services as payments
from marketplace.payments.models import Payment, PaymentStatus, Refund
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from marketplace.training.models import (
    Booking,
    BookingStatus,
    SessionStatus,
    TrainingSession,
    WaitingListEntry,
    WaitStatus,
)
from tests import factories
from tests.training.session_boxes import boxes


@pytest.fixture
def council(ctx, clock):
    """An approved Leeds council (owner 'Officer') with a published in-person course, and another council's owner."""
    officer = factories.user(name="Officer", role="publisher")
    organisation = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    course = factories.course(organisation, title="First aid at work")
    rival = factories.user(name="Rival", role="publisher")
    factories.publisher(rival, name="Other Council")
    db.session.commit()
    return course, officer, rival


def session_form(**changes) -> dict:
    """A valid session form: 10 December 2026, 09:30 to 12:30, booking closes 8 December at 17:00."""
    data = {
        "starts_on": "2026-12-10",
        "start_time": "09:30",
        "end_time": "12:30",
        "deadline_on": "2026-12-08",
        "deadline_time": "17:00",
        "venue_address": "Civic Hall, Leeds LS1 1UR",
        "capacity": "12",
    }
    return boxes({**data, **changes})


def shown_boxes(response, name: str) -> list[str]:
    """What a date's (day, month, year) or a time's (hour, minute) boxes show."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [box["value"] if box.has_attr("value") else "" for box in soup.select(f'input[name^="{name}-"]')]


def sessions_of(course) -> list[TrainingSession]:
    return list(db.session.scalars(select(TrainingSession).where(TrainingSession.course_id == course.id)))


def test_times_are_entered_in_uk_time_and_stored_in_utc(client, login_as, council):
    """09:30 in December is 09:30 UTC; 10:00 in July (BST) is 09:00 UTC."""
    course, officer, _ = council
    login_as(officer)
    client.post(f"/training/manage/courses/{course.id}/sessions/new", data=session_form())
    client.post(
        f"/training/manage/courses/{course.id}/sessions/new",
        data=session_form(starts_on="2027-07-01", start_time="10:00", end_time="16:00", deadline_on="2027-06-30"),
    )
    winter, summer = sorted(sessions_of(course), key=lambda s: s.starts_at)
    assert winter.starts_at == datetime(2026, 12, 10, 9, 30, tzinfo=UTC)
    assert winter.booking_deadline == datetime(2026, 12, 8, 17, 0, tzinfo=UTC)
    assert (winter.capacity, winter.venue_address, winter.online_link) == (12, "Civic Hall, Leeds LS1 1UR", None)
    assert summer.starts_at == datetime(2027, 7, 1, 9, 0, tzinfo=UTC)
    assert summer.ends_at == datetime(2027, 7, 1, 15, 0, tzinfo=UTC)
    action = select(AuditEvent.action).where(
        AuditEvent.object_type == "TrainingSession", AuditEvent.object_id == winter.id
    )
    assert db.session.scalar(action) == "session.created"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_time": "09:00"}, "The end time must be after the start time"),
        ({"deadline_on": "2026-12-10", "deadline_time": "10:00"}, "Booking must close before the session starts"),
        ({"capacity": "0"}, "The number of places must be between 1 and 1,000"),
        ({"start_time-minute": "75"}, "Start time must be a real time on the 24-hour clock, like 14 30"),
        ({"starts_on-day": "30", "starts_on-month": "2"}, "Date of the session must be a real date"),
        ({"starts_on": "2026-10-01", "deadline_on": "2026-09-30"}, "The session must start in the future"),
        ({"venue_address": ""}, "Enter the venue address"),
    ],
)
def test_session_form_refuses_bad_times_and_places(client, login_as, council, changes, message):
    """Each rule has its own message and nothing is saved."""
    course, officer, _ = council
    login_as(officer)
    response = client.post(f"/training/manage/courses/{course.id}/sessions/new", data=session_form(**changes))
    assert message in response.get_data(as_text=True)
    assert sessions_of(course) == []


def test_online_course_asks_for_a_secure_link_not_a_venue(client, login_as, council):
    """Online sessions store an https link and no address."""
    course, officer, _ = council
    course.delivery = "online"
    db.session.commit()
    login_as(officer)
    page = client.get(f"/training/manage/courses/{course.id}/sessions/new").get_data(as_text=True)
    assert "Online joining link" in page and "Venue address" not in page
    form = session_form(online_link="http://meet.example.com/abc")
    response = client.post(f"/training/manage/courses/{course.id}/sessions/new", data=form)
    assert "Enter an online joining link that starts with https://" in response.get_data(as_text=True)
    client.post(
        f"/training/manage/courses/{course.id}/sessions/new",
        data=session_form(online_link="https://meet.example.com/a"),
    )
    (session,) = sessions_of(course)
    assert (session.online_link, session.venue_address) == ("https://meet.example.com/a", None)


def test_capacity_cannot_drop_below_places_taken(client, login_as, council):
    """Three places booked: capacity 2 is refused and nothing changes; 3 is fine."""
    course, officer, _ = council
    session = factories.training_session(course, capacity=5)
    factories.booking(
        session, factories.user(), people=[("A", "a@example.com"), ("B", "b@example.com"), ("C", "c@x.com")]
    )
    db.session.commit()
    login_as(officer)
    form = session_form(starts_on="2026-12-02", deadline_on="2026-12-01")
    response = client.post(f"/training/manage/sessions/{session.id}/edit", data={**form, "capacity": "2"})
    assert "3 places are already taken: enter 3 or more" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).capacity == 5
    client.post(f"/training/manage/sessions/{session.id}/edit", data={**form, "capacity": "3"})
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).capacity == 3


def test_edit_form_shows_uk_times(client, login_as, council):
    """The edit form shows the stored UTC times as UK times."""
    course, officer, _ = council
    session = factories.training_session(course, starts_at=datetime(2027, 6, 1, 8, 0, tzinfo=UTC))
    db.session.commit()
    login_as(officer)
    page = client.get(f"/training/manage/sessions/{session.id}/edit")
    assert shown_boxes(page, "starts_on") == ["1", "6", "2027"]
    assert shown_boxes(page, "start_time") == ["09", "00"]


def test_raising_capacity_offers_places_to_the_waiting_list(client, login_as, council):
    """A full session gets one more place: the first waiting entry is offered it."""
    course, officer, _ = council
    session = factories.training_session(course, capacity=2)
    factories.booking(session, factories.user(), people=[("A", "a@example.com"), ("B", "b@example.com")])
    waiting = factories.waiting_entry(session, factories.user(), seats=1)
    db.session.commit()
    login_as(officer)
    client.post(
        f"/training/manage/sessions/{session.id}/edit",
        data=session_form(starts_on="2026-12-02", deadline_on="2026-12-01", capacity="3"),
    )
    db.session.expire_all()
    assert db.session.get(WaitingListEntry, waiting.id).status == WaitStatus.OFFERED
    assert db.session.get(TrainingSession, session.id).seats_taken == 3


@pytest.fixture
def booked_session(council):
    """A session with two invoice bookings (one paid) of two and one people, and someone waiting."""
    course, officer, rival = council
    session = factories.training_session(course, capacity=3)
    owner = factories.user(name="Owner")
    enterprise = factories.enterprise(owner, area_name="Leeds")
    db.session.commit()
    pair = bookings.create_booking(
        session, owner, enterprise, [Person("Ann", "ann@example.com"), Person("Bob", "bob@example.com")]
    )
    single = bookings.create_booking(session, owner, enterprise, [Person("Cat", "cat@example.com")])
    payments.mark_invoice_paid(single.payment, officer)
    waiting = factories.waiting_entry(session, factories.user(), seats=1)
    db.session.commit()
    return session, officer, rival, owner, (pair, single), waiting


def test_cancel_session_refunds_everyone_and_tells_them(client, login_as, booked_session, outbox):
    """Session cancelled; every booking cancelled and refunded in full; attendees emailed; waiting list closed."""
    session, officer, _, owner, (pair, single), waiting = booked_session
    login_as(officer)
    page = client.get(f"/training/manage/sessions/{session.id}/cancel").get_data(as_text=True)
    assert "2 bookings will be cancelled and refunded in full" in page
    response = client.post(f"/training/manage/sessions/{session.id}/cancel", data={"reason": "The trainer is ill"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).status == SessionStatus.CANCELLED
    assert db.session.get(TrainingSession, session.id).seats_taken == 0
    for booking_id in (pair.id, single.id):
        booking = db.session.get(Booking, booking_id)
        assert booking.status == BookingStatus.CANCELLED and booking.cancellation_reason == "The trainer is ill"
        payment = db.session.get(Payment, booking.payment_id)
        assert payment.refunded_pence == payment.amount_pence == booking.total_pence > 0
    assert db.session.get(Payment, single.payment_id).status == PaymentStatus.REFUNDED
    refunded = db.session.scalar(select(func.sum(Refund.amount_pence)))
    assert refunded == pair.total_pence + single.total_pence and payments.reconciliation_problems() == []
    for address in ("ann@example.com", "bob@example.com", "cat@example.com"):
        (message,) = [m for m in outbox.to(address) if "is cancelled" in m["Subject"]]
        assert "The trainer is ill" in message.get_body().get_content()
    assert any("cancelled your booking" in m["Subject"] for m in outbox.to(owner.email))
    assert db.session.get(WaitingListEntry, waiting.id).status == WaitStatus.WITHDRAWN
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "TrainingSession")).all()
    assert "session.cancelled" in actions


def test_cancel_needs_a_reason_and_happens_once(client, login_as, booked_session):
    """No reason: nothing happens. A second cancel is refused and refunds nothing more."""
    session, officer, *_ = booked_session
    login_as(officer)
    response = client.post(f"/training/manage/sessions/{session.id}/cancel", data={"reason": ""})
    assert "Enter a reason for cancelling the session" in response.get_data(as_text=True)
    assert db.session.get(TrainingSession, session.id).status == SessionStatus.SCHEDULED
    client.post(f"/training/manage/sessions/{session.id}/cancel", data={"reason": "Ill"})
    again = client.post(f"/training/manage/sessions/{session.id}/cancel", data={"reason": "Ill"})
    assert "This session is cancelled and cannot be cancelled" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 2


def test_another_council_gets_404_on_our_session_pages(client, login_as, booked_session):
    """Session ids of another council are not found: edit, cancel, roster, CSV, attendance."""
    session, _, rival, *_ = booked_session
    login_as(rival)
    for url in ("edit", "cancel", "roster", "roster.csv", "attendance"):
        assert client.get(f"/training/manage/sessions/{session.id}/{url}").status_code == 404
    for url in ("edit", "cancel", "attendance"):
        assert client.post(f"/training/manage/sessions/{session.id}/{url}", data={"reason": "x"}).status_code == 404
    assert db.session.get(TrainingSession, session.id).status == SessionStatus.SCHEDULED


def test_bookers_cannot_see_the_roster(client, login_as, booked_session):
    """The enterprise that booked does not get the roster or the CSV."""
    session, _, _, owner, *_ = booked_session
    login_as(owner)
    assert client.get(f"/training/manage/sessions/{session.id}/roster").status_code == 404
    assert client.get(f"/training/manage/sessions/{session.id}/roster.csv").status_code == 404


def test_roster_lists_attendees_with_booking_details(client, login_as, booked_session):
    """Name, booking status, booker, organisation and price band for each person."""
    session, officer, _, owner, (pair, _), _ = booked_session
    login_as(officer)
    page = client.get(f"/training/manage/sessions/{session.id}/roster").get_data(as_text=True)
    for text in ("Ann", "Bob", "Cat", "Confirmed", owner.name, pair.organisation.name, "Subsidised"):
        assert text in page


def test_roster_csv_has_a_header_and_defuses_formulas(client, login_as, council):
    """A CSV attachment: header row, one row per person, and cells that start like a formula quoted."""
    course, officer, _ = council
    session = factories.training_session(course)
    booker = factories.user(name="@Booker")
    enterprise = factories.enterprise(booker, name='=HYPERLINK("http://evil")')
    factories.booking(session, booker, enterprise, people=[("Ann Smith", "ann@example.com"), ("-2+3", "m@example.com")])
    db.session.commit()
    login_as(officer)
    response = client.get(f"/training/manage/sessions/{session.id}/roster.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="roster-session-{session.id}.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Name", "Email", "Place", "Booking", "Booking status", "Booked by", "Organisation", "Price band"]
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email["ann@example.com"][0] == "Ann Smith" and by_email["ann@example.com"][4] == "confirmed"
    assert by_email["m@example.com"][0] == "'-2+3"
    assert by_email["ann@example.com"][5] == "'@Booker"
    assert by_email["ann@example.com"][6] == '\'=HYPERLINK("http://evil")'
    assert by_email["ann@example.com"][7] == "free" and len(rows) == 3


def _roster_queries(client, course_id: int, bookings_count: int) -> int:
    from marketplace.training.models import Course
    from tests.queries import counted_queries

    session = factories.training_session(db.session.get(Course, course_id), capacity=20)
    for _ in range(bookings_count):
        booker = factories.user()
        factories.booking(session, booker, factories.enterprise(booker))
    db.session.commit()
    session_id = session.id
    db.session.expunge_all()  # as in production, each request starts with nothing loaded
    with counted_queries() as statements:
        assert client.get(f"/training/manage/sessions/{session_id}/roster").status_code == 200
    return len(statements)


def test_roster_queries_do_not_grow_with_bookings(client, login_as, council):
    """The roster costs the same number of queries for 2 bookings as for 9."""
    course, officer, _ = council
    login_as(officer)
    course_id = course.id
    assert _roster_queries(client, course_id, 2) == _roster_queries(client, course_id, 9)
