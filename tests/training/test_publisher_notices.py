"""A council's training people hear of new bookings, bookers' cancellations and waiting-list joins on its courses,
in the service and by email; its finance people and other councils do not, nor of the council's own cancellations."""

from types import SimpleNamespace

import pytest

from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.payments import services as payments
from marketplace.training import booking as bookings
from marketplace.training.attendee_cancel import cancel_attendee
from marketplace.training.booking import Person
from marketplace.training.waiting import join_waiting_list
from tests import factories
from tests.database import fresh, notifications_for

KINDS = (
    "publisher_booking_made",
    "publisher_booking_cancelled",
    "publisher_place_cancelled",
    "publisher_waiting_list_joined",
)


@pytest.fixture
def world(ctx, clock):
    """Leeds City Council (owner Olive, member Mo, finance Fran) runs Safe lifting (2 places); Erin Care books."""
    olive = factories.user(name="Olive Officer", email="olive@example.com", role="publisher")
    council = factories.publisher(olive, name="Leeds City Council")
    mo = factories.user(name="Mo Member", email="mo@example.com")
    factories.membership(mo, council, role=MemberRole.MEMBER)
    fran = factories.user(name="Fran Finance", email="fran@example.com")
    factories.membership(fran, council, role=MemberRole.FINANCE)
    elsewhere = factories.user(name="Other Council Officer", email="other@example.com")
    factories.publisher(elsewhere, name="York Council")
    session = factories.training_session(factories.course(council, title="Safe lifting"), capacity=2)
    erin = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(erin, name="Erin Care")
    db.session.commit()
    return SimpleNamespace(
        olive=olive, mo=mo, fran=fran, elsewhere=elsewhere, session=session, erin=erin, enterprise=enterprise
    )


def _book(world, *names: str):
    booking = bookings.create_booking(
        world.session, world.erin, world.enterprise, [Person(n, f"{n.lower()}@example.com") for n in names]
    )
    db.session.commit()
    return booking


def _told(person) -> list[tuple[str, str]]:
    """(kind, title) of the publisher notices a person has."""
    fresh()
    return [(note.kind, note.title) for note in notifications_for(person) if note.kind in KINDS]


def _subjects(outbox, person) -> list[str]:
    return [message["Subject"].strip() for message in outbox.to(person.email)]  # a long subject is folded


def test_a_booking_is_told_to_the_councils_owner_and_members(world, outbox):
    """Confirmed (on invoice): Olive and Mo are told in the service and by email, with the roster's link."""
    _book(world, "Ann", "Bob")
    title = "Erin Care booked 2 places on Safe lifting"
    for person in (world.olive, world.mo):
        assert _told(person) == [("publisher_booking_made", title)]
        assert title in _subjects(outbox, person)
    [note] = notifications_for(world.olive, "publisher_booking_made")
    assert note.link.endswith(f"/training/manage/sessions/{world.session.id}/roster")
    assert "The session starts on" in note.body
    for person in (world.fran, world.elsewhere, world.erin):
        assert _told(person) == []
        assert title not in _subjects(outbox, person)


def test_an_unpaid_hold_is_not_yet_a_booking(world, outbox, stripe_mode):
    """Paying by card: nothing is told while the places are only held; the booking is told once it is paid."""
    booking = _book(world, "Ann")
    assert booking.status == "reserved"
    assert _told(world.olive) == []
    payments.record_success(fresh_booking(booking).payment, provider_payment_reference="pi_test_paid")
    db.session.commit()
    assert _told(world.olive) == [("publisher_booking_made", "Erin Care booked 1 place on Safe lifting")]


def test_a_relief_worker_booking_for_themselves_is_named(world):
    """Someone booking only for themselves is named, not an organisation."""
    relief = factories.relief_worker(factories.user(name="Rae Relief")).user
    db.session.commit()
    bookings.create_booking(world.session, relief, None, [Person("Rae Relief", relief.email)])
    db.session.commit()
    assert _told(world.mo) == [("publisher_booking_made", "Rae Relief booked 1 place on Safe lifting")]


def test_the_bookers_cancellations_are_told(world, outbox):
    """One place, then the whole booking: each is told to the council's training people."""
    booking = _book(world, "Ann", "Bob")
    cancel_attendee(booking.attendees[0], world.erin)
    db.session.commit()
    bookings.cancel_booking(fresh_booking(booking), world.erin)
    db.session.commit()
    assert _told(world.olive)[1:] == [
        ("publisher_place_cancelled", "Erin Care cancelled Ann's place on Safe lifting"),
        ("publisher_booking_cancelled", "Erin Care cancelled 1 place on Safe lifting"),
    ]
    assert "Erin Care cancelled Ann's place on Safe lifting" in _subjects(outbox, world.mo)
    assert _told(world.fran) == []


def fresh_booking(booking):
    fresh()
    return db.session.get(type(booking), booking.id)


def test_the_councils_own_cancellations_are_not_news_to_it(world):
    """Olive cancelling a booking (or a place) tells the booker, not the council's people again."""
    booking = _book(world, "Ann", "Bob")
    cancel_attendee(booking.attendees[0], world.olive, by_publisher=True)
    db.session.commit()
    bookings.cancel_booking(fresh_booking(booking), world.olive, by_publisher=True)
    db.session.commit()
    assert [kind for kind, _title in _told(world.mo)] == ["publisher_booking_made"]


def test_joining_the_waiting_list_is_told(world, outbox):
    """A full session: Erin's waiting-list entry for one more place is told to Olive and Mo."""
    _book(world, "Ann", "Bob")
    join_waiting_list(world.session, world.erin, world.enterprise, [Person("Cat", "cat@example.com")])
    db.session.commit()
    title = "Erin Care joined the waiting list for Safe lifting, asking for 1 place"
    for person in (world.olive, world.mo):
        assert _told(person)[-1] == ("publisher_waiting_list_joined", title)
        assert title in _subjects(outbox, person)


def test_a_daily_digest_reader_is_told_in_the_service_only(world, outbox):
    """Mo chose one email a day: the booking is in Mo's notifications at once, with no email yet."""
    world.mo.notification_email = "daily"
    db.session.commit()
    _book(world, "Ann")
    assert _told(world.mo) == [("publisher_booking_made", "Erin Care booked 1 place on Safe lifting")]
    assert outbox.to(world.mo.email) == []
    assert [note.emailed_at for note in notifications_for(world.mo)] == [None]
    assert "Erin Care booked 1 place on Safe lifting" in _subjects(outbox, world.olive)
