"""Check your answers before booking: the form leads to a GOV.UK check page (people, price and which price, total,
how it is paid, any hold) that writes nothing; only its confirm button books, checking everything again. The total
follows the people entered; 'we hold your places' appears only where places are held."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.core.notifications import Notification
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.training.models import Attendee, Booking, BookingStatus, TrainingSession
from tests import factories
from tests.database import count, fresh
from tests.pages import error_summary, h1, soup, text
from tests.training import booking_flow
from tests.training.booking_flow import confirm, is_check_page

HOLD = "We hold your places for 15 minutes while you pay."
CHANGED = "Something changed since you checked your answers. Check them again, then confirm your booking."


@pytest.fixture
def world(ctx, clock):
    """Leeds City Council's £40 (£10 in Leeds) course with a 4-place session; Erin owns Erin Care in Leeds and
    Kernow Care in Cornwall; Rita is a relief worker in Leeds."""
    council = factories.publisher(factories.user(role="publisher"), name="Leeds City Council", areas=("Leeds",))
    course = factories.course(council, title="Emergency First Aid")
    session = factories.training_session(course, capacity=4)
    owner = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(owner, name="Erin Care", area_name="Leeds")
    cornwall = factories.enterprise(owner, name="Kernow Care", area_name="Cornwall")
    relief = factories.relief_worker(factories.user(name="Rita Relief", email="rita@example.com")).user
    db.session.commit()
    return SimpleNamespace(
        council=council, course=course, session=session, owner=owner, enterprise=enterprise, cornwall=cornwall,
        relief=relief,
    )  # fmt: skip


def answers(organisation, *people, **extra) -> dict:
    data = {"booker_for": str(organisation.id), "rows": "3", **extra}
    for number, (name, email) in enumerate(people, start=1):
        data[f"name_{number}"], data[f"email_{number}"] = name, email
    return data


ANN, BOB, CAT = ("Ann Able", "ann@example.com"), ("Bob Baker", "bob@example.com"), ("Cat Cole", "cat@example.com")


def check(client, world, *people, organisation=None, session=None):
    return booking_flow.check(client, (session or world.session).id, answers(organisation or world.enterprise, *people))


def rows_written() -> list[int]:
    fresh()
    return [count(Booking), count(Attendee), count(Payment), count(AuditEvent), count(Notification)]


def seats_taken(world) -> int:
    fresh()
    return db.session.get(TrainingSession, world.session.id).seats_taken


def summary(response, css: str) -> dict[str, str]:
    """A summary list's rows: key -> value text."""
    rows = soup(response).select(f".{css} .govuk-summary-list__row")
    return {
        r.select_one("dt").get_text(" ", strip=True): r.select_one(".govuk-summary-list__value").get_text(
            " ", strip=True
        )
        for r in rows
    }


def test_check_page_lists_the_session_people_price_and_total(client, login_as, world):
    """The course and session, who is booked for which enterprise, £10 (the Leeds price) a place, £20 in all,
    paid by invoice to Erin Care; a Change button on each answer; a 'Confirm booking' button."""
    login_as(world.owner)
    page = check(client, world, ANN, ("", ""), BOB)
    assert h1(page) == "Check your answers before booking"
    assert soup(page).title.get_text().startswith("Check your answers before booking")
    session = summary(page, "bs-check-session")
    assert session["Course"] == "Emergency First Aid" and session["Run by"] == "Leeds City Council"
    assert "to" in session["When"] and session["Where"].startswith("In person.")
    assert summary(page, "bs-check-people") == {
        "Booking for": "Erin Care",
        "Person 1": "Ann Able ann@example.com",
        "Person 2": "Bob Baker bob@example.com",
    }
    assert summary(page, "bs-check-price") == {
        "Price per place": "£10: the price for people working in Leeds",
        "Total": "£20 for 2 people",
        "How you pay": "By invoice to Erin Care. We email you the invoice when you confirm.",
    }
    changes = [b["value"] for b in soup(page).select("button[name=change]")]
    assert changes == ["booker_for", "name_1", "name_2"]
    assert soup(page).select_one("form[action$='/book/confirm'] button:not([name])").get_text(strip=True) == (
        "Confirm booking"
    )


