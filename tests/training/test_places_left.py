"""Asking for more places than are left: say how many are left, offer to book that many or wait for all."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.training.models import Booking, WaitingListEntry
from tests import factories
from tests.database import count, fresh
from tests.pages import error_summary, h1, soup, text
from tests.training import booking_flow

PEOPLE = (("Ann Able", "ann@example.com"), ("Bob Baker", "bob@example.com"), ("Cat Cole", "cat@example.com"))


@pytest.fixture
def world(ctx, clock):
    """A 4-place session with 2 places taken by another enterprise; Erin, an enterprise owner, wants 3."""
    council = factories.publisher(factories.user(role="publisher"), name="Leeds City Council", areas=("Leeds",))
    course = factories.course(council, title="Emergency First Aid")
    session = factories.training_session(course, capacity=4)
    factories.booking(session, factories.user(), people=[("P1", "p1@example.com"), ("P2", "p2@example.com")])
    owner = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(owner, name="Erin Care", area_name="Leeds")
    db.session.commit()
    return SimpleNamespace(session=session, owner=owner, enterprise=enterprise)


def form_data(world, people=PEOPLE, **extra) -> dict:
    data = {"booker_for": str(world.enterprise.id), **extra}
    for number, (name, email) in enumerate(people, start=1):
        data[f"name_{number}"], data[f"email_{number}"] = name, email
    return data


def test_too_many_says_how_many_are_left_not_full(client, login_as, world):
    """3 asked, 2 left: 'Only 2 places are left', never 'This session is full'; both ways on are offered."""
    login_as(world.owner)
    response = client.post(f"/training/sessions/{world.session.id}/book", data=form_data(world))
    assert "Only 2 places are left on this session" in error_summary(response)
    assert "session is full" not in text(response).lower()
    assert h1(response) == "Book places on Emergency First Aid"
    page = soup(response)
    assert page.select_one("button[name=book_first]").get_text(strip=True) == "Book 2 places for Ann Able and Bob Baker"
    wait = page.select_one("button[formaction$='/waiting-list']")
    assert wait.get_text(strip=True) == "Join the waiting list for all 3 people"
    assert [page.select_one(f"input[name=name_{n}]")["value"] for n in (1, 2, 3)] == [p[0] for p in PEOPLE]
    assert count(Booking) == 1


def test_book_the_places_that_are_left(client, login_as, world):
    """Choosing to book the 2 left books the first 2 people named (after checking the answers for those 2)."""
    login_as(world.owner)
    response = booking_flow.book(client, world.session.id, form_data(world, book_first="2"))
    assert response.status_code == 302
    fresh()
    booking = db.session.scalars(select(Booking).where(Booking.booker_id == world.owner.id)).one()
    assert [a.name for a in booking.attendees] == ["Ann Able", "Bob Baker"] and booking.seats == 2


def test_join_the_waiting_list_for_everyone(client, login_as, world):
    """The waiting-list button queues all 3 people."""
    login_as(world.owner)
    response = client.post(f"/training/sessions/{world.session.id}/waiting-list", data=form_data(world))
    entry = db.session.scalars(select(WaitingListEntry)).one()
    assert response.headers["Location"].endswith(f"/training/waiting-list/{entry.id}") and entry.seats == 3


def test_a_full_session_says_it_is_full(client, login_as, world):
    """No places left at all: the waiting-list form, and the message says the session is full."""
    factories.booking(world.session, factories.user(), people=[("P3", "p3@example.com"), ("P4", "p4@example.com")])
    db.session.commit()
    login_as(world.owner)
    response = client.post(f"/training/sessions/{world.session.id}/book", data=form_data(world, people=PEOPLE[:1]))
    assert "This session is full" in error_summary(response)
    assert h1(response) == "Join the waiting list for Emergency First Aid"


def test_one_place_left_is_singular(client, login_as, world):
    """1 left: 'Only 1 place is left' and 'Book 1 place for Ann Able'."""
    factories.booking(world.session, factories.user(), people=[("P3", "p3@example.com")])
    db.session.commit()
    login_as(world.owner)
    response = client.post(f"/training/sessions/{world.session.id}/book", data=form_data(world, people=PEOPLE[:2]))
    assert "Only 1 place is left on this session" in error_summary(response)
    assert soup(response).select_one("button[name=book_first]").get_text(strip=True) == "Book 1 place for Ann Able"
    assert "Join the waiting list for both people" in text(response)
