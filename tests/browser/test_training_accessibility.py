"""axe-core (WCAG 2.0/2.1/2.2 A and AA rules) finds no violations on the training pages: the catalogue, a course,
a session, the booking form (also with errors), a booking, the roster and the attendance form."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db

from .. import factories
from .conftest import sign_in
from .test_accessibility import assert_accessible, h1

pytestmark = pytest.mark.browser

COURSE = "Moving and handling people"


@pytest.fixture
def context_options() -> dict:
    """axe is injected as an inline script, which the app's CSP (rightly) blocks: bypass it in these tests only."""
    return {"bypass_csp": True}


@pytest.fixture
def training(ctx, clock):
    """A Leeds council's course with two sessions (one full), an enterprise's confirmed booking of two people."""
    publisher = factories.user(name="Pat Publisher", role="publisher")
    council = factories.publisher(publisher, name="Leeds City Council", areas=("Leeds",))
    course = factories.course(
        council,
        title=COURSE,
        topic_name="Moving and handling",
        description="## What you will learn\n\n- Safe lifting\n- Using a hoist\n\nFor **care workers**.",
        accreditation="Skills for Care endorsed",
        certificate_validity_months=24,
    )
    session = factories.training_session(course, days_ahead=14, capacity=8)
    factories.training_session(course, days_ahead=28, capacity=1, venue_address="Leeds Library")
    booker = factories.user(name="Ada Lovelace")
    enterprise = factories.enterprise(booker, name="Ada's Home Care")
    booking = factories.booking(
        session, booker, enterprise, people=[("Ann Attendee", "ann@example.com"), ("Bob Bloggs", "bob@example.com")]
    )
    factories.booking(session.course.sessions[1], factories.user(name="Fay Full"), factories.enterprise())
    db.session.commit()
    return {
        "publisher": publisher.email,
        "booker": booker.email,
        "course": course.id,
        "session": session.id,
        "booking": booking.id,
        "starts_at": session.starts_at,
    }


def test_catalogue(page: Page, training):
    page.goto("/training")
    expect(h1(page)).to_have_text("Find training")
    expect(page.get_by_role("heading", name="2 sessions found")).to_be_visible()
    assert_accessible(page)


def test_catalogue_with_filter_errors(page: Page, training):
    page.goto("/training?starts_from=31&starts_from=2&starts_from=2026&price=subsidised")
    expect(page.get_by_role("alert").get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)


def test_course_page(page: Page, training):
    page.goto(f"/training/courses/{training['course']}")
    expect(h1(page)).to_have_text(COURSE)
    expect(page.get_by_role("table", name=f"Upcoming sessions of {COURSE}")).to_be_visible()
    assert_accessible(page)


def test_session_page_signed_out_and_booked(page: Page, training):
    page.goto(f"/training/sessions/{training['session']}")
    expect(h1(page)).to_have_text(COURSE)
    assert_accessible(page)
    sign_in(page, training["booker"])
    page.goto(f"/training/sessions/{training['session']}")
    expect(page.get_by_text("Ann Attendee")).to_be_visible()
    assert_accessible(page)


def test_booking_form_and_its_errors(page: Page, training):
    sign_in(page, training["booker"])
    page.goto(f"/training/sessions/{training['session']}/book")
    expect(h1(page)).to_have_text(f"Book places on {COURSE}")
    assert_accessible(page)
    person = page.get_by_role("group", name="Person 1")
    person.get_by_label("Full name").fill("Cat Carer")
    person.get_by_label("Email address").fill("not an email")
    page.get_by_role("group", name="Person 2").get_by_label("Email address").fill("dan@example.com")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("link", name="Enter an email address in the correct format")).to_be_visible()
    expect(page.get_by_role("link", name="Enter the name of person 2")).to_be_visible()
    assert_accessible(page)


