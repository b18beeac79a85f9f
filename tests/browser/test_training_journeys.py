"""The training journey in Chromium, in both payment modes: a council publishes a course and a session, an
entrepreneur finds and books it for two staff (invoice, or Stripe Checkout on the test server plus a signed
webhook), the council marks attendance, and the attendee's certificate is downloaded and publicly verified."""

import json
import re
import urllib.request
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.training.models import Attendee, Booking, Course, TrainingRecord, TrainingSession

from .. import factories
from ..conftest import STRIPE_WEBHOOK_SECRET
from .conftest import live_url, sign_in
from .test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

COURSE = "Emergency first aid at work"
STAFF = [("Ann Attendee", "ann@adas-care.example"), ("Bob Absent", "bob@adas-care.example")]
# The clock fixture starts at 10:00 UTC on 2 November 2026; the session is two weeks later (UK time = UTC then).
SESSION_DAY, BOOKING_CLOSES = "2026-11-16", "2026-11-13"
AFTER_THE_SESSION = datetime(2026, 11, 16, 13, 0, tzinfo=UTC)


def h1(page: Page):
    return page.get_by_role("heading", level=1)


def arrived(page: Page, heading: str) -> None:
    """The page has this heading, and axe finds nothing wrong with it (every page the journey visits)."""
    expect(h1(page)).to_have_text(heading)
    assert_accessible(page)


@pytest.fixture
def context_options() -> dict:
    """axe is injected as an inline script, which the app's CSP (rightly) blocks: bypass it in these tests only
    (tests/browser/test_long_lists.py checks the scripts under the real CSP)."""
    return {"bypass_csp": True}


def flash(page: Page, text: str):
    return page.get_by_text(text)


def fresh(model, *criteria):
    """Rows as the live server committed them (nothing stale from this test's session)."""
    db.session.rollback()
    return db.session.scalars(select(model).where(*criteria)).all()


# --- the publisher's side ---------------------------------------------------------------------------------------


def create_and_publish_course(page: Page, council_name: str) -> None:
    """Dashboard → council → Training courses → Add a course → Publish."""
    page.get_by_role("link", name=f"View {council_name}").click()
    page.get_by_role("link", name="Training courses").click()
    arrived(page, "Training courses")
    page.get_by_role("link", name="Add a course").click()
    arrived(page, "Add a course")
    page.get_by_label("Course title").fill(COURSE)
    page.get_by_label("Topic", exact=True).select_option(label="First aid")
    page.get_by_label("Description").fill("A one-day course.\n\n- CPR\n- Recovery position\n- **Choking**")
    page.get_by_role("group", name="How it is delivered").get_by_label("In person").check()
    page.get_by_label("CPD hours").fill("6")
    page.get_by_label("Certificate valid for (months, optional)").fill("12")
    page.get_by_label("Full price per place in pounds").fill("40")
    page.get_by_label("Subsidised price per place in pounds").fill("15")
    page.get_by_role("button", name="Save course").click()

    arrived(page, COURSE)
    expect(flash(page, f"{COURSE} has been saved as a draft.")).to_be_visible()
    page.get_by_role("button", name="Publish course").click()
    expect(flash(page, f"{COURSE} is published.")).to_be_visible()
    expect(page.get_by_role("button", name="Publish course")).to_have_count(0)


def fill_date(page: Page, legend: str, day: str) -> None:
    """Type a date ("2026-11-16") into a GOV.UK date input's day, month and year boxes."""
    group = page.get_by_role("group", name=legend)
    for part, value in zip(("Day", "Month", "Year"), reversed(day.split("-")), strict=True):
        group.get_by_label(part).fill(value)


def fill_time(page: Page, legend: str, clock: str) -> None:
    """Type a time ("09:30") into its hour and minute boxes."""
    group = page.get_by_role("group", name=legend)
    for part, value in zip(("Hour", "Minute"), clock.split(":"), strict=True):
        group.get_by_label(part).fill(value)