def test_check_page_names_the_otherwise_price(client, login_as, world):
    """An enterprise outside the council's areas pays the full price, and the page says which price it is."""
    login_as(world.owner)
    page = check(client, world, ANN, organisation=world.cornwall)
    price = summary(page, "bs-check-price")
    assert price["Price per place"] == "£40: the price for people working outside Leeds"
    assert price["Total"] == "£40 for 1 person"


def test_the_form_and_the_check_page_write_nothing(client, login_as, world):
    """Adding rows, checking and changing answers: no booking, attendee, payment, audit event or seat."""
    login_as(world.owner)
    before = rows_written()
    client.post(f"/training/sessions/{world.session.id}/book", data=answers(world.enterprise, ANN, add_people="yes"))
    page = check(client, world, ANN, BOB)
    assert is_check_page(page)
    booking_flow.change(client, page, "name_2")
    assert rows_written() == before and seats_taken(world) == 0


def test_confirm_books_exactly_once(client, login_as, world, outbox):
    """Confirming makes the one booking (invoice mode: confirmed at once, invoiced) and takes its seats."""
    login_as(world.owner)
    page = check(client, world, ANN, BOB)
    response = confirm(client, page)
    booking = db.session.scalars(select(Booking)).one()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/training/bookings/{booking.id}")
    assert booking.status == BookingStatus.CONFIRMED and booking.total_pence == 2000
    assert [a.email for a in booking.attendees] == ["ann@example.com", "bob@example.com"]
    assert seats_taken(world) == 2 and count(Payment) == 1


def test_confirm_sent_twice_books_once(client, login_as, world):
    """A double click (or a resent form) goes to the booking the first confirm made; nothing is booked twice."""
    login_as(world.owner)
    page = check(client, world, ANN, BOB)
    first = confirm(client, page)
    second = confirm(client, page)
    booking = db.session.scalars(select(Booking)).one()
    assert first.headers["Location"] == second.headers["Location"]
    assert second.headers["Location"].endswith(f"/training/bookings/{booking.id}")
    assert seats_taken(world) == 2 and count(Payment) == 1
    assert "Your places are booked." in text(client.get(second.headers["Location"]))


def test_change_goes_back_to_the_form_with_the_answers_kept(client, login_as, world):
    """Change: the form again with every answer filled in and no errors; the changed answers are checked anew."""
    login_as(world.owner)
    page = check(client, world, ANN, BOB)
    form = booking_flow.change(client, page, "name_2")
    assert h1(form) == "Book places on Emergency First Aid" and error_summary(form) == ""
    fields = soup(form)
    assert [fields.select_one(f"input[name={n}]")["value"] for n in ("name_1", "email_1", "name_2", "email_2")] == [
        *ANN,
        *BOB,
    ]
    assert fields.select_one(f"input[name=booker_for][value='{world.enterprise.id}']").has_attr("checked")
    assert "Total: £20 for 2 people at £10 each." in text(form)
    again = check(client, world, ANN, CAT)
    assert summary(again, "bs-check-people")["Person 2"] == "Cat Cole cat@example.com"
    assert count(Booking) == 0


def test_total_on_the_form_follows_the_people_entered(client, login_as, world):
    """Shown again (more rows, or an error), the form's total is worked out from the people posted."""
    login_as(world.owner)
    url = f"/training/sessions/{world.session.id}/book"
    more = client.post(url, data=answers(world.enterprise, ANN, BOB, CAT, add_people="yes"))
    assert "Total: £30 for 3 people at £10 each." in text(more)
    wrong = client.post(url, data=answers(world.enterprise, ANN, ("Bob Baker", "not-an-email")))
    assert "Enter an email address in the correct format" in error_summary(wrong)
    assert "Total: £20 for 2 people at £10 each." in text(wrong)
    cornwall = client.post(url, data=answers(world.cornwall, ANN, add_people="yes"))
    assert "Total: £40 for 1 person at £40 each." in text(cornwall)


