"""One person's place is cancelled without the rest: a seat back, that place refunded under the cut-off rule."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.core.notifications import Notification
from marketplace.extensions import db
from marketplace.training import booking as bookings
from marketplace.training.attendee_cancel import cancel_attendee
from marketplace.training.booking import Person
from marketplace.training.models import Booking, TrainingSession, WaitingListEntry
from tests import factories
from tests.database import fresh
from tests.pages import text


@pytest.fixture
def world(ctx, clock):
    """A £40-a-place course with a 7-day cut-off; Erin books Ann and Bob on invoice (unpaid, £80)."""
    officer = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    course = factories.course(council, title="Emergency First Aid", full_price_pence=4000, subsidised_price_pence=4000)
    session = factories.training_session(course, capacity=2)
    owner = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(owner, name="Erin Care", area_name="Leeds")
    people = [Person("Ann Able", "ann@example.com"), Person("Bob Baker", "bob@example.com")]
    booking = bookings.create_booking(session, owner, enterprise, people)
    db.session.commit()
    assert booking.status == "confirmed" and booking.total_pence == 8000 and booking.payment.invoice_reference
    return SimpleNamespace(officer=officer, session=session, owner=owner, booking=booking)


def _reread(world):
    fresh()
    booking = db.session.get(Booking, world.booking.id)
    return booking, db.session.get(TrainingSession, world.session.id)


def _place_url(world, who=0, publisher=False) -> str:
    attendee = world.booking.attendees[who]
    prefix = "/training/manage/bookings" if publisher else "/training/bookings"
    return f"{prefix}/{world.booking.id}/people/{attendee.id}/cancel"


def test_booker_cancels_one_of_two_before_the_cutoff(client, login_as, world):
    """The check page names Ann and the credit; afterwards Bob is still booked and the invoice is £40 less."""
    login_as(world.owner)
    page = text(client.get(f"/training/bookings/{world.booking.id}"))
    assert "Cancel place of Ann Able" in page
    check = text(client.get(_place_url(world)))
    reference = world.booking.payment.invoice_reference
    assert "Cancel Ann Able's place?" in check
    assert f"we will take £40 off invoice {reference}" in check
    done = text(client.post(_place_url(world), follow_redirects=True))
    assert f"Ann Able's place has been cancelled. We have taken £40 off invoice {reference}." in done
    booking, session = _reread(world)
    ann, bob = booking.attendees
    assert (ann.status, bob.status, booking.status) == ("cancelled", "booked", "confirmed")
    assert (booking.seats, booking.total_pence, session.seats_taken) == (1, 4000, 1)
    assert booking.payment.refunded_pence == 4000
    note = db.session.scalar(select(Notification).where(Notification.kind == "booking_place_cancelled"))
    assert note.user_id == world.owner.id and "Ann Able" in note.title


def test_after_the_cutoff_the_place_is_not_refunded(client, login_as, world, clock):
    """Inside the cut-off the seat is freed and the booking shrinks, but nothing comes back."""
    clock.set(world.session.starts_at - timedelta(days=3))
    login_as(world.owner)
    assert "there is no refund for this place" in text(client.get(_place_url(world)))
    client.post(_place_url(world))
    booking, session = _reread(world)
    assert (booking.seats, booking.total_pence, session.seats_taken) == (1, 4000, 1)
    assert booking.payment.refunded_pence == 0


def test_publisher_cancels_one_place_from_the_roster_with_a_full_refund(client, login_as, world, clock):
    """The roster's per-person link cancels that place only, refunded in full even after the cut-off."""
    clock.set(world.session.starts_at - timedelta(days=3))
    login_as(world.officer)
    roster = client.get(f"/training/manage/sessions/{world.session.id}/roster").get_data(as_text=True)
    assert _place_url(world, 1, publisher=True) in roster
    check = text(client.get(_place_url(world, 1, publisher=True)))
    assert "Cancel Bob Baker's place?" in check and "Cancel the whole booking instead" in check
    client.post(_place_url(world, 1, publisher=True), data={"reason": "Trainer unavailable"})
    booking, session = _reread(world)
    assert [a.status for a in booking.attendees] == ["booked", "cancelled"]
    assert booking.status == "confirmed" and booking.payment.refunded_pence == 4000
    assert (booking.seats, booking.total_pence, session.seats_taken) == (1, 4000, 1)


def test_the_whole_booking_button_says_what_it_does(client, login_as, world):
    """The publisher's single-booking cancel page names the whole booking and its places."""
    login_as(world.officer)
    page = text(client.get(f"/training/manage/bookings/{world.booking.id}/cancel"))
    assert "Cancel the whole booking (2 places)" in page


def test_cancelling_the_last_person_cancels_the_booking(world):
    """Once Ann is gone, cancelling Bob cancels the booking, crediting the rest of the invoice."""
    ann, bob = world.booking.attendees
    cancel_attendee(ann, world.owner)
    cancel_attendee(bob, world.owner)
    db.session.commit()
    booking, session = _reread(world)
    assert booking.status == "cancelled" and session.seats_taken == 0
    assert booking.payment.refunded_pence == 8000


def test_strangers_are_refused(client, login_as, world):
    """Another enterprise's owner and another council get 404; the place stays booked."""
    other = factories.user(name="Owner B")
    factories.enterprise(other, name="Enterprise B")
    council_officer = factories.user(name="Other Officer", role="publisher")
    factories.publisher(council_officer, name="York Council")
    db.session.commit()
    login_as(other)
    assert client.post(_place_url(world)).status_code == 404
    login_as(council_officer)
    assert client.post(_place_url(world, publisher=True), data={"reason": "x"}).status_code == 404
    booking, _ = _reread(world)
    assert [a.status for a in booking.attendees] == ["booked", "booked"]


def test_the_freed_seat_is_offered_to_the_waiting_list(world):
    """The session was full; the first waiting entry is offered the seat Ann gave back."""
    waiting = factories.user(name="Wendy Waiting")
    entry = factories.waiting_entry(world.session, waiting, factories.enterprise(waiting, name="Wendy Care"))
    db.session.commit()
    cancel_attendee(world.booking.attendees[0], world.owner)
    db.session.commit()
    fresh()
    assert db.session.get(WaitingListEntry, entry.id).status == "offered"
    assert db.session.get(TrainingSession, world.session.id).seats_taken == 2


@pytest.mark.parametrize("late", [False, True], ids=["refunded", "after-the-cut-off"])
def test_bookings_still_reconcile_after_one_place_is_cancelled(client, login_as, world, clock, app, late):
    """`flask reconcile` balances after a place is cancelled, refunded or not (the payment was for both places)."""
    from marketplace.training.reconcile import booking_problems

    if late:
        clock.set(world.session.starts_at - timedelta(days=3))
    login_as(world.owner)
    client.post(_place_url(world))
    fresh()
    assert booking_problems() == []
    result = app.test_cli_runner().invoke(args=["reconcile"])
    assert result.exit_code == 0, result.output