def add_session(page: Page) -> None:
    page.get_by_role("link", name="Add a session").click()
    arrived(page, "Add a session")
    fill_date(page, "Date of the session", SESSION_DAY)
    fill_time(page, "Start time", "09:30")
    fill_time(page, "End time", "16:00")
    fill_date(page, "Date booking closes", BOOKING_CLOSES)
    fill_time(page, "Time booking closes", "17:00")
    page.get_by_label("Venue address").fill("Civic Hall\nCalverley Street\nLeeds LS1 1UR")
    page.get_by_label("Places").fill("12")
    page.get_by_role("button", name="Save session").click()
    expect(flash(page, "The session has been added.")).to_be_visible()
    expect(page.get_by_role("cell", name="0 of 12")).to_be_visible()


def mark_attendance(page: Page, email: str, council_name: str) -> None:
    """Signed in again (idle sessions end after 12 hours): the roster, then attended or not for each person."""
    sign_in(page, email)
    page.get_by_role("link", name=f"View {council_name}").click()
    page.get_by_role("link", name="Training courses").click()
    page.get_by_role("link", name=COURSE).click()
    page.get_by_role("link", name=re.compile(r"^Roster for ")).click()
    arrived(page, "Roster")
    roster = page.get_by_role("table", name="People booked")
    for name, email in STAFF:
        expect(roster.get_by_role("row", name=re.compile(name))).to_contain_text(email)
    page.get_by_role("link", name="Mark attendance").click()
    arrived(page, "Mark attendance")
    (attended, _), (no_show, _) = STAFF
    page.get_by_role("group", name=attended).get_by_label("Attended", exact=True).check()
    page.get_by_role("group", name=no_show).get_by_label("Did not attend", exact=True).check()
    page.get_by_role("button", name="Save attendance").click()

    arrived(page, "Roster")
    expect(flash(page, "Attendance has been saved.")).to_be_visible()
    expect(roster.get_by_role("row", name=re.compile(attended))).to_contain_text("Attended")
    expect(roster.get_by_role("row", name=re.compile(no_show))).to_contain_text("Did not attend")


# --- the entrepreneur's side ------------------------------------------------------------------------------------


def find_and_open_session(page: Page) -> None:
    """The public catalogue, filtered by topic and text, then the session."""
    page.goto("/training")
    arrived(page, "Find training")
    page.get_by_label("Search by title or description").fill("first aid at work")
    page.get_by_label("Topic", exact=True).select_option(label="First aid")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("heading", name="1 session found")).to_be_visible()
    page.get_by_role("link", name=re.compile(f"^{COURSE} on ")).click()
    arrived(page, COURSE)
    expect(page.get_by_text("12 of 12")).to_be_visible()


def book_two_staff(page: Page, *, held: bool) -> None:
    """The form (its total follows the people named), then the check page, whose button books; `held`: the page
    says the places are held while paying (card payments), and only then."""
    page.get_by_role("link", name="Book places").click()
    arrived(page, f"Book places on {COURSE}")
    expect(page.get_by_text("£15 per place")).to_be_visible()  # subsidised: the council serves Leeds
    for number, (name, email) in enumerate(STAFF, start=1):
        person = page.get_by_role("group", name=f"Person {number}")
        person.get_by_label("Full name").fill(name)
        person.get_by_label("Email address").fill(email)
    expect(page.get_by_text("Total: £30 for 2 people at £15 each.")).to_be_visible()  # booking-total.js
    page.get_by_role("button", name="Continue").click()

    arrived(page, "Check your answers before booking")
    for name, email in STAFF:
        expect(page.locator(".govuk-summary-list__value", has_text=email)).to_contain_text(name)
    expect(page.get_by_text("£30 for 2 people")).to_be_visible()
    expect(page.get_by_text("We hold your places for 15 minutes while you pay.")).to_have_count(1 if held else 0)
    assert not fresh(Booking), "nothing is booked before confirming"
    page.get_by_role("button", name="Confirm booking").click()


