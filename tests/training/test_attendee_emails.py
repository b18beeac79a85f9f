"""Emails beyond the booker's confirmation: each named person gets the course, UK times, the venue or link and an
.ics; the booker of an invoiced booking gets the invoice reference, amount, who to pay and the invoice's page."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from icalendar import Calendar

from marketplace.extensions import db
from marketplace.training.attendee_emails import email_attendees, email_invoice
from tests import factories
from tests.conftest import path_of
from tests.pages import h1, text
from tests.training import booking_flow

SUMMER = datetime(2027, 7, 1, 8, 30, tzinfo=UTC)  # 9:30am in London (British Summer Time)


@pytest.fixture
def world(ctx, clock):
    """A Leeds council's summer session; Erin (Erin Care) has booked herself, Ann and Bob."""
    council = factories.publisher(name="Leeds City Council")
    course = factories.course(council, title="Emergency First Aid")
    session = factories.training_session(course, starts_at=SUMMER, ends_at=SUMMER + timedelta(hours=3))
    booker = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(booker, name="Erin Care")
    booking = factories.booking(
        session,
        booker,
        enterprise,
        people=[("Erin Owner", "ERIN@example.com"), ("Ann Able", "ann@example.com"), ("Bob Baker", "bob@example.com")],
    )
    db.session.commit()
    return SimpleNamespace(council=council, course=course, session=session, booker=booker, enterprise=enterprise,
                           booking=booking)  # fmt: skip


def plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def ics_of(message):
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return next(iter(Calendar.from_ical(part.get_content()).walk("VEVENT")))


def places_emails(outbox, address: str) -> list:
    return [m for m in outbox.to(address) if m["Subject"].startswith("You have a place on")]


# --- named staff --------------------------------------------------------------------------------------------------


def test_each_named_person_other_than_the_booker_gets_the_details(world, outbox):
    """Ann and Bob: course, who booked, start and end in UK time, the venue, and the .ics; Erin (the booker, named
    in another case) is not emailed twice."""
    assert email_attendees(world.booking) == 2
    db.session.commit()
    for name, address in (("Ann Able", "ann@example.com"), ("Bob Baker", "bob@example.com")):
        (message,) = places_emails(outbox, address)
        assert message["Subject"] == "You have a place on Emergency First Aid on 1 July 2027 at 9:30am"
        body = plain(message)
        assert f"Dear {name}," in body and "Erin Owner of Erin Care has booked you a place" in body
        assert "Starts: 1 July 2027 at 9:30am (UK time)" in body and "Ends: 1 July 2027 at 12:30pm (UK time)" in body
        assert "Venue: Civic Hall, Calverley Street, Leeds LS1 1UR" in body
        event = ics_of(message)
        assert event.decoded("dtstart") == SUMMER and str(event["summary"]) == "Emergency First Aid"
        assert "Civic Hall" in str(event["location"])
    assert outbox.to("erin@example.com") == []


def test_online_sessions_give_the_joining_link(world, outbox):
    """An online course: the link instead of a venue."""
    world.course.delivery = "online"
    world.session.venue_address, world.session.online_link = None, "https://meet.example.com/first-aid"
    db.session.commit()
    email_attendees(world.booking)
    db.session.commit()
    (message,) = places_emails(outbox, "ann@example.com")
    assert "Join online: https://meet.example.com/first-aid" in plain(message) and "Venue" not in plain(message)
    assert 'href="https://meet.example.com/first-aid"' in message.get_body(preferencelist=("html",)).get_content()


def test_nobody_is_emailed_the_venue_before_the_booking_is_confirmed(world, outbox):
    """A reserved hold, and a cancelled attendee on a confirmed booking, get nothing."""
    held = factories.booking(world.session, factories.user(), people=[("Cat", "cat@example.com")], status="reserved")
    world.booking.attendees[2].status = "cancelled"
    db.session.commit()
    assert email_attendees(held) == 0
    assert email_attendees(world.booking) == 1
    db.session.commit()
    assert outbox.to("cat@example.com") == [] and outbox.to("bob@example.com") == []
    assert len(places_emails(outbox, "ann@example.com")) == 1


def test_a_relief_worker_booking_themselves_gets_no_second_email(ctx, clock, outbox):
    """The only person is the booker: their confirmation is enough."""
    relief = factories.relief_worker(factories.user(email="rita@example.com")).user
    booking = factories.booking(factories.training_session(), relief)
    db.session.commit()
    assert email_attendees(booking) == 0


# --- the invoice --------------------------------------------------------------------------------------------------


@pytest.fixture
def invoiced(world):
    """Erin's booking invoiced at £30 by the council."""
    payment = factories.payment(
        amount_pence=3000, payer_organisation=world.enterprise, payee_organisation=world.council
    )
    world.booking.payment, world.booking.total_pence = payment, 3000
    db.session.commit()
    return payment


def test_the_booker_is_emailed_the_invoice_and_its_link_works(client, login_as, world, invoiced, outbox):
    """Reference, amount, who to pay and a link to the invoice page, which the booker can open."""
    assert email_invoice(world.booking) is True
    db.session.commit()
    (message,) = outbox.to("erin@example.com")
    reference = invoiced.invoice_reference
    assert message["Subject"] == f"Invoice {reference} for Emergency First Aid: £30"
    body = plain(message)
    assert "Amount: £30" in body and "Pay to: Leeds City Council" in body and f"reference {reference}" in body
    link = path_of(outbox.last_link("erin@example.com", "/payments/invoices/"))
    assert link == f"/payments/invoices/{invoiced.id}"
    login_as(world.booker)
    page = client.get(link)
    assert h1(page) == f"Invoice {reference}" and "Leeds City Council" in text(page)
    assert [m for m in outbox.to("ann@example.com")] == []


def test_no_invoice_no_email(world, outbox):
    """A free booking (no payment) sends nothing."""
    assert email_invoice(world.booking) is False
    db.session.commit()
    assert outbox.messages() == []


# --- the calls booking.py makes ------------------------------------------------------------------------------------


@pytest.fixture
def booking_page(client, login_as, world):
    """Erin books Ann and Bob (and herself) through the booking form, in invoice mode."""
    session = factories.training_session(world.course, days_ahead=20)
    db.session.commit()
    login_as(world.booker)
    data = {"booker_for": str(world.enterprise.id), "rows": "3"}
    for number, (name, email) in enumerate(
        [("Erin Owner", "erin@example.com"), ("Ann Able", "ann2@example.com"), ("Bob Baker", "bob2@example.com")], 1
    ):
        data[f"name_{number}"], data[f"email_{number}"] = name, email
    response = booking_flow.book(client, session.id, data)
    assert response.status_code == 302
    return client.get(response.headers["Location"])


def test_booking_emails_the_named_staff(booking_page, outbox):
    """The booking page's promise (the venue is emailed once confirmed) holds for the people named."""
    assert len(places_emails(outbox, "ann2@example.com")) == 1 and len(places_emails(outbox, "bob2@example.com")) == 1


def test_an_invoiced_booking_emails_the_invoice(booking_page, outbox):
    """'We have emailed you the confirmation and invoice …' is true."""
    assert "We have emailed you the confirmation and invoice" in text(booking_page)
    assert [m for m in outbox.to("erin@example.com") if m["Subject"].startswith("Invoice BSP-")]
