"""Booking pages through HTTP: book, see, pay, cancel; who may see venues and names; invoice and Stripe modes."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.training.models import Attendee, Booking, BookingStatus, TrainingSession, WaitingListEntry
from tests import factories
from tests.database import count, fresh
from tests.pages import error_summary, h1, soup, text
from tests.training import booking_flow

VENUE = "Civic Hall, Calverley Street"


@pytest.fixture
def world(ctx, clock):
    """A Leeds council's £40/£10 course with a 4-seat session; enterprise A (owner, member), B, a relief worker."""
    officer = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    course = factories.course(council, title="Emergency First Aid")
    session = factories.training_session(course, capacity=4)
    owner = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(owner, name="Erin Care", area_name="Leeds")
    member = factories.user(name="Max Member")
    factories.membership(member, enterprise, role="member")
    other = factories.user(name="Oscar Other")
    factories.enterprise(other, name="Other Care")
    relief = factories.relief_worker(factories.user(name="Rita Relief", role="relief_worker")).user
    db.session.commit()
    return SimpleNamespace(
        officer=officer, council=council, course=course, session=session, owner=owner,
        enterprise=enterprise, member=member, other=other, relief=relief,
    )  # fmt: skip


def booking_data(organisation, *people) -> dict:
    """The booking form's fields for an enterprise and named people."""
    data = {"booker_for": str(organisation.id)}
    for number, (name, email) in enumerate(people, start=1):
        data[f"name_{number}"], data[f"email_{number}"] = name, email
    return data


def book(client, world, *people, organisation=None):
    """The form, then 'Confirm booking' on the check page."""
    return booking_flow.book(client, world.session.id, booking_data(organisation or world.enterprise, *people))


def only_booking() -> Booking:
    fresh()
    return db.session.scalars(select(Booking)).one()


def test_book_page_shows_price_per_place_and_total(client, login_as, world):
    """A Leeds enterprise pays the subsidised £10 a place."""
    login_as(world.owner)
    response = client.get(f"/training/sessions/{world.session.id}/book")
    assert h1(response) == "Book places on Emergency First Aid"
    assert "Erin Care £10 per place" in text(response)
    assert "Total: £10 for 1 person at £10 each." in text(response)
    assert soup(response).select_one("input[name=name_3]") and not soup(response).select_one("input[name=name_4]")


def test_entrepreneur_books_named_staff_in_invoice_mode(client, login_as, world, outbox):
    """Two named people (blank rows ignored): confirmed at once, invoiced at £20, emailed with a calendar file."""
    login_as(world.owner)
    response = book(client, world, ("Ann Able", "Ann@Example.com "), ("", ""), ("Bob Baker", "bob@example.com"))
    booking = only_booking()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/training/bookings/{booking.id}")
    assert booking.status == BookingStatus.CONFIRMED and booking.total_pence == 2000
    assert [(a.name, a.email) for a in booking.attendees] == [
        ("Ann Able", "ann@example.com"),
        ("Bob Baker", "bob@example.com"),
    ]
    assert db.session.get(TrainingSession, world.session.id).seats_taken == 2
    page = client.get(response.headers["Location"])
    reference = booking.payment.invoice_reference
    assert f"Your places are booked. We have emailed you the confirmation and invoice {reference} for £20." in text(
        page
    )
    assert outbox.to("erin@example.com")


def test_entrepreneur_with_two_enterprises_chooses_which(client, login_as, world):
    """Each enterprise's price is shown; the chosen one books and pays (Cornwall: full price)."""
    cornwall = factories.enterprise(world.owner, name="Kernow Care", area_name="Cornwall")
    db.session.commit()
    login_as(world.owner)
    page = text(client.get(f"/training/sessions/{world.session.id}/book"))
    assert "Erin Care £10 per place" in page and "Kernow Care £40 per place" in page
    missing = client.post(f"/training/sessions/{world.session.id}/book", data={"name_1": "Ann", "email_1": "a@x.com"})
    assert "Select who you are booking for" in error_summary(missing)
    book(client, world, ("Ann", "ann@example.com"), organisation=cornwall)
    booking = only_booking()
    assert booking.organisation_id == cornwall.id and booking.unit_price_pence == 4000


