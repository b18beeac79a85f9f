"""Booking core rules through the services: prices, seats, holds, cancellation refunds, waiting list."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.training import booking as bookings
from marketplace.training import waiting
from marketplace.training.booking import Person
from marketplace.training.eligibility import NotEligible
from marketplace.training.models import BookingStatus, WaitStatus
from tests import factories


@pytest.fixture
def setup(ctx, clock):
    """A Leeds council course (£40 full, £10 subsidised) with a 2-seat session, and a Leeds enterprise."""
    council = factories.publisher(areas=("Leeds",))
    course = factories.course(council)
    session = factories.training_session(course, capacity=2)
    owner = factories.user(name="Owner")
    enterprise = factories.enterprise(owner, area_name="Leeds")
    db.session.commit()
    return session, owner, enterprise


def people(*names):
    return [Person(name, f"{name.lower()}@example.com") for name in names]


def member_of(enterprise):
    """Another member of the enterprise (one person may be on a session's waiting list only once)."""
    member = factories.user()
    factories.membership(member, enterprise, role="member")
    return member


def test_invoice_booking_is_confirmed_at_once_at_subsidised_price(setup, outbox):
    """In invoice mode a Leeds enterprise pays the subsidised price, confirmed at once with an invoice."""
    session, owner, enterprise = setup
    booking = bookings.create_booking(session, owner, enterprise, people("Ann", "Bob"))
    db.session.commit()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.total_pence == 2000
    assert booking.payment.invoice_reference.startswith("BSP-")
    assert session.seats_taken == 2
    attachments = [part.get_filename() for message in outbox.to(owner.email) for part in message.iter_attachments()]
    assert "backstop-training.ics" in attachments


def test_full_price_outside_publisher_areas(setup):
    """An enterprise outside the publisher's areas pays the full price."""
    session, _, _ = setup
    outsider = factories.user()
    enterprise = factories.enterprise(outsider, area_name="Cornwall")
    booking = bookings.create_booking(session, outsider, enterprise, people("Cat"))
    assert (booking.price_band, booking.total_pence) == ("full", 4000)


def test_no_more_seats_than_capacity(setup):
    """A third place on a two-seat session is refused."""
    session, owner, enterprise = setup
    bookings.create_booking(session, owner, enterprise, people("Ann", "Bob"))
    with pytest.raises(bookings.SessionFull):
        bookings.create_booking(session, owner, enterprise, people("Cat"))


def test_person_cannot_be_booked_twice(setup):
    """The same email on one session twice is refused."""
    session, owner, enterprise = setup
    bookings.create_booking(session, owner, enterprise, people("Ann"))
    with pytest.raises(bookings.AlreadyBooked):
        bookings.create_booking(session, owner, enterprise, [Person("Ann again", "ANN@example.com")])


def test_eligibility_by_area(setup):
    """A course limited to Leeds refuses a Cornwall enterprise."""
    session, _, _ = setup
    session.course.eligible_areas = [factories.area("Leeds")]
    outsider = factories.user()
    with pytest.raises(NotEligible):
        bookings.create_booking(session, outsider, factories.enterprise(outsider, area_name="Cornwall"), people("Dan"))


def test_cancel_before_cutoff_refunds_in_full(setup):
    """Cancelling more than 7 days ahead refunds everything and frees the seats."""
    session, owner, enterprise = setup
    booking = bookings.create_booking(session, owner, enterprise, people("Ann"))
    refunded = bookings.cancel_booking(booking, owner)
    assert refunded == 1000 and session.seats_taken == 0
    assert booking.payment.refunded_pence == 1000


def test_cancel_after_cutoff_refunds_nothing(setup, clock):
    """Cancelling within 7 days of the start refunds nothing."""
    session, owner, enterprise = setup
    booking = bookings.create_booking(session, owner, enterprise, people("Ann"))
    clock.set(session.starts_at - timedelta(days=3))
    assert bookings.cancel_booking(booking, owner) == 0
    assert booking.payment.refunded_pence == 0


def test_waiting_list_offered_when_seat_frees_and_passes_on(setup, clock):
    """A freed seat goes to the first waiting entry that fits; an offer not taken in 24 hours passes on."""
    session, owner, enterprise = setup
    booking = bookings.create_booking(session, owner, enterprise, people("Ann", "Bob"))
    first = waiting.join_waiting_list(session, owner, enterprise, people("Cat", "Dot"))
    other = member_of(enterprise)
    second = waiting.join_waiting_list(session, other, enterprise, people("Eve"))
    bookings.cancel_booking(booking, owner)
    assert (first.status, second.status) == (WaitStatus.OFFERED, WaitStatus.WAITING)
    clock.advance(hours=25)
    assert waiting.expire_offers(clock.now()) == 1
    db.session.refresh(second)
    assert first.status == WaitStatus.EXPIRED and second.status == WaitStatus.OFFERED
    accepted = waiting.accept_offer(second, other)
    assert accepted.status == BookingStatus.CONFIRMED and session.seats_taken == 1


def test_expired_offer_cannot_be_accepted(setup, clock):
    """Accepting after 24 hours is refused."""
    session, owner, enterprise = setup
    booking = bookings.create_booking(session, owner, enterprise, people("Ann", "Bob"))
    entry = waiting.join_waiting_list(session, owner, enterprise, people("Cat"))
    bookings.cancel_booking(booking, owner)
    assert entry.status == WaitStatus.OFFERED
    clock.advance(hours=25)
    with pytest.raises(DomainError):
        waiting.accept_offer(entry, owner)


def test_reconciliation_is_clean_after_refunds(setup):
    """Refund rows add up to what each payment says was refunded."""
    from marketplace.payments.services import reconciliation_problems

    session, owner, enterprise = setup
    booking = bookings.create_booking(session, owner, enterprise, people("Ann"))
    bookings.cancel_booking(booking, owner)
    assert reconciliation_problems() == []
    assert db.session.scalar(select(Payment.refunded_pence)) == 1000


def test_bookings_reconcile_with_payments_and_the_command_says_so(setup, app):
    """Every paid booking's total equals its payment; `flask reconcile` reports a tampered amount."""
    from marketplace.training.reconcile import booking_problems

    session, owner, enterprise = setup
    booking = bookings.create_booking(session, owner, enterprise, people("Ann", "Bob"))
    db.session.commit()
    assert booking_problems() == []
    assert "reconcile" in app.test_cli_runner().invoke(args=["reconcile"]).output
    booking.payment.amount_pence = 1999
    db.session.commit()
    assert booking_problems() == [
        f"Booking {booking.id}: total 2000 for the places held, 2000 for every place booked, but payment amount 1999"
    ]
    result = app.test_cli_runner().invoke(args=["reconcile"])
    assert result.exit_code == 1 and "1999" in result.output


def test_expired_holds_pass_seats_to_the_waiting_list_in_order(setup, clock, stripe_mode):
    """A 15-minute unpaid hold expires (injected clock) and its seats are offered to the waiting list, first that fits first."""
    session, owner, enterprise = setup
    session.capacity = 3
    factories.booking(session, factories.user(), people=[("Zed", "zed@example.com")])
    held = bookings.create_booking(session, owner, enterprise, people("Ann", "Bob"))
    assert held.status == BookingStatus.RESERVED
    big = waiting.join_waiting_list(session, owner, enterprise, people("Cat", "Dot", "Eve"))
    first = waiting.join_waiting_list(session, member_of(enterprise), enterprise, people("Fay"))
    second = waiting.join_waiting_list(session, member_of(enterprise), enterprise, people("Gus"))
    clock.advance(minutes=14)
    assert bookings.expire_holds(clock.now()) == 0
    clock.advance(minutes=2)
    assert bookings.expire_holds(clock.now()) == 1
    assert held.status == BookingStatus.EXPIRED
    assert [big.status, first.status, second.status] == [WaitStatus.WAITING, WaitStatus.OFFERED, WaitStatus.OFFERED]
    assert session.seats_taken == 3


def test_no_cancelling_once_the_session_has_started(setup, clock):
    """After the start, neither the booker nor the publisher can cancel, so no seat is offered for a running session."""
    session, owner, enterprise = setup
    booking = bookings.create_booking(session, owner, enterprise, people("Ann"))
    clock.set(session.starts_at + timedelta(minutes=5))
    with pytest.raises(bookings.BookingClosed):
        bookings.cancel_booking(booking, owner)
    with pytest.raises(bookings.BookingClosed):
        bookings.cancel_booking(booking, session.course.organisation.memberships[0].user, by_publisher=True)
    assert booking.status == BookingStatus.CONFIRMED


def test_no_offers_after_the_booking_deadline(setup, clock):
    """Seats freed after booking has closed are not offered to the waiting list (nobody could book them)."""
    session, owner, enterprise = setup
    booking = bookings.create_booking(session, owner, enterprise, people("Ann", "Bob"))
    entry = waiting.join_waiting_list(session, owner, enterprise, people("Cat"))
    clock.set(session.booking_deadline + timedelta(minutes=1))
    bookings.cancel_booking(booking, owner)
    assert entry.status == WaitStatus.WAITING and session.seats_taken == 0


def test_course_cutoff_setting_is_used(setup, clock):
    """A course with a 2-day cut-off refunds a cancellation 3 days ahead (the default 7 days would not)."""
    session, owner, enterprise = setup
    session.course.cancellation_cutoff_days = 2
    booking = bookings.create_booking(session, owner, enterprise, people("Ann"))
    clock.set(session.starts_at - timedelta(days=3))
    assert bookings.cancel_booking(booking, owner) == 1000


def test_waiting_list_offer_is_notified_and_emailed(setup, outbox):
    """The person offered places gets a notification and an email with a link to accept."""
    from marketplace.core.notifications import Notification

    session, owner, enterprise = setup
    booking = bookings.create_booking(session, owner, enterprise, people("Ann", "Bob"))
    waiter = factories.user(name="Waiter")
    entry = waiting.join_waiting_list(session, waiter, factories.enterprise(waiter), people("Cat"))
    bookings.cancel_booking(booking, owner)
    db.session.commit()
    note = db.session.scalar(select(Notification).where(Notification.user_id == waiter.id))
    assert note.kind == "waiting_list_offer" and f"/training/waiting-list/{entry.id}" in note.link
    assert any("are yours if you want them" in m["Subject"] for m in outbox.to(waiter.email))


def test_offer_never_outlasts_the_booking_deadline(setup, clock):
    """An offer made 2 hours before booking closes lasts 2 hours, not 24."""
    session, owner, enterprise = setup
    booking = bookings.create_booking(session, owner, enterprise, people("Ann", "Bob"))
    entry = waiting.join_waiting_list(session, owner, enterprise, people("Cat"))
    clock.set(session.booking_deadline - timedelta(hours=2))
    bookings.cancel_booking(booking, owner)
    assert entry.offer_expires_at == session.booking_deadline


def test_calendar_sequence_goes_up_when_a_session_changes(setup):
    """A changed session's .ics carries a higher SEQUENCE, so calendar apps replace the old event."""
    from marketplace.training import courses
    from marketplace.training.calendar import session_ics

    session, owner, _ = setup
    assert b"SEQUENCE:0" in session_ics(session)
    officer = session.course.organisation.memberships[0].user
    courses.update_session(
        session,
        officer,
        capacity=session.capacity,
        starts_at=session.starts_at + timedelta(hours=1),
        ends_at=session.ends_at + timedelta(hours=1),
        booking_deadline=session.booking_deadline,
        place=session.venue_address,
    )
    assert b"SEQUENCE:1" in session_ics(session) and b"METHOD:PUBLISH" in session_ics(session)