def test_check_answers_page(page: Page, training):
    """The check page, its Change buttons (back to the form, answers kept) and its confirm button."""
    sign_in(page, training["booker"])
    page.goto(f"/training/sessions/{training['session']}/book")
    page.get_by_role("group", name="Person 2").get_by_label("Full name").fill("Cat Carer")
    page.get_by_role("group", name="Person 2").get_by_label("Email address").fill("cat@example.com")
    page.get_by_role("button", name="Continue").click()
    expect(h1(page)).to_have_text("Check your answers before booking")
    assert_accessible(page)
    page.get_by_role("button", name="Change person 2").click()
    expect(page.get_by_role("group", name="Person 2").get_by_label("Full name")).to_have_value("Cat Carer")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Confirm booking")).to_be_visible()


def test_waiting_list_form(page: Page, training):
    sign_in(page, training["booker"])
    page.goto(f"/training/courses/{training['course']}")
    page.get_by_role("link", name="View session").last.click()
    page.get_by_role("link", name="Join the waiting list").click()
    expect(page.get_by_role("button", name="Join the waiting list")).to_be_visible()
    assert_accessible(page)


def test_booking_page(page: Page, training):
    sign_in(page, training["booker"])
    page.goto(f"/training/bookings/{training['booking']}")
    expect(h1(page)).to_have_text(f"Booking for {COURSE}")
    expect(page.get_by_role("link", name="Download calendar event (.ics)")).to_be_visible()
    assert_accessible(page)


def test_roster_and_attendance_form(page: Page, training, clock):
    clock.set(training["starts_at"] + timedelta(hours=4))
    sign_in(page, training["publisher"])
    page.goto(f"/training/manage/sessions/{training['session']}/roster")
    expect(h1(page)).to_have_text("Roster")
    expect(page.get_by_role("table", name="People booked")).to_contain_text("Bob Bloggs")
    assert_accessible(page)
    page.get_by_role("link", name="Mark attendance").click()
    expect(h1(page)).to_have_text("Mark attendance")
    expect(page.get_by_role("group", name="Ann Attendee")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Ann Attendee").get_by_label("Attended", exact=True).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance has been saved.")).to_be_visible()
    assert_accessible(page)


def test_certificate_check(page: Page, training):
    page.goto("/training/certificates/check?number=BSC-NOSUCH")
    expect(page.get_by_role("heading", name="No certificate found")).to_be_visible()
    assert_accessible(page)


def test_catalogue_on_a_phone_shows_results_before_the_filters(new_page, training):
    """375px wide: 'Filter sessions' is closed, so the results heading is on the first screen; it opens on a tap.
    On a wide screen the filters are open beside the results."""
    phone = new_page(viewport={"width": 375, "height": 740})
    phone.goto("/training")
    filters = phone.locator("details.bs-filters")
    expect(filters).not_to_have_attribute("open", "")
    found = phone.get_by_role("heading", name="2 sessions found")
    assert found.bounding_box()["y"] < 740
    assert_accessible(phone)
    phone.get_by_text("Filter sessions").click()
    expect(phone.get_by_label("Search by title or description")).to_be_visible()
    assert_accessible(phone)
    wide = new_page(viewport={"width": 1280, "height": 800})
    wide.goto("/training")
    expect(wide.get_by_label("Search by title or description")).to_be_visible()


def test_booking_form_with_more_rows(page: Page, training):
    """Person 1 is the booker; 'Add more people' gives six rows, still accessible."""
    sign_in(page, training["booker"])
    page.goto(f"/training/sessions/{training['session']}/book")
    expect(page.get_by_role("group", name="Person 1").get_by_label("Full name")).to_have_value("Ada Lovelace")
    page.get_by_role("button", name="Add more people").click()
    expect(page.get_by_role("group", name="Person 6")).to_be_visible()
    assert_accessible(page)


def test_profile_with_training_records(page: Page, training):
    """The account page with its training records table."""
    from marketplace.training.models import Booking

    booking = db.session.get(Booking, training["booking"])
    factories.training_record(booking.attendees[0])
    factories.relief_worker(factories.user(name="Ann Attendee Account", email="ann@example.com"))
    db.session.commit()
    sign_in(page, "ann@example.com")
    page.goto("/account")
    expect(page.get_by_role("heading", name="Your training records")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Download BSC-"))).to_be_visible()
    assert_accessible(page)