def test_relief_worker_books_only_themselves(client, login_as, world):
    """No named rows: the one place is the relief worker's own, whatever else is posted."""
    login_as(world.relief)
    page = client.get(f"/training/sessions/{world.session.id}/book")
    assert "You are booking one place for yourself: Rita Relief" in text(page)
    assert not soup(page).select_one("input[name=name_1]")
    booking_flow.book(
        client, world.session.id, {"booker_for": "self", "name_1": "Someone Else", "email_1": "else@example.com"}
    )
    booking = only_booking()
    assert [(a.name, a.email) for a in booking.attendees] == [("Rita Relief", world.relief.email)]
    assert booking.organisation_id is None and booking.seats == 1


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_people_who_cannot_book_are_refused(client, login_as, world, who):
    """Neither entrepreneurs nor relief workers: 403."""
    person = world.officer if who == "officer" else factories.user(admin=True)
    db.session.commit()
    login_as(person)
    assert client.get(f"/training/sessions/{world.session.id}/book").status_code == 403


def test_booking_someone_already_booked_shows_an_error_and_writes_nothing(client, login_as, world):
    """The same email twice on one session (any case): a GOV.UK error and no rows, seats or audit written."""
    factories.booking(world.session, world.other, people=[("Ann", "ann@example.com")])
    db.session.commit()
    before = [count(Booking), count(Attendee), count(Payment), count(AuditEvent)]
    login_as(world.owner)
    response = book(client, world, ("Ann Again", "ANN@example.com"), ("Bob", "bob@example.com"))
    assert response.status_code == 200
    summary = error_summary(response)
    assert "Someone you named already has a place on this session" in summary
    assert "ann@example.com" not in summary, "another enterprise's booking is not revealed"
    fresh()
    assert [count(Booking), count(Attendee), count(Payment), count(AuditEvent) - 1] == before  # the sign-in event
    assert db.session.get(TrainingSession, world.session.id).seats_taken == 1


def test_own_earlier_booking_is_named(client, login_as, world):
    """A person the booker already booked is named, so they know whom to remove."""
    factories.booking(world.session, world.owner, people=[("Ann", "ann@example.com")])
    db.session.commit()
    login_as(world.owner)
    response = book(client, world, ("Ann Again", "ann@example.com"))
    assert "ann@example.com already has a place on this session" in error_summary(response)


@pytest.mark.parametrize(
    ("people", "message"),
    [
        ((("Ann", "ann@example.com"), ("Annie", "ANN@example.com")), "Person 2 has the same email address as person 1"),
        ((("Ann", ""),), "Enter the email address of person 1"),
        ((("", "ann@example.com"),), "Enter the name of person 1"),
        ((("Ann", "not-an-email"),), "Enter an email address in the correct format"),
        ((), "Enter the name and email address of at least one person"),
    ],
)
def test_attendee_rows_are_checked(client, login_as, world, people, message):
    """Incomplete, repeated or missing people get GOV.UK error messages; nothing is booked."""
    login_as(world.owner)
    response = book(client, world, *people)
    assert message in error_summary(response)
    assert count(Booking) == 0


def test_not_enough_places_offers_the_waiting_list_with_the_same_names(client, login_as, world):
    """Asking for more places than are left offers the waiting list for everyone, names kept; joining queues them."""
    factories.booking(world.session, world.other, people=[(f"P{n}", f"p{n}@example.com") for n in range(3)])
    db.session.commit()
    login_as(world.owner)
    response = book(client, world, ("Ann", "ann@example.com"), ("Bob", "bob@example.com"))
    assert "Only 1 place is left on this session" in error_summary(response)
    assert soup(response).select_one("button[formaction$='/waiting-list']").get_text(strip=True) == (
        "Join the waiting list for both people"
    )
    assert soup(response).select_one("input[name=name_2]")["value"] == "Bob"
    joined = client.post(
        f"/training/sessions/{world.session.id}/waiting-list",
        data=booking_data(world.enterprise, ("Ann", "ann@example.com"), ("Bob", "bob@example.com")),
    )
    entry = db.session.scalars(select(WaitingListEntry)).one()
    assert joined.headers["Location"].endswith(f"/training/waiting-list/{entry.id}")
    assert entry.seats == 2 and [a["name"] for a in entry.attendees] == ["Ann", "Bob"]
    assert count(Booking) == 1


# --- who sees what ----------------------------------------------------------------------------------------------