def test_the_form_loads_the_live_total_script_from_our_own_site(client, login_as, world):
    """The optional live total is a same-site module (the CSP allows it), not inline script or handlers."""
    login_as(world.owner)
    page = soup(client.get(f"/training/sessions/{world.session.id}/book"))
    sources = [s.get("src") for s in page.select("script")]
    assert "/static/booking-total.js" in sources
    assert client.get("/static/booking-total.js").status_code == 200
    box = page.select_one(".bs-total")
    assert box["data-bs-units"] == f'{{"{world.enterprise.id}": 1000, "{world.cornwall.id}": 4000}}'
    assert not page.select("[onchange], [oninput], [onclick]")


def test_more_people_than_allowed_in_the_hidden_fields_are_refused(client, login_as, world):
    """A crafted confirm naming a 13th person is refused with a message, never booked or quietly dropped."""
    world.session.capacity = 20
    db.session.commit()
    login_as(world.owner)
    page = check(client, world, ANN, BOB)
    response = confirm(client, page, name_13="Mal Crafted", email_13="mal@example.com")
    assert "Name up to 12 people at a time" in error_summary(response)
    assert count(Booking) == 0


def test_confirm_for_another_session_is_refused(client, login_as, world):
    """The answers checked for one session, posted to another session's confirm: nothing booked, check again."""
    other = factories.training_session(world.course, days_ahead=40, capacity=4)
    db.session.commit()
    login_as(world.owner)
    page = check(client, world, ANN)
    response = client.post(f"/training/sessions/{other.id}/book/confirm", data=booking_flow.posted_answers(page))
    assert is_check_page(response) and CHANGED in text(response)
    assert count(Booking) == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"name_2": "Bob Baker", "email_2": "bob@example.com"},  # a person added
        {"email_1": "someone@example.com"},  # a person swapped
        {"checked": "forged"},  # the seal itself
    ],
    ids=["added", "swapped", "forged"],
)
def test_answers_altered_after_the_check_are_checked_again(client, login_as, world, changes):
    """Hidden fields that differ from what the check page showed: the check page again, with the answers as
    posted (each checked by the form), and nothing booked until those are confirmed."""
    login_as(world.owner)
    page = check(client, world, ANN)
    response = confirm(client, page, **changes)
    assert is_check_page(response) and CHANGED in text(response)
    assert count(Booking) == 0
    confirm(client, response)
    assert count(Booking) == 1


def test_a_new_price_since_the_check_is_shown_before_booking(client, login_as, world):
    """The publisher changes the price between check and confirm: the check page again, with the new total."""
    login_as(world.owner)
    page = check(client, world, ANN, BOB)
    world.course.subsidised_price_pence = 1500
    db.session.commit()
    response = confirm(client, page)
    assert CHANGED in text(response) and summary(response, "bs-check-price")["Total"] == "£30 for 2 people"
    assert count(Booking) == 0
    confirm(client, response)
    assert db.session.scalars(select(Booking)).one().total_pence == 3000


def test_a_check_page_left_over_an_hour_is_checked_again(client, login_as, world, clock):
    """The seal lasts an hour: after that, confirming shows the check page again."""
    login_as(world.owner)
    page = check(client, world, ANN)
    clock.advance(minutes=61)
    assert CHANGED in text(confirm(client, page)) and count(Booking) == 0


def test_places_gone_between_check_and_confirm(client, login_as, world):
    """Someone else takes places meanwhile: confirming says how many are left (no error page), books nothing."""
    login_as(world.owner)
    page = check(client, world, ANN, BOB)
    factories.booking(world.session, factories.user(), people=[("P1", "p1@example.com"), ("P2", "p2@example.com")])
    factories.booking(world.session, factories.user(), people=[("P3", "p3@example.com")])
    db.session.commit()
    response = confirm(client, page)
    assert response.status_code == 200
    assert "Only 1 place is left on this session" in error_summary(response)
    assert soup(response).select_one("button[name=book_first]").get_text(strip=True) == "Book 1 place for Ann Able"
    assert count(Booking) == 2 and seats_taken(world) == 3


