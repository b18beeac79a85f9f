"""The session form's GOV.UK date input (day, month, year) and time boxes (hour, minute): each problem has its own
message, tied to the field (error summary link to the first wrong box, the group marked, only the wrong boxes
styled), years run from this year to five ahead by the injectable clock, and nothing is saved."""

from datetime import UTC, datetime

import pytest
from bs4 import BeautifulSoup

from marketplace.extensions import db
from tests import factories
from tests.training.test_manage_sessions import session_form, sessions_of, shown_boxes

# The clock fixture stands at 2 November 2026, 10:00 UTC (10:00 in London).


@pytest.fixture
def course(ctx, clock):
    """An approved council's in-person course, its publisher signed in through `sign_in`."""
    officer = factories.user(name="Officer", role="publisher")
    organisation = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    course = factories.course(organisation, title="First aid at work")
    db.session.commit()
    return course, officer


def post(client, login_as, course, status: int = 200, **changes):
    """Post the new-session form with some boxes changed; the page as soup (a redirect when it saves)."""
    row, officer = course
    login_as(officer)
    response = client.post(f"/training/manage/courses/{row.id}/sessions/new", data=session_form(**changes))
    assert response.status_code == status
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def summary(page) -> dict[str, str]:
    """The error summary's messages and where each links."""
    return {link.get_text(strip=True): link["href"] for link in page.select(".govuk-error-summary a")}


def wrong_boxes(page, name: str) -> list[str]:
    """Which boxes of a date or time are styled as wrong (day, month, year; hour, minute)."""
    return [box["name"].split("-")[1] for box in page.select(f'input[name^="{name}-"].govuk-input--error')]


def group_marked(page, name: str) -> bool:
    """The form group around the date or time is marked as having an error, with the message inside it."""
    group = page.find(id=name).find_parent(class_="govuk-form-group")
    return "govuk-form-group--error" in group["class"] and group.find(id=f"{name}-error") is not None


CASES = [
    # (changes, field, message, link, wrong boxes)
    (
        {"starts_on-day": "", "starts_on-month": "", "starts_on-year": ""},
        "starts_on",
        "Enter the date of the session",
        "#starts_on-day",
        ["day", "month", "year"],
    ),
    ({"starts_on-month": ""}, "starts_on", "Date of the session must include a month", "#starts_on-month", ["month"]),
    (
        {"starts_on-day": " ", "starts_on-year": ""},
        "starts_on",
        "Date of the session must include a day and year",
        "#starts_on-day",
        ["day", "year"],
    ),
    (
        {"starts_on-day": "31", "starts_on-month": "2", "starts_on-year": "2027"},
        "starts_on",
        "Date of the session must be a real date",
        "#starts_on-day",
        ["day"],
    ),
    ({"starts_on-month": "13"}, "starts_on", "Date of the session must be a real date", "#starts_on-month", ["month"]),
    ({"starts_on-month": "Dec"}, "starts_on", "Date of the session must be a real date", "#starts_on-month", ["month"]),
    (
        {"starts_on-year": "2032"},
        "starts_on",
        "Date of the session must be between 2026 and 2031",
        "#starts_on-year",
        ["year"],
    ),
    (
        {"starts_on-year": "26"},
        "starts_on",
        "Date of the session must be between 2026 and 2031",
        "#starts_on-year",
        ["year"],
    ),
    (
        {"starts_on": "2026-11-01", "deadline_on": "2026-10-30"},
        "starts_on",
        "The session must start in the future",
        "#starts_on-day",
        ["day", "month", "year"],
    ),
    (
        {"starts_on": "2026-11-02", "start_time": "09:59", "end_time": "12:00", "deadline_on": "2026-11-01"},
        "start_time",
        "The session must start in the future",
        "#start_time-hour",
        ["hour", "minute"],
    ),
    ({"start_time-minute": ""}, "start_time", "Start time must include a minute", "#start_time-minute", ["minute"]),
    ({"end_time-hour": ""}, "end_time", "End time must include an hour", "#end_time-hour", ["hour"]),
    (
        {"start_time-hour": "24"},
        "start_time",
        "Start time must be a real time on the 24-hour clock, like 14 30",
        "#start_time-hour",
        ["hour"],
    ),
    (
        {"end_time-minute": "60"},
        "end_time",
        "End time must be a real time on the 24-hour clock, like 14 30",
        "#end_time-minute",
        ["minute"],
    ),
    (
        {"end_time": "09:30"},
        "end_time",
        "The end time must be after the start time",
        "#end_time-hour",
        ["hour", "minute"],
    ),
    (
        {"deadline_on": "2026-12-11"},
        "deadline_on",
        "Booking must close before the session starts",
        "#deadline_on-day",
        ["day", "month", "year"],
    ),
    (
        {"deadline_on": "2026-12-10", "deadline_time": "09:30"},
        "deadline_time",
        "Booking must close before the session starts",
        "#deadline_time-hour",
        ["hour", "minute"],
    ),
    (
        {"deadline_time-hour": "", "deadline_time-minute": ""},
        "deadline_time",
        "Enter the time booking closes",
        "#deadline_time-hour",
        ["hour", "minute"],
    ),
]