@pytest.fixture
def confirmed(world):
    """Erin's confirmed booking for Ann (who has an account) and Bob; and someone else's unpaid hold."""
    ann = factories.user(name="Ann Able", email="ann@example.com")
    booking = factories.booking(
        world.session, world.owner, world.enterprise, people=[("Ann Able", ann.email), ("Bob Baker", "bob@example.com")]
    )
    holder = factories.user(name="Harry Holder")
    factories.enterprise(holder)
    factories.booking(world.session, holder, people=[("Hattie Held", "hattie@example.com")], status="reserved")
    outsider = factories.user(name="Ursula Outsider")
    factories.booking(
        world.session, outsider, factories.enterprise(outsider), people=[("Olga Outside", "olga@example.com")]
    )
    db.session.commit()
    return SimpleNamespace(booking=booking, ann=ann, holder=holder)


def _private_shown(client, world) -> tuple[bool, bool]:
    page = text(client.get(f"/training/sessions/{world.session.id}"))
    return VENUE in page, "Bob Baker" in page


@pytest.mark.parametrize("who", ["anonymous", "other", "relief", "member", "holder"])
def test_venue_and_names_hidden_from_people_not_confirmed(client, login_as, world, confirmed, who):
    """Anonymous people, other enterprises, relief workers, colleagues not booked, unpaid holds: nothing private."""
    people = {"other": world.other, "relief": world.relief, "member": world.member, "holder": confirmed.holder}
    if who != "anonymous":
        login_as(people[who])
    assert _private_shown(client, world) == (False, False)


@pytest.mark.parametrize("who", ["booker", "attendee", "publisher"])
def test_venue_and_names_shown_to_confirmed_people_and_the_publisher(client, login_as, world, confirmed, who):
    """The booker, a named attendee with an account, and the publisher's members see the venue and names."""
    login_as({"booker": world.owner, "attendee": confirmed.ann, "publisher": world.officer}[who])
    assert _private_shown(client, world) == (True, True)
    page = text(client.get(f"/training/sessions/{world.session.id}"))
    assert ("Olga Outside" in page) is (who == "publisher")  # other enterprises' people: the publisher only
    assert "Hattie Held" not in page  # an unpaid hold is not a place yet


def test_online_link_only_for_confirmed_people(client, login_as, world, confirmed):
    """An online session's joining link follows the same rule."""
    world.session.online_link, world.session.venue_address = "https://meet.example.com/first-aid", None
    db.session.commit()
    assert "meet.example.com" not in text(client.get(f"/training/sessions/{world.session.id}"))
    login_as(world.owner)
    assert "https://meet.example.com/first-aid" in text(client.get(f"/training/sessions/{world.session.id}"))


@pytest.mark.parametrize(
    ("who", "status"),
    [("booker", 200), ("member", 200), ("publisher", 200), ("other", 404), ("relief", 404), ("attendee", 404)],
)
def test_booking_page_is_for_the_enterprise_and_the_publisher(client, login_as, world, confirmed, who, status):
    """Another organisation's booking id is 404."""
    person = {"booker": world.owner, "member": world.member, "publisher": world.officer}.get(who)
    login_as(person or {"other": world.other, "relief": world.relief, "attendee": confirmed.ann}[who])
    assert client.get(f"/training/bookings/{confirmed.booking.id}").status_code == status


def test_booking_page_for_anonymous_asks_to_sign_in(client, world, confirmed):
    """Signed-out people are sent to sign in."""
    response = client.get(f"/training/bookings/{confirmed.booking.id}")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_booking_page_shows_status_people_venue_and_calendar_to_the_booker(client, login_as, world, confirmed):
    """Confirmed: status, people, price, the venue and the calendar download."""
    login_as(world.owner)
    page = text(client.get(f"/training/bookings/{confirmed.booking.id}"))
    assert "Confirmed" in page and "Ann Able" in page and "Bob Baker" in page and VENUE in page
    assert "Download calendar event (.ics)" in page and "Cancel booking" in page


def test_colleague_sees_the_booking_but_not_the_venue(client, login_as, world, confirmed):
    """A member of the enterprise not booked on the session: no venue, no calendar file, cannot cancel."""
    login_as(world.member)
    page = text(client.get(f"/training/bookings/{confirmed.booking.id}"))
    assert "Bob Baker" in page and VENUE not in page and "Download calendar event" not in page
    assert client.get(f"/training/bookings/{confirmed.booking.id}/calendar.ics").status_code == 404
    assert client.get(f"/training/bookings/{confirmed.booking.id}/cancel").status_code == 403


