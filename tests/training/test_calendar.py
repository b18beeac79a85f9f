"""Calendar: the private feed address (created by POST, revocable) and the feed's events in UTC."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.training.models import CalendarFeed
from tests import factories
from tests.pages import h1, soup, text


@pytest.fixture
def person(ctx, clock):
    """Someone with a confirmed summer session (British Summer Time), a cancelled booking and an unpaid hold."""
    owner = factories.user(name="Cal Endar", email="cal@example.com")
    enterprise = factories.enterprise(owner)
    council = factories.publisher()
    starts = datetime(2027, 7, 1, 8, 30, tzinfo=UTC)  # 9:30am in London
    summer = factories.training_session(
        factories.course(council, title="Summer first aid"), starts_at=starts, ends_at=starts + timedelta(hours=3)
    )
    factories.booking(summer, owner, enterprise)
    factories.booking(
        factories.training_session(factories.course(council, title="Called off")), owner, status="cancelled"
    )
    factories.booking(factories.training_session(factories.course(council, title="Not paid")), owner, status="reserved")
    someone = factories.user()
    factories.booking(factories.training_session(factories.course(council, title="Not mine")), someone)
    db.session.commit()
    return owner


def _feed_path(response) -> str:
    address = soup(response).select_one("#feed-url")["value"]
    return address.replace("http://backstop.test", "")


def test_calendar_page_creates_the_address_only_when_asked(client, login_as, person):
    """Looking at the page writes nothing; the button creates the address."""
    login_as(person)
    page = client.get("/training/calendar")
    assert h1(page) == "Your training calendar" and "Create your calendar address" in text(page)
    assert db.session.scalar(select(CalendarFeed)) is None
    client.post("/training/calendar/new-address")
    page = client.get("/training/calendar")
    assert _feed_path(page).startswith("/training/calendar/") and "Create a new address" in text(page)


def test_feed_lists_confirmed_sessions_in_utc(client, login_as, person):
    """Only confirmed places; DTSTART in UTC; served as text/calendar without signing in."""
    login_as(person)
    client.post("/training/calendar/new-address")
    path = _feed_path(client.get("/training/calendar"))
    client.post("/sign-out")
    feed = client.get(path)
    body = feed.get_data(as_text=True)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "DTSTART:20270701T083000Z" in body and "DTEND:20270701T113000Z" in body
    assert "SUMMARY:Summer first aid" in body
    assert "Called off" not in body and "Not paid" not in body and "Not mine" not in body


def test_new_address_revokes_the_old_one(client, login_as, person):
    """After 'Create a new address' the old feed address is 404 and the new one works."""
    login_as(person)
    client.post("/training/calendar/new-address")
    old = _feed_path(client.get("/training/calendar"))
    response = client.post("/training/calendar/new-address")
    assert "The old one no longer works" in text(client.get(response.headers["Location"]))
    new = _feed_path(client.get("/training/calendar"))
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_unknown_token_is_404(client, ctx):
    """A made-up address shows nothing."""
    assert client.get("/training/calendar/not-a-real-token.ics").status_code == 404


def test_calendar_page_needs_signing_in(client, ctx):
    """Signed-out people are sent to sign in, and cannot create an address."""
    assert "/sign-in" in client.get("/training/calendar").headers["Location"]
    assert "/sign-in" in client.post("/training/calendar/new-address").headers["Location"]