def test_places_left_at_the_check_step(client, login_as, world):
    """Fewer places than people already at the check: the places-left choice, then check and confirm that many."""
    factories.booking(world.session, factories.user(), people=[("P1", "p1@example.com"), ("P2", "p2@example.com")])
    db.session.commit()
    login_as(world.owner)
    response = check(client, world, ANN, BOB, CAT)
    assert "Only 2 places are left on this session" in error_summary(response)
    page = booking_flow.check(client, world.session.id, answers(world.enterprise, ANN, BOB, CAT, book_first="2"))
    assert list(summary(page, "bs-check-people")) == ["Booking for", "Person 1", "Person 2"]
    confirm(client, page)
    mine = db.session.scalars(select(Booking).where(Booking.booker_id == world.owner.id)).one()
    assert [a.name for a in mine.attendees] == ["Ann Able", "Bob Baker"]


def test_relief_worker_checks_their_own_place(client, login_as, world):
    """A relief worker's check page names them (nothing to change), paid by invoice to themselves."""
    login_as(world.relief)
    page = booking_flow.check(client, world.session.id, {"booker_for": "self"})
    assert summary(page, "bs-check-people") == {"Person 1": "Rita Relief rita@example.com"}
    assert soup(page).select("button[name=change]") == []
    assert summary(page, "bs-check-price")["How you pay"].startswith("By invoice to Rita Relief.")
    confirm(client, page)
    booking = db.session.scalars(select(Booking)).one()
    assert booking.organisation_id is None and [a.email for a in booking.attendees] == ["rita@example.com"]


# --- the hold sentence: only where places are held ---------------------------------------------------------------


def test_no_hold_sentence_when_invoiced(client, login_as, world):
    """Invoices confirm at once, so nothing is held: neither the form nor the check page says so."""
    login_as(world.owner)
    assert HOLD not in text(client.get(f"/training/sessions/{world.session.id}/book"))
    page = check(client, world, ANN)
    assert HOLD not in text(page) and "4 of 4 places left." in text(
        client.get(f"/training/sessions/{world.session.id}/book")
    )


def test_hold_sentence_when_paying_by_card(client, login_as, world, stripe_mode):
    """Card payments hold the places: the form and the check page say so; confirming holds them and sends the
    booker to pay."""
    login_as(world.owner)
    assert HOLD in text(client.get(f"/training/sessions/{world.session.id}/book"))
    page = check(client, world, ANN)
    assert HOLD in text(page)
    assert summary(page, "bs-check-price")["How you pay"] == (
        "By card. When you confirm, we take you to a secure page to pay."
    )
    assert count(Booking) == 0 and stripe_mode.requests == []
    response = confirm(client, page)
    assert response.headers["Location"].startswith(stripe_mode.base_url)
    booking = db.session.scalars(select(Booking)).one()
    assert booking.status == BookingStatus.RESERVED


def test_card_confirm_sent_twice_gives_the_same_checkout(client, login_as, world, stripe_mode):
    """The second confirm goes to the same Checkout page (one booking, one payment, the same idempotency key)."""
    login_as(world.owner)
    page = check(client, world, ANN)
    first, second = confirm(client, page), confirm(client, page)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(Booking) == 1 and count(Payment) == 1


def test_no_hold_sentence_for_free_places_even_by_card(client, login_as, world, stripe_mode):
    """Free places are confirmed at once, so nothing is held whatever the payment provider."""
    world.course.full_price_pence = world.course.subsidised_price_pence = 0
    db.session.commit()
    login_as(world.owner)
    assert HOLD not in text(client.get(f"/training/sessions/{world.session.id}/book"))
    page = check(client, world, ANN)
    assert HOLD not in text(page) and "How you pay" not in summary(page, "bs-check-price")
    assert summary(page, "bs-check-price")["Total"] == "Free"


def test_a_session_within_one_day_is_written_once_with_its_times():
    """'7 December 2026, 9:30am to 12:30pm', not the date twice; across days both moments in full."""
    from datetime import UTC, datetime

    from marketplace.core.template_helpers import format_span

    start = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert format_span(start, start.replace(hour=12)) == "7 December 2026, 9:30am to 12:30pm"
    assert (
        format_span(start, start.replace(day=8, hour=12)) == "7 December 2026 at 9:30am to 8 December 2026 at 12:30pm"
    )
