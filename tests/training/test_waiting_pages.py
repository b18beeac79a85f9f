"""Waiting-list pages: join a full session, see your place, accept an offer (then pay), leave."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.training.models import Booking, BookingStatus, WaitingListEntry, WaitStatus
from tests import factories
from tests.database import fresh
from tests.pages import error_summary, h1, soup, text


@pytest.fixture
def world(ctx, clock):
    """A full one-seat session of a Leeds course, and a Leeds enterprise owner who wants places."""
    council = factories.publisher(areas=("Leeds",))
    session = factories.training_session(factories.course(council, title="Moving people safely"), capacity=1)
    factories.booking(session, factories.user(name="First In"))
    owner = factories.user(name="Wendy Waiting")
    enterprise = factories.enterprise(owner, area_name="Leeds")
    db.session.commit()
    return SimpleNamespace(session=session, owner=owner, enterprise=enterprise)


def test_book_page_of_a_full_session_is_the_waiting_list_form(client, login_as, world):
    """The same form, titled and labelled for the waiting list, posting to it."""
    login_as(world.owner)
    response = client.get(f"/training/sessions/{world.session.id}/book")
    assert h1(response) == "Join the waiting list for Moving people safely"
    form = soup(response).select_one("form[action$='/waiting-list']")
    assert form and "Join the waiting list" in form.get_text()


def test_join_and_see_your_place(client, login_as, world):
    """Joining queues the named people; the entry page shows its status and a way to leave."""
    login_as(world.owner)
    response = client.post(
        f"/training/sessions/{world.session.id}/waiting-list",
        data={"booker_for": str(world.enterprise.id), "name_1": "Wes", "email_1": "wes@example.com"},
    )
    entry = db.session.scalars(select(WaitingListEntry)).one()
    page = client.get(response.headers["Location"])
    assert h1(page) == "Waiting list for Moving people safely"
    assert "Waiting for places" in text(page) and "Wes" in text(page) and "Leave the waiting list" in text(page)
    assert (entry.seats, entry.user_id) == (1, world.owner.id)


def test_joining_with_someone_you_booked_is_refused(client, login_as, world):
    """A person this booker already gave a place cannot also queue for one (the booker is told who)."""
    world.session.capacity = 2  # still full once they have booked
    booked = factories.booking(world.session, world.owner, world.enterprise, people=[("Own Staff", "own@example.com")])
    db.session.commit()
    login_as(world.owner)
    response = client.post(
        f"/training/sessions/{world.session.id}/waiting-list",
        data={"booker_for": str(world.enterprise.id), "name_1": "Own Staff", "email_1": booked.attendees[0].email},
    )
    assert "own@example.com already has a place on this session" in error_summary(response)
    assert db.session.scalars(select(WaitingListEntry)).first() is None


def test_a_full_session_does_not_tell_whether_someone_else_has_a_place(client, login_as, world):
    """Queueing a person another booker gave a place is answered like anyone else: nothing reveals the place."""
    login_as(world.owner)
    response = client.post(
        f"/training/sessions/{world.session.id}/waiting-list",
        data={"booker_for": str(world.enterprise.id), "name_1": "First In", "email_1": _booked_email(world)},
    )
    assert response.status_code == 302
    assert "already has a place" not in client.get(response.headers["Location"]).get_data(as_text=True)
    assert db.session.scalars(select(WaitingListEntry)).one().seats == 1


def _booked_email(world) -> str:
    return db.session.scalars(select(Booking).where(Booking.session_id == world.session.id)).one().attendees[0].email


def test_someone_elses_entry_is_404(client, login_as, world):
    """Entries are their owner's alone."""
    entry = factories.waiting_entry(world.session, world.owner, world.enterprise)
    stranger = factories.user()
    db.session.commit()
    login_as(stranger)
    assert client.get(f"/training/waiting-list/{entry.id}").status_code == 404
    assert client.post(f"/training/waiting-list/{entry.id}/accept").status_code == 404
    assert client.post(f"/training/waiting-list/{entry.id}/withdraw").status_code == 404


@pytest.fixture
def offered(world):
    """Wendy's entry for 1 place, offered because the only booking was cancelled."""
    from marketplace.training import booking as bookings

    entry = factories.waiting_entry(world.session, world.owner, world.enterprise)
    taken = db.session.scalars(select(Booking)).one()
    bookings.cancel_booking(taken, taken.booker)
    db.session.commit()
    assert entry.status == WaitStatus.OFFERED
    return entry


