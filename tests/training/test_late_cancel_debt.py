"""A late cancellation of an unpaid invoice says what is still owed: on the check page, the banner and the booking."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.payments import services as payments
from marketplace.training.models import Booking, BookingStatus
from tests import factories
from tests.database import fresh
from tests.pages import soup, text
from tests.training import booking_flow


@pytest.fixture
def world(ctx, clock):
    """A £40-a-place course with a 7-day cut-off; an enterprise owner who books one place on invoice."""
    officer = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    course = factories.course(council, title="Emergency First Aid", full_price_pence=4000, subsidised_price_pence=4000)
    session = factories.training_session(course, capacity=4)
    owner = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(owner, name="Erin Care", area_name="Leeds")
    db.session.commit()
    return SimpleNamespace(officer=officer, session=session, owner=owner, enterprise=enterprise)


def booked(client, login_as, world) -> Booking:
    """Erin books Ann through the form; the invoice for £40 is raised and unpaid."""
    login_as(world.owner)
    data = {"booker_for": str(world.enterprise.id), "name_1": "Ann Able", "email_1": "ann@example.com"}
    booking_flow.book(client, world.session.id, data)
    fresh()
    booking = db.session.scalars(select(Booking)).one()
    assert booking.status == BookingStatus.CONFIRMED and payments.amount_owed(booking.payment) == 4000
    return booking


def owed_warning(page) -> str:
    box = soup(page).select_one(".bs-owed")
    return " ".join(box.get_text(" ").split()) if box else ""


def test_late_cancellation_says_the_invoice_is_still_to_pay(client, login_as, world, clock):
    """After the cut-off: the check page, the banner and the booking page say £40 is still owed on the invoice."""
    booking = booked(client, login_as, world)
    owed = f"You still need to pay £40 (invoice {booking.payment.invoice_reference})."
    clock.set(world.session.starts_at - timedelta(days=3))
    login_as(world.owner)
    check = text(client.get(f"/training/bookings/{booking.id}/cancel"))
    assert f"The session starts in less than 7 days, so you will not get a refund. {owed}" in check
    done = client.post(f"/training/bookings/{booking.id}/cancel", follow_redirects=True)
    assert f"Your booking has been cancelled. {owed}" in text(done)
    assert owed in owed_warning(client.get(f"/training/bookings/{booking.id}"))


def test_the_debt_stays_on_the_booking_until_the_invoice_is_paid(client, login_as, world, clock):
    """The booking page keeps saying it while unpaid; once finance marks the invoice paid it stops."""
    booking = booked(client, login_as, world)
    clock.set(world.session.starts_at - timedelta(days=3))
    login_as(world.owner)
    client.post(f"/training/bookings/{booking.id}/cancel")
    clock.set(world.session.starts_at - timedelta(days=1))
    login_as(world.owner)  # a new sign-in: days have passed
    assert "You still need to pay £40" in owed_warning(client.get(f"/training/bookings/{booking.id}"))
    fresh()
    payments.mark_invoice_paid(db.session.get(Booking, booking.id).payment, world.officer)
    db.session.commit()
    page = client.get(f"/training/bookings/{booking.id}")
    assert owed_warning(page) == "" and "You still need to pay" not in text(page)


def test_an_early_cancellation_owes_nothing(client, login_as, world):
    """Before the cut-off the invoice is credited: nothing is said to be owed."""
    booking = booked(client, login_as, world)
    done = client.post(f"/training/bookings/{booking.id}/cancel", follow_redirects=True)
    assert f"We have taken £40 off invoice {booking.payment.invoice_reference}." in text(done)
    assert "You still need to pay" not in text(done)
    assert owed_warning(client.get(f"/training/bookings/{booking.id}")) == ""