@pytest.mark.parametrize(("changes", "field", "message", "link", "wrong"), CASES, ids=lambda v: str(v)[:40])
def test_each_problem_is_tied_to_its_field(client, login_as, course, changes, field, message, link, wrong):
    """The message is in the summary, linking to the first wrong box; the group is marked; only the wrong boxes
    are styled; the title starts "Error:"; no session is saved."""
    page = post(client, login_as, course, **changes)
    assert summary(page) == {message: link}
    assert page.find(id=f"{field}-error").get_text(" ", strip=True) == f"Error: {message}"
    assert group_marked(page, field)
    assert wrong_boxes(page, field) == wrong
    assert page.find(id=link[1:]) is not None, "the link goes to a box on the page"
    assert page.title.get_text().startswith("Error: Add a session")
    assert sessions_of(course[0]) == []


def test_what_was_typed_is_kept_after_an_error(client, login_as, course):
    """The boxes show what the person typed, wrong parts included, so they can fix just those."""
    page = post(client, login_as, course, **{"starts_on-day": "31", "starts_on-month": "2", "start_time-hour": "9"})
    assert [page.find(id=f"starts_on-{part}")["value"] for part in ("day", "month", "year")] == ["31", "2", "2026"]
    assert page.find(id="start_time-hour")["value"] == "9"


def test_a_post_without_the_boxes_is_refused_not_a_crash(client, login_as, course):
    """A crafted post with no date or time boxes at all gets the 'Enter ...' messages."""
    row, officer = course
    login_as(officer)
    response = client.post(
        f"/training/manage/courses/{row.id}/sessions/new", data={"venue_address": "Civic Hall", "capacity": "5"}
    )
    assert response.status_code == 200
    links = summary(BeautifulSoup(response.get_data(as_text=True), "html.parser"))
    assert links["Enter the date of the session"] == "#starts_on-day"
    assert links["Enter the time booking closes"] == "#deadline_time-hour"
    assert sessions_of(row) == []


def test_times_typed_in_many_ways_are_read(client, login_as, course):
    """One-digit hours and minutes, leading zeros, and '14:30' typed into the hour box alone."""
    post(
        client,
        login_as,
        course,
        302,
        deadline_on="2026-12-01",
        **{"start_time-hour": "9", "start_time-minute": "5", "end_time-hour": "14:30", "end_time-minute": ""},
        **{"starts_on-day": "03", "starts_on-month": "12"},
    )
    (session,) = sessions_of(course[0])
    assert session.starts_at == datetime(2026, 12, 3, 9, 5, tzinfo=UTC)
    assert session.ends_at == datetime(2026, 12, 3, 14, 30, tzinfo=UTC)


def test_years_run_from_this_year_to_five_ahead_by_the_clock(client, login_as, course, clock):
    """Moved to 2029, the form takes 2034 and refuses 2035 and 2028, and its hint's example is in range."""
    clock.set(datetime(2029, 6, 1, 9, 0, tzinfo=UTC))
    far = {"starts_on": "2034-12-10", "deadline_on": "2034-12-08"}
    page = post(client, login_as, course, **far, **{"starts_on-year": "2035"})
    assert summary(page) == {"Date of the session must be between 2029 and 2034": "#starts_on-year"}
    page = post(client, login_as, course, **far, **{"deadline_on-year": "2028"})
    assert summary(page) == {"Date booking closes must be between 2029 and 2034": "#deadline_on-year"}
    assert page.find(id="starts_on-hint").get_text(strip=True) == "For example, 27 3 2030"
    post(client, login_as, course, 302, **far)
    (session,) = sessions_of(course[0])
    assert session.starts_at == datetime(2034, 12, 10, 9, 30, tzinfo=UTC)


def test_the_edit_form_shows_the_stored_values_in_the_boxes(client, login_as, course):
    """Stored UTC times are shown as UK times split into day, month, year, hour and minute (summer time here)."""
    row, officer = course
    session = factories.training_session(
        row,
        starts_at=datetime(2027, 6, 1, 8, 0, tzinfo=UTC),
        ends_at=datetime(2027, 6, 1, 15, 45, tzinfo=UTC),
        booking_deadline=datetime(2027, 5, 28, 16, 0, tzinfo=UTC),
    )
    db.session.commit()
    login_as(officer)
    page = client.get(f"/training/manage/sessions/{session.id}/edit")
    assert shown_boxes(page, "starts_on") == ["1", "6", "2027"]
    assert shown_boxes(page, "start_time") == ["09", "00"]
    assert shown_boxes(page, "end_time") == ["16", "45"]
    assert shown_boxes(page, "deadline_on") == ["28", "5", "2027"]
    assert shown_boxes(page, "deadline_time") == ["17", "00"]
    saved = client.post(
        f"/training/manage/sessions/{session.id}/edit",
        data=session_form(
            starts_on="2027-06-01",
            start_time="09:00",
            end_time="16:45",
            deadline_on="2027-05-28",
            deadline_time="17:00",
        ),
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert session.starts_at.replace(tzinfo=UTC) == datetime(2027, 6, 1, 8, 0, tzinfo=UTC)
