"""The exact edges of the training rules: price bands, eligibility, deadlines, hold and offer lengths, cut-off, jobs."""

from datetime import timedelta
from decimal import Decimal

import pytest

from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.payments.models import PaymentStatus
from marketplace.training import booking as bookings
from marketplace.training import courses, reminders, waiting
from marketplace.training.booking import Person
from marketplace.training.eligibility import NotEligible, price_for
from marketplace.training.reconcile import booking_problems
from tests import factories


@pytest.fixture
def leeds(ctx, clock):
    """A Leeds council's course (£40 / £10) with a 3-seat session 30 days ahead, and a Leeds enterprise of 2 FTE."""
    council = factories.publisher(areas=("Leeds",))
    session = factories.training_session(factories.course(council), capacity=3)
    owner = factories.user(name="Owner")
    enterprise = factories.enterprise(owner, area_name="Leeds", fte=Decimal("2.0"))
    db.session.commit()
    return session, owner, enterprise


def person(name: str) -> Person:
    return Person(name, f"{name.lower()}@example.com")


def test_free_course_is_free_for_everyone(leeds):
    """A course with no price is free even outside the publisher's areas."""
    session, _, _ = leeds
    session.course.full_price_pence = session.course.subsidised_price_pence = 0
    outsider = factories.user()
    assert price_for(session.course, outsider, factories.enterprise(outsider, area_name="Cornwall")) == ("free", 0)


def test_fully_subsidised_course_is_free_in_the_area_and_full_price_outside(leeds):
    """A subsidised price of £0 makes it free for Leeds, while others pay the full price."""
    session, owner, enterprise = leeds
    session.course.subsidised_price_pence = 0
    assert price_for(session.course, owner, enterprise) == ("free", 0)
    outsider = factories.user()
    assert price_for(session.course, outsider, factories.enterprise(outsider, area_name="Cornwall")) == ("full", 4000)


def test_max_fte_allows_equal_and_refuses_larger(leeds):
    """Max 2 FTE: an enterprise of exactly 2 may book; one of 2.5 may not."""
    session, owner, enterprise = leeds
    session.course.max_fte = Decimal("2.0")
    assert bookings.create_booking(session, owner, enterprise, [person("Ann")]).status == "confirmed"
    bigger = factories.user()
    with pytest.raises(NotEligible):
        bookings.create_booking(session, bigger, factories.enterprise(bigger, fte=Decimal("2.5")), [person("Bob")])


def test_booking_closes_exactly_at_the_deadline(leeds, clock):
    """A minute before the deadline booking works; at the deadline it is closed."""
    session, owner, enterprise = leeds
    clock.set(session.booking_deadline - timedelta(minutes=1))
    bookings.create_booking(session, owner, enterprise, [person("Ann")])
    clock.set(session.booking_deadline)
    with pytest.raises(bookings.BookingClosed):
        bookings.create_booking(session, owner, enterprise, [person("Bob")])


def test_hold_lasts_exactly_fifteen_minutes(leeds, clock, stripe_mode):
    """A paid booking's seats are held for 15 minutes: still held at 14:59, released at 15:00."""
    session, owner, enterprise = leeds
    booking = bookings.create_booking(session, owner, enterprise, [person("Ann")])
    assert booking.hold_expires_at == clock.now() + timedelta(minutes=15)
    assert bookings.expire_holds(clock.now() + timedelta(minutes=14, seconds=59)) == 0
    assert bookings.expire_holds(clock.now() + timedelta(minutes=15)) == 1


def test_repeated_person_in_one_booking_is_refused(leeds):
    """The same email twice in one request is refused before anything is written."""
    session, owner, enterprise = leeds
    with pytest.raises(bookings.AlreadyBooked, match="repeated email"):
        bookings.create_booking(session, owner, enterprise, [person("Ann"), Person("Annie", "ANN@example.com")])
    assert session.seats_taken == 0


