"""The booker's confirmation email: when (UK time), where, who, the price and any invoice reference, with the .ics;
the in-app notification stays."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from icalendar import Calendar
from sqlalchemy import select

from marketplace.core.notifications import Notification
from marketplace.extensions import db
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from marketplace.training.models import BookingStatus
from tests import factories

SUMMER = datetime(2027, 7, 1, 8, 30, tzinfo=UTC)  # 9:30am in London (British Summer Time)
SUBJECT = "Your booking for Emergency First Aid on 1 July 2027 at 9:30am is confirmed"
PEOPLE = [Person("Ann Able", "ann@example.com"), Person("Bob Baker", "bob@example.com")]


@pytest.fixture
def world(ctx, clock):
    """Leeds City Council's summer session of Emergency First Aid; Erin Owner of Erin Care (Leeds) books."""
    council = factories.publisher(name="Leeds City Council", areas=("Leeds",))
    booker = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(booker, name="Erin Care", area_name="Leeds")
    db.session.commit()
    return SimpleNamespace(council=council, booker=booker, enterprise=enterprise)


def session_of(world, **course_fields):
    """The summer session of a course with the given prices or delivery."""
    online = course_fields.get("delivery") == "online"
    course = factories.course(world.council, title="Emergency First Aid", **course_fields)
    return factories.training_session(
        course,
        starts_at=SUMMER,
        ends_at=SUMMER + timedelta(hours=3),
        venue_address=None if online else "Civic Hall, Calverley Street, Leeds LS1 1UR",
        online_link="https://meet.example.com/first-aid" if online else None,
    )


def book(world, session):
    """Erin books Ann and Bob through the booking service and the transaction commits."""
    booking = bookings.create_booking(session, world.booker, world.enterprise, PEOPLE)
    db.session.commit()
    assert booking.status == BookingStatus.CONFIRMED
    return booking


def confirmation(outbox):
    """The one confirmation email to the booker, and its plain text."""
    (message,) = [m for m in outbox.to("erin@example.com") if m["Subject"].endswith("is confirmed")]
    return message, message.get_body(preferencelist=("plain",)).get_content()


def ics_event(message):
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "backstop-training.ics"
    return next(iter(Calendar.from_ical(part.get_content()).walk("VEVENT")))


def assert_common(message, body, booking):
    """Subject, UK times, the people booked, the booking's link and the calendar file."""
    assert message["Subject"].strip() == SUBJECT  # a long subject is folded onto its own line
    assert "Dear Erin Owner," in body
    assert "Your booking for Emergency First Aid, run by Leeds City Council, is confirmed." in body
    assert "Starts: 1 July 2027 at 9:30am (UK time)" in body and "Ends: 1 July 2027 at 12:30pm (UK time)" in body
    assert "People booked (2):" in body
    assert "- Ann Able (ann@example.com)" in body and "- Bob Baker (bob@example.com)" in body
    assert f"/training/bookings/{booking.id}" in body
    event = ics_event(message)
    assert event.decoded("dtstart") == SUMMER and str(event["summary"]) == "Emergency First Aid"


def test_a_free_booking_says_free_and_has_no_invoice(world, outbox):
    """Free: when, where, who, 'Price: Free', no invoice reference, the .ics; the in-app notification stays."""
    booking = book(world, session_of(world, full_price_pence=0, subsidised_price_pence=0))
    message, body = confirmation(outbox)
    assert_common(message, body, booking)
    assert "Venue: Civic Hall, Calverley Street, Leeds LS1 1UR" in body and "Join online" not in body
    assert "Price: Free" in body and "Price per place" not in body
    assert "Invoice" not in body
    note = db.session.scalars(select(Notification).where(Notification.user_id == world.booker.id)).one()
    assert note.kind == "booking_confirmed" and note.title == "Your booking for Emergency First Aid is confirmed"
    assert note.link.endswith(f"/training/bookings/{booking.id}")


def test_a_paid_invoice_booking_gives_the_price_and_invoice_reference(world, outbox):
    """£10 a place (Leeds, subsidised) for two: per place, total, the invoice reference and its page."""
    booking = book(world, session_of(world, full_price_pence=4000, subsidised_price_pence=1000))
    reference = booking.payment.invoice_reference
    assert reference.startswith("BSP-")
    message, body = confirmation(outbox)
    assert_common(message, body, booking)
    assert "Price per place: £10" in body and "Total: £20" in body and "Free" not in body
    assert f"Invoice reference: {reference}" in body
    assert f"See the invoice: http://backstop.test/payments/invoices/{booking.payment.id}" in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert reference in html and "£20" in html and "Bob Baker" in html


def test_an_online_booking_gives_the_joining_link_not_a_venue(world, outbox):
    """Online: the joining link in place of a venue, and the .ics still attached."""
    booking = book(world, session_of(world, delivery="online", full_price_pence=0, subsidised_price_pence=0))
    message, body = confirmation(outbox)
    assert_common(message, body, booking)
    assert "Join online: https://meet.example.com/first-aid" in body and "Venue" not in body
    assert "https://meet.example.com/first-aid" in message.get_body(preferencelist=("html",)).get_content()