def test_accepting_an_offer_books_the_places(client, login_as, world, offered):
    """Accept: a booking for the queued people, confirmed at once with an invoice (invoice mode)."""
    login_as(world.owner)
    page = client.get(f"/training/waiting-list/{offered.id}")
    assert "Places offered to you" in text(page) and "Accept places" in text(page)
    response = client.post(f"/training/waiting-list/{offered.id}/accept")
    fresh()
    entry = db.session.get(WaitingListEntry, offered.id)
    booking = db.session.get(Booking, entry.booking_id)
    assert entry.status == WaitStatus.BOOKED and booking.status == BookingStatus.CONFIRMED
    assert response.headers["Location"].endswith(f"/training/bookings/{booking.id}")
    assert [a.email for a in booking.attendees] == [offered.attendees[0]["email"]]
    assert booking.session.seats_taken == 1


def test_an_expired_offer_cannot_be_accepted(client, login_as, world, offered, clock):
    """After 24 hours the page says so and accepting is refused."""
    clock.advance(hours=25)
    login_as(world.owner)
    assert "The time to accept these places has run out" in text(client.get(f"/training/waiting-list/{offered.id}"))
    response = client.post(f"/training/waiting-list/{offered.id}/accept")
    assert "This offer has expired" in error_summary(client.get(response.headers["Location"]))
    assert db.session.scalars(select(Booking).where(Booking.status == BookingStatus.CONFIRMED)).first() is None


def test_leaving_gives_the_offered_places_back(client, login_as, world, offered):
    """Leave: the entry is withdrawn and its held seat is released."""
    login_as(world.owner)
    response = client.post(f"/training/waiting-list/{offered.id}/withdraw")
    assert "You have left the waiting list." in text(client.get(response.headers["Location"]))
    fresh()
    assert db.session.get(WaitingListEntry, offered.id).status == WaitStatus.WITHDRAWN
    assert world.session.seats_taken == 0


def test_offer_expiry_is_shown(client, login_as, world, offered, clock):
    """The offer says until when it stands, in UK time."""
    login_as(world.owner)
    expires = (clock.now() + timedelta(hours=24)).strftime("%-d %B %Y")
    assert f"if you accept by {expires}" in text(client.get(f"/training/waiting-list/{offered.id}"))


@pytest.mark.parametrize("status", ["waiting", "offered"])
def test_joining_twice_is_refused_and_shows_your_place(client, login_as, world, clock, status):
    """Already waiting (or offered places): a clear message on your existing entry's page, and no second entry."""
    entry = factories.waiting_entry(world.session, world.owner, world.enterprise, status=status)
    if status == "offered":
        entry.offered_at, entry.offer_expires_at = clock.now(), clock.now() + timedelta(hours=24)
    db.session.commit()
    login_as(world.owner)
    response = client.post(
        f"/training/sessions/{world.session.id}/waiting-list",
        data={"booker_for": str(world.enterprise.id), "name_1": "Wes", "email_1": "wes@example.com"},
    )
    assert response.headers["Location"].endswith(f"/training/waiting-list/{entry.id}")
    page = client.get(response.headers["Location"])
    assert "You are already on the waiting list for this session. You cannot join it twice" in error_summary(page)
    fresh()
    assert db.session.scalars(select(WaitingListEntry)).all() == [db.session.get(WaitingListEntry, entry.id)]


def test_joining_again_after_leaving_is_allowed(ctx, world):
    """Only a live (waiting or offered) entry blocks: someone who left, or whose offer lapsed, may queue again."""
    from marketplace.training import waiting
    from marketplace.training.booking import Person

    factories.waiting_entry(world.session, world.owner, world.enterprise, status="withdrawn")
    factories.waiting_entry(world.session, world.owner, world.enterprise, status="expired")
    entry = waiting.join_waiting_list(world.session, world.owner, world.enterprise, [Person("Wes", "wes@example.com")])
    with pytest.raises(waiting.AlreadyWaiting) as refused:
        waiting.join_waiting_list(world.session, world.owner, world.enterprise, [Person("Vi", "vi@example.com")])
    assert refused.value.entry_id == entry.id


def test_your_bookings_lists_your_waiting_lists(client, login_as, world):
    """Someone on a waiting list finds it on Your bookings, with a link to the entry."""
    entry = factories.waiting_entry(world.session, world.owner, world.enterprise)
    db.session.commit()
    login_as(world.owner)
    page = client.get("/training/bookings")
    assert "Waiting lists" in text(page) and "Moving people safely" in text(page)
    assert soup(page).select_one(f"a[href='/training/waiting-list/{entry.id}']") is not None


def test_the_session_page_says_you_are_on_its_waiting_list(client, login_as, world):
    """Instead of offering to join again, the session page links to your place on its waiting list."""
    entry = factories.waiting_entry(world.session, world.owner, world.enterprise)
    db.session.commit()
    login_as(world.owner)
    page = client.get(f"/training/sessions/{world.session.id}")
    assert "You are on the waiting list for this session." in text(page)
    assert "Join the waiting list" not in text(page)
    assert soup(page).select_one(f"a[href='/training/waiting-list/{entry.id}']") is not None