def pay_on_stripe_checkout(page: Page, live_server: str, stripe_server) -> None:
    """The test Stripe server's hosted page; its redirect names the app's public host (SERVER_NAME backstop.test),
    which this browser reaches as the live server, just as emailed links are opened with live_url()."""

    def back_to_live_server(route: Route) -> None:
        paid = route.fetch(max_redirects=0)
        assert paid.status == 303, paid.text()
        route.fulfill(status=303, headers={"Location": live_url(live_server, paid.headers["location"])})

    page.route(re.compile(re.escape(stripe_server.base_url) + r"/checkout/[^/]+/pay$"), back_to_live_server)
    expect(page).to_have_url(re.compile("^" + re.escape(stripe_server.base_url) + "/checkout/cs_test_"))
    expect(page.locator("#amount")).to_have_text("30.00 GBP")
    page.get_by_role("button", name="Pay").click()


def deliver_webhook(live_server: str, stripe_server, event: dict) -> int:
    """POST a signed event to the live server the way Stripe does."""
    payload = json.dumps(event)
    request = urllib.request.Request(
        live_server + "/payments/stripe/webhook",
        data=payload.encode(),
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": stripe_server.sign(payload, STRIPE_WEBHOOK_SECRET),
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def calendar_attachments(message: EmailMessage) -> list:
    return [part for part in message.iter_attachments() if (part.get_filename() or "").endswith(".ics")]


# --- the journey ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payment_mode", ["invoice", "stripe"])
def test_course_to_verified_certificate(new_page, ctx, outbox, clock, live_server, request, payment_mode):
    stripe_server = request.getfixturevalue("stripe_mode") if payment_mode == "stripe" else None
    if stripe_server is not None:
        stripe_server.now = lambda: clock.now().timestamp()  # the fake Stripe keeps the app's (injected) time
    council_owner = factories.user(name="Pat Publisher", role="publisher")
    council = factories.publisher(council_owner, name="Leeds City Council", areas=("Leeds",))
    booker = factories.user(name="Ada Lovelace")
    enterprise = factories.enterprise(booker, name="Ada's Home Care", area_name="Leeds")
    attendee_account = factories.user(name=STAFF[0][0], email=STAFF[0][1])
    db.session.commit()
    council_name, enterprise_id = council.name, enterprise.id
    publisher_email, booker_email, attendee_email = council_owner.email, booker.email, attendee_account.email

    # 1. The publisher creates and publishes a course, then adds a session.
    publisher = new_page()
    sign_in(publisher, publisher_email)
    create_and_publish_course(publisher, council_name)
    add_session(publisher)
    [course] = fresh(Course)
    [session] = fresh(TrainingSession)
    assert (course.title, course.status, course.certificate_validity_months) == (COURSE, "published", 12)
    assert (course.full_price_pence, course.subsidised_price_pence) == (4000, 1500)
    assert (session.capacity, session.starts_at.replace(tzinfo=UTC)) == (12, datetime(2026, 11, 16, 9, 30, tzinfo=UTC))

    # 2. The entrepreneur finds the session, books two named staff and pays.
    page = new_page()
    sign_in(page, booker_email)
    find_and_open_session(page)
    book_two_staff(page, held=payment_mode == "stripe")

    if payment_mode == "invoice":
        arrived(page, f"Booking for {COURSE}")
        booked = re.compile(
            r"Your places are booked\. We have emailed you the confirmation and invoice BSP-\S+ for £30\."
        )
        expect(page.get_by_role("alert", name="Success")).to_contain_text(booked)
        [booking] = fresh(Booking)
        assert (booking.status, booking.seats, booking.price_band) == ("confirmed", 2, "subsidised")
        payment = booking.payment
        assert (payment.provider, payment.status, payment.amount_pence) == ("invoice", "pending", 3000)
        reference = payment.invoice_reference
        page.get_by_role("link", name=f"Invoice {reference}").click()
        arrived(page, f"Invoice {reference}")
        expect(page.locator(".govuk-summary-list").first).to_contain_text(reference)
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download invoice (PDF)").click()
        invoice = download_info.value
        assert invoice.suggested_filename == f"{reference}.pdf"
        assert Path(invoice.path()).read_bytes().startswith(b"%PDF-")
        page.go_back()
    else:
        pay_on_stripe_checkout(page, live_server, stripe_server)
        expect(page).to_have_url(re.compile(r"/training/bookings/\d+/paid$"))
        arrived(page, "Payment received")
        [booking] = fresh(Booking)
        assert (booking.status, booking.payment.provider, booking.payment.status) == ("reserved", "stripe", "pending")
        assert not [m for m in outbox.to(booker_email) if calendar_attachments(m)], "not confirmed before the webhook"
        checkout_id = booking.payment.provider_reference
        assert stripe_server.objects[checkout_id]["status"] == "complete"

        event = stripe_server.event("checkout.session.completed", stripe_server.objects[checkout_id])
        assert deliver_webhook(live_server, stripe_server, event) == 200
        [booking] = fresh(Booking)
        assert (booking.status, booking.payment.status, booking.total_pence) == ("confirmed", "succeeded", 3000)
        assert booking.payment.provider_payment_reference.startswith("pi_")
        page.get_by_role("link", name="View your booking").click()

    arrived(page, f"Booking for {COURSE}")
    expect(page.locator("main .govuk-tag").first).to_have_text("Confirmed")
    people = page.get_by_role("table", name="People on this booking")
    for name, email in STAFF:
        expect(people.get_by_role("row", name=f"{name} {email}")).to_be_visible()
    expect(page.get_by_text("Calverley Street")).to_be_visible()  # the venue, now the places are confirmed

    # The confirmation email carries an .ics event; the booking page's link downloads the same as text/calendar.
    [confirmation] = [m for m in outbox.to(booker_email) if calendar_attachments(m)]
    assert "confirmed" in confirmation["Subject"]
    [ics] = calendar_attachments(confirmation)
    assert ics.get_content_type() == "text/calendar"
    assert f"SUMMARY:{COURSE}" in ics.get_content()
    calendar_link = page.get_by_role("link", name="Download calendar event (.ics)")
    with page.expect_download() as download_info:
        calendar_link.click()
    assert Path(download_info.value.path()).read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
    response = page.request.get(calendar_link.get_attribute("href"))
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    assert "DTSTART:20261116T093000Z" in response.text() and f"SUMMARY:{COURSE}" in response.text()

    # 3. After the session, the publisher marks one attended and one no-show.
    clock.set(AFTER_THE_SESSION)
    mark_attendance(publisher, publisher_email, council_name)
    attendees = {a.name: a.status for a in fresh(Attendee)}
    assert attendees == {STAFF[0][0]: "attended", STAFF[1][0]: "no_show"}
    [record] = fresh(TrainingRecord)
    assert (record.person_name, record.email, record.organisation_id) == (STAFF[0][0], attendee_email, enterprise_id)
    assert (str(record.completed_on), str(record.expires_on)) == ("2026-11-16", "2027-11-16")
    assert fresh(TrainingSession)[0].status == "completed"
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
    number = record.certificate_number

    # The attendee signs in and downloads the certificate.
    attendee = new_page()
    sign_in(attendee, attendee_email)
    attendee.goto("/training/records")
    arrived(attendee, "Your training records")
    with attendee.expect_download() as download_info:
        attendee.get_by_role("link", name=f"Download {number} (PDF)").click()
    certificate = download_info.value
    assert certificate.suggested_filename == f"certificate-{number}.pdf"
    assert Path(certificate.path()).read_bytes().startswith(b"%PDF-")

    # Anyone can check the certificate by its number.
    public = new_page()
    public.goto("/training/certificates/check")
    public.get_by_label("Certificate number").fill(number.lower())
    public.get_by_role("button", name="Check certificate").click()
    expect(public.get_by_role("heading", name=f"Certificate {number} is genuine")).to_be_visible()
    answers = public.locator(".govuk-summary-list")
    for key, value in {"Name": STAFF[0][0], "Course": COURSE, "Validity": "Valid until 16 November 2027"}.items():
        row = answers.locator(".govuk-summary-list__row").filter(
            has=public.locator(".govuk-summary-list__key", has_text=re.compile(f"^\\s*{key}\\s*$"))
        )
        expect(row.locator(".govuk-summary-list__value")).to_have_text(value)
    expect(public.get_by_text(STAFF[0][1])).to_have_count(0)  # nothing beyond name, course, date and validity