def test_calendar_event_of_a_booking(client, login_as, world, confirmed):
    """An .ics attachment with the start in UTC and the course as its summary."""
    login_as(world.owner)
    response = client.get(f"/training/bookings/{confirmed.booking.id}/calendar.ics")
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    start = world.session.starts_at.strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in body and "SUMMARY:Emergency First Aid" in body and "Civic Hall" in body


def test_reserved_booking_counts_down_and_has_no_calendar(client, login_as, world, clock):
    """An unpaid hold says how long is left; no venue and no .ics until confirmed."""
    held = factories.booking(world.session, world.owner, world.enterprise, status="reserved")
    db.session.commit()
    clock.advance(minutes=3)
    login_as(world.owner)
    page = text(client.get(f"/training/bookings/{held.id}"))
    assert "Waiting for payment" in page and "12 minutes left to pay" in page
    assert VENUE not in page
    assert client.get(f"/training/bookings/{held.id}/calendar.ics").status_code == 404


def test_payment_return_page_never_confirms(client, login_as, world):
    """Back from Stripe: 'Payment received' while the webhook has not confirmed; the booking stays reserved."""
    held = factories.booking(world.session, world.owner, world.enterprise, status="reserved")
    db.session.commit()
    login_as(world.owner)
    response = client.get(f"/training/bookings/{held.id}/paid")
    assert h1(response) == "Payment received"
    assert "Payment received — we are confirming your booking" in text(response)
    assert only_booking().status == BookingStatus.RESERVED
    held_now = only_booking()
    held_now.status = BookingStatus.CONFIRMED
    db.session.commit()
    assert h1(client.get(f"/training/bookings/{held.id}/paid")) == "Your booking is confirmed"


# --- cancelling -------------------------------------------------------------------------------------------------


def test_cancel_before_the_cutoff_credits_the_invoice(client, login_as, world):
    """Before the cut-off: the check page says the invoice is credited; cancelling frees the seats."""
    login_as(world.owner)
    book(client, world, ("Ann", "ann@example.com"), ("Bob", "bob@example.com"))
    booking = only_booking()
    check = client.get(f"/training/bookings/{booking.id}/cancel")
    assert h1(check) == "Are you sure you want to cancel this booking?"
    assert f"we will take £20 off invoice {booking.payment.invoice_reference}" in text(check)
    done = client.post(f"/training/bookings/{booking.id}/cancel")
    booking = only_booking()
    assert booking.status == BookingStatus.CANCELLED and booking.session.seats_taken == 0
    assert booking.payment.refunded_pence == 2000 and booking.payment.status == "cancelled"
    banner = text(client.get(done.headers["Location"]))
    assert (
        f"Your booking has been cancelled. We have taken £20 off invoice {booking.payment.invoice_reference}." in banner
    )


def test_no_cancel_link_or_page_once_the_session_has_started(client, login_as, world, clock):
    """The booking page asks the booking (can_cancel); the cancel page says why, and nothing changes."""
    login_as(world.owner)
    book(client, world, ("Ann", "ann@example.com"))
    booking = only_booking()
    assert soup(client.get(f"/training/bookings/{booking.id}")).select_one(f"a[href$='/bookings/{booking.id}/cancel']")
    clock.set(world.session.starts_at + timedelta(minutes=5))
    login_as(world.owner)  # a new sign-in: weeks have passed
    page = client.get(f"/training/bookings/{booking.id}")
    assert soup(page).select_one(f"a[href$='/bookings/{booking.id}/cancel']") is None
    check = client.get(f"/training/bookings/{booking.id}/cancel", follow_redirects=True)
    assert "The session has started, so this booking can no longer be cancelled." in text(check)
    assert only_booking().status == BookingStatus.CONFIRMED


def test_cancel_after_the_cutoff_refunds_nothing(client, login_as, world, clock):
    """Within the cut-off: the page says there is no refund and the invoice is still owed."""
    login_as(world.owner)
    book(client, world, ("Ann", "ann@example.com"))
    booking = only_booking()
    clock.set(world.session.starts_at - timedelta(days=3))
    login_as(world.owner)  # a new sign-in: weeks have passed
    check = text(client.get(f"/training/bookings/{booking.id}/cancel"))
    assert "The session starts in less than 7 days, so you will not get a refund." in check
    client.post(f"/training/bookings/{booking.id}/cancel")
    booking = only_booking()
    assert booking.status == BookingStatus.CANCELLED and booking.payment.refunded_pence == 0
    assert booking.payment.status == "pending"


