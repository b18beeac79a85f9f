"""A running session shows "In progress"; cancel links go once it starts; saving no attendance marks is an error."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from marketplace.extensions import db
from marketplace.training.models import Attendee, AttendeeStatus, SessionStatus, TrainingSession
from tests import factories
from tests.database import fresh
from tests.pages import error_summary, soup, text


@pytest.fixture
def running(ctx, clock):
    """A 3-hour session with Ann and Bob booked; the clock an hour after its start."""
    officer = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council")
    course = factories.course(council, title="Emergency First Aid")
    session = factories.training_session(course, days_ahead=2)
    booking = factories.booking(
        session,
        factories.user(),
        factories.enterprise(),
        people=[("Ann", "ann@example.com"), ("Bob", "bob@example.com")],
    )
    db.session.commit()
    clock.set(session.starts_at + timedelta(hours=1))
    return SimpleNamespace(officer=officer, course=course, session=session, booking=booking)


def status_on_roster(client, session) -> str:
    rows = soup(client.get(f"/training/manage/sessions/{session.id}/roster")).select(".govuk-summary-list__row")
    return next(" ".join(r.get_text(" ").split()) for r in rows if "Status" in r.get_text())


def status_on_course_page(client, course) -> str:
    return soup(client.get(f"/training/manage/courses/{course.id}")).select_one("tbody .govuk-tag").get_text(strip=True)


def mark_everyone(client, world) -> None:
    data = {f"attendee_{a.id}": "attended" for a in world.booking.attendees}
    client.post(f"/training/manage/sessions/{world.session.id}/attendance", data=data)


def test_a_running_session_is_in_progress_even_once_marked(client, login_as, running, clock):
    """Started and not ended: "In progress" on the roster, the course page and the public page; then "Completed"."""
    login_as(running.officer)
    assert status_on_roster(client, running.session) == "Status In progress"
    assert status_on_course_page(client, running.course) == "In progress"
    mark_everyone(client, running)
    assert fresh() is None and db.session.get(TrainingSession, running.session.id).status == SessionStatus.COMPLETED
    assert status_on_roster(client, running.session) == "Status In progress"
    assert status_on_course_page(client, running.course) == "In progress"
    assert "This session is in progress." in text(client.get(f"/training/sessions/{running.session.id}"))
    clock.set(running.session.ends_at + timedelta(minutes=1))
    login_as(running.officer)
    assert status_on_course_page(client, running.course) == "Completed"
    assert "This session has taken place." in text(client.get(f"/training/sessions/{running.session.id}"))


def test_no_cancel_links_once_a_session_has_started(client, login_as, running):
    """The course page offers no cancel (or change) of a started session; the roster offers no cancel of a booking,
    and the publisher's cancel page sends them back."""
    login_as(running.officer)
    course_page = soup(client.get(f"/training/manage/courses/{running.course.id}"))
    assert course_page.select_one(f"a[href$='/sessions/{running.session.id}/cancel']") is None
    assert course_page.select_one(f"a[href$='/sessions/{running.session.id}/edit']") is None
    roster = soup(client.get(f"/training/manage/sessions/{running.session.id}/roster"))
    assert roster.select_one(f"a[href$='/bookings/{running.booking.id}/cancel']") is None
    response = client.get(f"/training/manage/bookings/{running.booking.id}/cancel", follow_redirects=True)
    assert "The session has started, so this booking can no longer be cancelled." in text(response)


def test_saving_attendance_with_nothing_marked_is_an_error(client, login_as, running):
    """An empty form is refused on the form itself, and nobody is marked."""
    login_as(running.officer)
    response = client.post(f"/training/manage/sessions/{running.session.id}/attendance", data={})
    assert response.status_code == 200
    assert "Select attended or did not attend for at least one person" in error_summary(response)
    first = running.booking.attendees[0]
    assert soup(response).select_one(".govuk-error-summary a")["href"].startswith(f"#attendee_{first.id}")
    fresh()
    assert {a.status for a in db.session.query(Attendee)} == {AttendeeStatus.BOOKED}
