"""Money that reaches people, in Chromium: the council's finance officer sets the payment details; an entrepreneur
books two people, checks the answers and confirms; the invoice says how to pay and by when; finance marks it paid;
the entrepreneur cancels one person's place before the cut-off; finance sees the refund to send and records it
sent; the booker sees it sent. Every page on the way is checked by axe, must not scroll sideways at 390 px, and
is photographed at 1280 and 390 px (test-artifacts/screenshots/money-*.png)."""

import re

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.payments.models import PayeeDetails, Payment, Refund
from marketplace.training.models import Booking

from .. import factories
from .conftest import sign_in
from .test_accessibility import assert_accessible
from .test_screenshots import DESKTOP, PHONE, SHOTS, assert_no_sideways_scroll
from .test_training_journeys import fresh, h1

pytestmark = pytest.mark.browser

COURSE = "Safer moving and handling"
STAFF = [("Ann Attendee", "ann@carers.example"), ("Bob Baker", "bob@carers.example")]


@pytest.fixture
def context_options() -> dict:
    """axe is injected as an inline script, which the app's CSP (rightly) blocks: bypass it in these tests only."""
    return {"bypass_csp": True, "viewport": DESKTOP}


def look(page: Page, name: str) -> None:
    """axe-clean, no sideways scroll at 390 px, and a full-page picture at both widths."""
    assert_accessible(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"money-{name}-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / f"money-{name}-phone.png"), full_page=True)
    page.set_viewport_size(DESKTOP)


@pytest.fixture
def world(ctx, clock):
    """Leeds City Council (its officer, and Fran in finance) without payment details yet; a published course with a
    session in 3 weeks at £15 a place for Leeds; Ada's Home Care in Leeds."""
    officer = factories.user(name="Owen Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",), payment_details=False)
    finance = factories.user(name="Fran Finance", role="publisher")
    factories.membership(finance, council, role=MemberRole.FINANCE)
    course = factories.course(council, title=COURSE, full_price_pence=4000, subsidised_price_pence=1500)
    session = factories.training_session(course, days_ahead=21, capacity=10)
    booker = factories.user(name="Ada Lovelace")
    factories.enterprise(booker, name="Ada's Home Care", area_name="Leeds")
    db.session.commit()
    return {"finance": finance.email, "booker": booker.email, "session": session.id}


def set_payment_details(page: Page) -> None:
    """From the dashboard task to the saved details."""
    page.get_by_role("link", name="Add your payment details so invoices say how to pay").click()
    expect(h1(page)).to_contain_text("Payment details")
    look(page, "payment-details")
    page.get_by_label("Payee name").fill("Leeds City Council")
    page.get_by_label("Sort code").fill("30-94-30")
    page.get_by_label("Account number").fill("1234 5678")
    page.get_by_label("Payment terms, in days").fill("30")
    page.get_by_label("Postal address").fill("Civic Hall\nCalverley Street\nLeeds LS1 1UR")
    page.get_by_role("button", name="Save payment details").click()
    [details] = fresh(PayeeDetails)
    assert (details.sort_code, details.account_number, details.terms_days) == ("309430", "12345678", 30)


def book_two_people(page: Page, session_id: int) -> None:
    """The booking form, the check-your-answers page, then confirm."""
    page.goto(f"/training/sessions/{session_id}")
    page.get_by_role("link", name="Book places").click()
    for number, (name, email) in enumerate(STAFF, start=1):
        person = page.get_by_role("group", name=f"Person {number}")
        person.get_by_label("Full name").fill(name)
        person.get_by_label("Email address").fill(email)
    look(page, "book")
    page.get_by_role("button", name="Continue").click()
    expect(h1(page)).to_have_text("Check your answers before booking")
    expect(page.get_by_text("£30 for 2 people")).to_be_visible()
    expect(page.get_by_text("We hold your places for 15 minutes while you pay.")).to_have_count(0)  # no hold
    look(page, "check-answers")
    page.get_by_role("button", name="Confirm booking").click()
    expect(h1(page)).to_have_text(f"Booking for {COURSE}")


def test_invoice_paid_one_place_cancelled_refund_sent(new_page, world, clock):
    # 1. Finance sets the council's payment details.
    finance = new_page()
    sign_in(finance, world["finance"])
    look(finance, "finance-dashboard-before")
    set_payment_details(finance)

    # 2. The entrepreneur books two people, checking the answers first.
    booker = new_page()
    sign_in(booker, world["booker"])
    book_two_people(booker, world["session"])
    look(booker, "booking-confirmed")
    [payment] = fresh(Payment)
    reference = payment.invoice_reference
    due = payment.due_on
    assert (payment.amount_pence, payment.status, (due - clock.now().date()).days) == (3000, "pending", 30)

    # 3. The invoice says how to pay: bank details, the reference to quote and the due date.
    booker.get_by_role("link", name=f"Invoice {reference}").click()
    expect(h1(booker)).to_have_text(f"Invoice {reference}")
    how = booker.locator(".bs-how-to-pay")
    for words in ("30-94-30", "12345678", reference, f"{due.day} {due:%B %Y}", "£30"):
        expect(how).to_contain_text(words)
    look(booker, "invoice-to-pay")

    # 4. Finance marks it paid.
    finance.goto(f"/payments/invoices/{payment.id}")
    finance.get_by_role("button", name="Mark as paid").click()
    expect(finance.locator("main .govuk-tag").first).to_have_text("Paid")
    assert fresh(Payment)[0].status == "succeeded"

    # 5. The entrepreneur cancels Bob's place only, before the cut-off: £15 is to be refunded by the council.
    [booking] = fresh(Booking)
    booker.goto(f"/training/bookings/{booking.id}")
    booker.get_by_role("link", name=f"Cancel place of {STAFF[1][0]}").click()
    look(booker, "cancel-one-place")
    booker.get_by_role("button", name=re.compile("Cancel")).first.click()
    expect(booker.get_by_text("Leeds City Council will refund £15 to you.").first).to_be_visible()
    [refund] = fresh(Refund)
    assert (refund.amount_pence, refund.status) == (1500, "pending")

    # 6. Finance sees the refund to send on the dashboard and records it sent.
    finance.goto("/dashboard")
    task = f"Send a refund of £15 to Ada's Home Care (invoice {reference})"
    look(finance, "finance-dashboard-refund")
    finance.get_by_role("link", name=task).click()
    expect(h1(finance)).to_have_text(f"Invoice {reference}")
    today = clock.now().date()
    sent = finance.get_by_role("group", name="Date sent")
    for part, value in (("Day", today.day), ("Month", today.month), ("Year", today.year)):
        sent.get_by_label(part).fill(str(value))
    finance.get_by_label("Your reference").fill("BACS 0042")
    look(finance, "record-refund-sent")
    finance.get_by_role("button", name="Record that you sent this refund").click()
    [refund] = fresh(Refund)
    assert (refund.status, refund.sent_reference) == ("succeeded", "BACS 0042")
    finance.goto("/dashboard")
    expect(finance.get_by_role("link", name=task)).to_have_count(0)

    # 7. The booker sees the refund sent.
    booker.reload()
    sent_words = f"Leeds City Council has sent your refund of £15. It was sent on {today.day} {today:%B %Y}."
    expect(booker.locator(".bs-refunds")).to_contain_text(sent_words)
    look(booker, "booking-refund-sent")