def test_other_organisations_cannot_cancel(client, login_as, world, confirmed):
    """Another enterprise's owner gets 404 and nothing changes."""
    login_as(world.other)
    assert client.post(f"/training/bookings/{confirmed.booking.id}/cancel").status_code == 404
    assert db.session.get(Booking, confirmed.booking.id).status == BookingStatus.CONFIRMED


# --- your bookings ----------------------------------------------------------------------------------------------


def test_my_bookings_lists_upcoming_past_and_places_booked_for_me(client, login_as, world, confirmed):
    """The booker's own bookings, split by time; someone else's booking naming me shows as booked for me."""
    past = factories.training_session(world.course, days_ahead=-10)
    factories.booking(past, world.owner, world.enterprise, people=[("Cleo Past", "cleo@example.com")])
    db.session.commit()
    login_as(world.owner)
    response = client.get("/training/bookings")
    captions = [c.get_text(" ", strip=True) for c in soup(response).select("caption")]
    assert captions == ["Coming up", "Past and cancelled"]
    rows = [row.get_text(" ", strip=True) for row in soup(response).select("tbody tr")]
    assert len(rows) == 2 and rows[0].startswith("Emergency First Aid") and "Confirmed" in rows[1]
    assert "Olga" not in text(response) and "Places booked for you" not in text(response)


def test_places_booked_for_me_by_someone_else(client, login_as, world, confirmed):
    """Ann did not book, but Erin named her: her bookings page lists the session."""
    login_as(confirmed.ann)
    page = text(client.get("/training/bookings"))
    assert "Places booked for you Emergency First Aid" in page and "(booked by Erin Owner)" in page


def test_my_bookings_query_count_does_not_grow(client, login_as, world):
    """3 bookings or 30: the same number of queries."""
    from tests.queries import counted_queries

    def add(number):
        for _ in range(number):
            session = factories.training_session(world.course)
            factories.booking(session, world.owner, world.enterprise, people=[("A", f"a{session.id}@example.com")])
        db.session.commit()

    login_as(world.owner)
    add(3)
    with counted_queries() as few:
        client.get("/training/bookings")
    add(27)
    with counted_queries() as many:
        client.get("/training/bookings")
    assert len(few) == len(many)


# --- Stripe -----------------------------------------------------------------------------------------------------


def test_stripe_booking_holds_places_and_sends_the_booker_to_checkout(client, login_as, world, stripe_mode, clock):
    """A paid booking is held as reserved and the booker is redirected to the Checkout page."""
    login_as(world.owner)
    response = book(client, world, ("Ann", "ann@example.com"))
    booking = only_booking()
    assert response.status_code == 302 and response.headers["Location"].startswith(stripe_mode.base_url)
    assert booking.status == BookingStatus.RESERVED and booking.payment.provider_reference


def test_payment_that_cannot_start_offers_pay_now_with_the_same_key(client, app, login_as, world, stripe_mode, clock):
    """The provider refuses: the booking page says try again; 'Pay now' retries with the same idempotency key."""
    login_as(world.owner)
    app.config["STRIPE_SECRET_KEY"] = "sk_live_wrong"
    response = book(client, world, ("Ann", "ann@example.com"))
    booking = only_booking()
    page = client.get(response.headers["Location"])
    assert "We could not start the payment. Try again" in error_summary(page)
    assert soup(page).select_one(f"form[action='/training/bookings/{booking.id}/pay']")
    app.config["STRIPE_SECRET_KEY"] = "sk_test_backstop"
    retried = client.post(f"/training/bookings/{booking.id}/pay")
    assert retried.headers["Location"].startswith(stripe_mode.base_url)
    keys = {r.idempotency_key for r in stripe_mode.requests if r.path == "/v1/checkout/sessions"}
    assert keys == {f"training-booking-{booking.id}-checkout"}


def test_people_who_cannot_book_are_not_offered_a_button_that_refuses_them(client, login_as, ctx, clock):
    """A council officer (no enterprise, no relief profile) sees who books instead of a Book places button that
    would end on 'You do not have permission'; signed out, the button stays (it asks you to sign in)."""
    officer = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(officer, areas=("Leeds",))
    session = factories.training_session(factories.course(council))
    db.session.commit()
    assert "Book places" in text(client.get(f"/training/sessions/{session.id}"))
    login_as(officer)
    page = text(client.get(f"/training/sessions/{session.id}"))
    assert "Book places" not in page
    assert "Places are booked by care enterprises for their staff, and by relief workers for themselves." in page