def test_cutoff_is_strict(leeds, clock):
    """A second before the 7-day cut-off the refund is full; exactly at it, nothing."""
    session, owner, enterprise = leeds
    early = bookings.create_booking(session, owner, enterprise, [person("Ann")])
    late = bookings.create_booking(session, owner, enterprise, [person("Bob")])
    cutoff = session.starts_at - timedelta(days=7)
    clock.set(cutoff - timedelta(seconds=1))
    assert bookings.cancel_booking(early, owner) == 1000
    clock.set(cutoff)
    assert bookings.cancel_booking(late, owner) == 0


def test_offer_lasts_exactly_24_hours(leeds, clock):
    """Far from the deadline, an offer ends 24 hours after it is made."""
    session, owner, enterprise = leeds
    held = bookings.create_booking(session, owner, enterprise, [person("Ann"), person("Bob"), person("Cat")])
    entry = waiting.join_waiting_list(session, owner, enterprise, [person("Dot")])
    bookings.cancel_booking(held, owner)
    assert entry.offer_expires_at == clock.now() + timedelta(hours=24)


def test_an_offer_can_be_accepted_only_once(leeds):
    """Accepting the same offer twice books once; the second is refused."""
    session, owner, enterprise = leeds
    factories.booking(session, factories.user(), people=[("Zed", "zed@example.com"), ("Yan", "yan@example.com")])
    db.session.commit()
    held = bookings.create_booking(session, owner, enterprise, [person("Ann")])
    entry = waiting.join_waiting_list(session, owner, enterprise, [person("Dot")])
    bookings.cancel_booking(held, owner)
    waiting.accept_offer(entry, owner)
    with pytest.raises(DomainError):
        waiting.accept_offer(entry, owner)
    db.session.refresh(session)
    assert session.seats_taken == 3 and bookings.live_seats(session.id) == 3


def test_cancelling_a_session_refunds_in_full_even_inside_the_cutoff(leeds, clock):
    """Three days before the start (inside the cut-off) a publisher's cancellation still refunds everything."""
    session, owner, enterprise = leeds
    booking = bookings.create_booking(session, owner, enterprise, [person("Ann"), person("Bob")])
    clock.set(session.starts_at - timedelta(days=3))
    officer = session.course.organisation.memberships[0].user
    courses.cancel_session(session, officer, "Trainer ill")
    assert booking.payment.refunded_pence == 2000


def test_reminders_go_out_within_two_days_not_before(ctx, clock):
    """A session 49 hours away is not reminded yet; at 47 hours it is."""
    session = factories.training_session(starts_at=clock.now() + timedelta(hours=49))
    factories.booking(session, factories.user())
    db.session.commit()
    assert reminders.send_session_reminders(clock.now()) == 0
    assert reminders.send_session_reminders(clock.now() + timedelta(hours=2)) == 1


def test_expiry_warnings_start_30_days_ahead(ctx, clock):
    """A record expiring in 31 days is not warned about yet; one in 30 days is."""
    session = factories.training_session(days_ahead=-400)
    owner = factories.user()
    booking = factories.booking(session, owner, people=[("Ann", "ann@example.com"), ("Bob", "bob@example.com")])
    today = clock.now().date()
    first, second = (factories.training_record(a) for a in booking.attendees)
    first.expires_on, second.expires_on = today + timedelta(days=30), today + timedelta(days=31)
    db.session.commit()
    assert reminders.warn_expiring_records(clock.now()) == 1
    assert second.expiry_warned_at is None


def test_paid_booking_without_a_payment_record_is_reported(leeds):
    """A booking that costs money but has no payment record breaks reconciliation."""
    session, owner, _ = leeds
    booking = factories.booking(session, owner)
    booking.total_pence, booking.unit_price_pence = 1000, 1000
    db.session.flush()
    assert booking_problems() == [f"Booking {booking.id}: costs money but has no payment record"]


def test_payment_status_is_refunded_after_full_refund(leeds):
    """Cancelling an invoiced booking before the cut-off leaves nothing owed on the invoice."""
    session, owner, enterprise = leeds
    booking = bookings.create_booking(session, owner, enterprise, [person("Ann")])
    bookings.cancel_booking(booking, owner)
    assert booking.payment.status == PaymentStatus.CANCELLED and booking.payment.refundable_pence == 0
