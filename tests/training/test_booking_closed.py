"""Sessions whose booking deadline has passed: left out of the catalogue, 'Booking closed' on the course and session
pages. The catalogue's filters sit in a 'Filter sessions' details box so phones see the results first."""

from datetime import timedelta

import pytest

from marketplace.extensions import db
from tests import factories
from tests.pages import soup, text
from tests.training.test_catalogue import results


@pytest.fixture
def world(ctx, clock):
    """One course: a session still open, one starting in 3 days whose booking closed yesterday."""
    course = factories.course(title="Moving people safely")
    open_session = factories.training_session(course, days_ahead=20, capacity=8)
    closed = factories.training_session(
        course, days_ahead=3, capacity=8, booking_deadline=clock.now() - timedelta(days=1)
    )
    db.session.commit()
    return course, open_session, closed


def test_catalogue_leaves_out_sessions_whose_booking_has_closed(client, world, clock):
    """Only the open session is listed and counted; the closed one appears again nowhere in the results."""
    course, open_session, closed = world
    response = client.get("/training")
    assert results(response) == ["Moving people safely"] and "1 session found" in text(response)
    links = [a["href"] for a in soup(response).select(".bs-results h3 a")]
    assert links == [f"/training/sessions/{open_session.id}"]


def test_a_session_drops_out_the_moment_its_deadline_passes(client, world, clock):
    """Just before the deadline it is listed; at the deadline it is not."""
    _, open_session, _ = world
    clock.set(open_session.booking_deadline - timedelta(minutes=1))
    assert len(results(client.get("/training"))) == 1
    clock.set(open_session.booking_deadline)
    assert results(client.get("/training")) == []


def test_course_page_says_booking_closed_instead_of_places(client, world):
    """The closed session's row says 'Booking closed'; the open one shows its places."""
    course, _, _ = world
    page = soup(client.get(f"/training/courses/{course.id}"))
    places = [row.select("td")[1].get_text(strip=True) for row in page.select("tbody tr")]
    assert places == ["Booking closed", "8"]  # soonest first: the closed session starts in 3 days


def test_session_page_says_booking_closed_and_offers_no_booking(client, world):
    """'Places left: Booking closed', no booking or waiting-list button."""
    _, open_session, closed = world
    page = text(client.get(f"/training/sessions/{closed.id}"))
    assert "Places left Booking closed" in page
    assert "Book places" not in page and "Join the waiting list" not in page
    assert "Places left 8 of 8" in text(client.get(f"/training/sessions/{open_session.id}"))


def test_filters_are_in_a_details_box_closed_until_used(client, world):
    """'Filter sessions' is a <details> summary holding the form; closed at first (results first on a phone), open
    once filters are applied or wrong, so people see what they chose."""
    page = soup(client.get("/training"))
    box = page.select_one("details.govuk-details")
    assert box.select_one("summary").get_text(strip=True) == "Filter sessions"
    assert box.select_one("form[method=get] input[name=q]") and not box.has_attr("open")
    filtered = soup(client.get("/training", query_string={"q": "moving"})).select_one("details.govuk-details")
    assert filtered.has_attr("open")
    wrong = [("starts_from", "31"), ("starts_from", "2"), ("starts_from", "2027")]
    assert soup(client.get("/training", query_string=wrong)).select_one("details.govuk-details").has_attr("open")
