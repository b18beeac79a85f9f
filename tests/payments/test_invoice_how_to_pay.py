"""Invoices say how to pay: the due date from the publisher's terms; the invoice page, PDF and email show the
payment details, reference and due date; past the due date an invoice is shown as overdue and becomes a task for
its payer and for the publisher's finance people, until it is paid."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import current_app

from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.payments import payee, services
from marketplace.payments.models import Payment
from marketplace.payments.tasks import overdue_tasks
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from tests import factories
from tests.database import fresh
from tests.pages import soup, text
from tests.queries import counted_queries

VAT = "No VAT is charged: the council is not VAT registered for this service."


def pdf_text(data: bytes) -> str:
    """The text drawn on the invoice PDF (written uncompressed: each line is a `(...) Tj` string)."""
    drawn = re.findall(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", data)
    return " ".join(re.sub(rb"\\(.)", rb"\1", line).decode("latin-1") for line in drawn)


@pytest.fixture
def world(ctx, clock):
    """Leeds council (14 days' terms, bank details and a link) invoices Erin Care £20 for two places."""
    officer = factories.user(name="Owen Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", payment_details=False)
    factories.payee_details(
        council,
        payee_name="Leeds City Council Receipts",
        sort_code="309430",
        account_number="00123456",
        payment_link="https://pay.leeds.example/invoices",
        terms_days=14,
        vat_wording=VAT,
        address="Civic Hall\nCalverley Street\nLeeds LS1 1UR",
    )
    finance = factories.user(name="Fran Finance")
    factories.membership(finance, council, role=MemberRole.FINANCE)
    clerk = factories.user(name="Cleo Clerk")
    factories.membership(clerk, council, role=MemberRole.MEMBER)
    session = factories.training_session(factories.course(council, title="Safe lifting"), days_ahead=40, capacity=20)
    owner = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(owner, name="Erin Care")
    member = factories.user(name="Max Member")
    factories.membership(member, enterprise, role=MemberRole.MEMBER)
    other = factories.user(name="Oscar Other")
    factories.enterprise(other)
    booking = bookings.create_booking(
        session, owner, enterprise, [Person("Ann", "ann@example.com"), Person("Bob", "bob@example.com")]
    )
    db.session.commit()
    return SimpleNamespace(
        officer=officer, council=council, finance=finance, clerk=clerk, owner=owner, member=member, other=other,
        session=session, booking=booking, payment=booking.payment,
    )  # fmt: skip


def invoice(world) -> str:
    return f"/payments/invoices/{world.payment.id}"


# --- the due date -------------------------------------------------------------------------------------------------


def test_an_invoice_is_due_the_publishers_terms_after_it_is_issued(world):
    """Issued today (2 November) on 14 days' terms: due by 16 November."""
    assert world.payment.due_on == today() + timedelta(days=14)
    assert str(world.payment.due_on) == "2026-11-16"


def test_without_payment_details_an_invoice_is_due_in_30_days_and_says_whom_to_contact(client, login_as, ctx, clock):
    """A publisher that has not said its terms: 30 days, and the invoice asks the payer to contact it."""
    council = factories.publisher(name="Cornwall Council", payment_details=False)
    owner = factories.user()
    enterprise = factories.enterprise(owner)
    session = factories.training_session(factories.course(council))
    booking = bookings.create_booking(session, owner, enterprise, [Person("Ann", "ann@example.com")])
    db.session.commit()
    assert booking.payment.due_on == today() + timedelta(days=30)
    login_as(owner)
    page = text(client.get(f"/payments/invoices/{booking.payment.id}"))
    assert "Contact Cornwall Council for how to pay." in page
    assert f"Quote the reference {booking.payment.invoice_reference} when you pay." in page
    assert "Due by 2 December 2026" in page and "Sort code" not in page


def test_changing_the_terms_later_does_not_move_an_issued_invoice(world):
    """The due date is fixed when the invoice is issued."""
    details = payee.details_for(world.council)
    details.terms_days = 60
    db.session.commit()
    fresh()
    assert db.session.get(Payment, world.payment.id).due_on == today() + timedelta(days=14)


# --- what the invoice says ----------------------------------------------------------------------------------------


HOW_TO_PAY = [
    "Payee name Leeds City Council Receipts",
    "Sort code 30-94-30",
    "Account number 00123456",
    "Pay online https://pay.leeds.example/invoices",
    "Due by 16 November 2026",
    "Amount to pay £20",
]


def test_the_invoice_page_says_how_to_pay_and_by_when(client, login_as, world):
    """Awaiting payment: the how-to-pay box with the payee's details, the reference to quote and the due date,
    then the invoice date, payment terms, VAT wording and address."""
    login_as(world.member)
    response = client.get(invoice(world))
    page = text(response)
    reference = world.payment.invoice_reference
    assert "How to pay" in page
    for line in HOW_TO_PAY:
        assert line in page, line
    assert f"Reference to quote {reference}" in page and f"Quote the reference {reference} when you pay." in page
    assert "Invoice date 2 November 2026" in page
    assert "Payment terms: 14 days." in page and VAT in page
    assert "Civic Hall Calverley Street Leeds LS1 1UR" in page
    link = soup(response).select_one(".bs-how-to-pay a")
    assert link["href"] == "https://pay.leeds.example/invoices"
    assert soup(response).select_one("main .govuk-summary-list .govuk-tag").get_text(strip=True) == "Awaiting payment"


def test_the_invoice_pdf_says_how_to_pay_and_by_when(client, login_as, world):
    login_as(world.owner)
    drawn = pdf_text(client.get(f"{invoice(world)}/invoice.pdf").data)
    reference = world.payment.invoice_reference
    for line in ("Payee name: Leeds City Council Receipts", "Sort code: 30-94-30", "Account number: 00123456"):
        assert line in drawn, line
    assert "Pay online: https://pay.leeds.example/invoices" in drawn
    assert f"Reference to quote: {reference}" in drawn and "Due by: 16 November 2026" in drawn
    assert "Invoice date: 2 November 2026" in drawn and "Payment terms: 14 days." in drawn
    assert VAT in drawn and "Calverley Street" in drawn and "Status: Awaiting payment" in drawn


def test_the_invoice_email_says_how_to_pay_and_by_when(world, outbox):
    """The booker's invoice email carries the same details as the page."""
    (message,) = [m for m in outbox.to("erin@example.com") if m["Subject"].startswith("Invoice")]
    body = message.get_body(preferencelist=("plain",)).get_content()
    for line in ("Payee name: Leeds City Council Receipts", "Sort code: 30-94-30", "Account number: 00123456"):
        assert line in body, line
    assert "Pay online: https://pay.leeds.example/invoices" in body
    assert f"Reference to quote: {world.payment.invoice_reference}" in body
    assert "Due by: 16 November 2026" in body and "Invoice date: 2 November 2026" in body
    assert "Payment terms: 14 days." in body and VAT in body and "Leeds LS1 1UR" in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "30-94-30" in html and "16 November 2026" in html and 'href="https://pay.leeds.example/invoices"' in html


def test_a_paid_invoice_says_when_it_was_paid_not_how_to_pay(client, login_as, world, clock):
    """Once marked paid: paid on that date; no how-to-pay box (in the page or the PDF), even past the due date."""
    clock.advance(days=3)
    services.mark_invoice_paid(world.payment, world.finance)
    db.session.commit()
    clock.advance(days=30)
    login_as(world.owner)
    page = text(client.get(invoice(world)))
    assert "This invoice was paid on 5 November 2026." in page
    assert "How to pay" not in page and "Sort code" not in page and "Overdue" not in page
    drawn = pdf_text(client.get(f"{invoice(world)}/invoice.pdf").data)
    assert "Paid on: 5 November 2026" in drawn and "How to pay" not in drawn and "Status: Paid" in drawn


# --- overdue ------------------------------------------------------------------------------------------------------


def _task_links(client) -> dict[str, str]:
    links = soup(client.get("/dashboard")).select(".govuk-task-list__link")
    return {" ".join(a.get_text(" ").split()): a["href"] for a in links}


def _tasks(client) -> list[str]:
    return list(_task_links(client))


def test_an_invoice_is_overdue_only_after_its_due_date(world, clock):
    """Due by 16 November: still awaiting payment all that day (UK time), overdue from the next."""
    clock.set(clock.now().replace(month=11, day=16, hour=23, minute=30))  # 11:30pm in London, still the 16th
    assert not world.payment.is_overdue and world.payment.status_label == "Awaiting payment"
    clock.advance(hours=1)
    assert world.payment.is_overdue and world.payment.status_label == "Overdue"
    assert world.payment.status == "pending"  # shown, not stored: the invoice can still be marked paid


def test_an_overdue_invoice_is_tagged_overdue_on_its_page_and_in_the_lists(client, login_as, world, clock):
    clock.advance(days=15)
    login_as(world.officer)
    response = client.get(invoice(world))
    tag = soup(response).select_one("main .govuk-summary-list .govuk-tag")
    assert tag.get_text(strip=True) == "Overdue" and "govuk-tag--red" in tag["class"]
    assert "This invoice is overdue: payment was due by 16 November 2026." in text(response)
    assert "How to pay" in text(response)
    listing = client.get(f"/payments/organisations/{world.council.id}/invoices")
    row = soup(listing).find("a", string=world.payment.invoice_reference).find_parent("tr")
    assert "Overdue" in row.get_text() and "16 November 2026" in row.get_text()
    overdue_only = text(client.get(f"/payments/organisations/{world.council.id}/invoices?status=overdue"))
    assert world.payment.invoice_reference in overdue_only
    client.post("/sign-out")
    login_as(world.owner)
    listing = client.get(f"/payments/organisations/{world.booking.organisation_id}/invoices?status=overdue")
    assert world.payment.invoice_reference in text(listing)


def test_the_overdue_filter_leaves_out_invoices_not_yet_due(client, login_as, world):
    login_as(world.officer)
    overdue_only = text(client.get(f"/payments/organisations/{world.council.id}/invoices?status=overdue"))
    assert world.payment.invoice_reference not in overdue_only


def test_an_overdue_invoice_is_a_task_for_the_payer_and_the_publishers_finance_people(client, login_as, world, clock):
    """Before the due date nobody has a task; after it the payer's members are asked to pay and the council's owner
    and finance person to chase; the council's plain member and other organisations are not."""
    reference = world.payment.invoice_reference
    pay = f"Pay invoice {reference} (£20, due 16 November)"
    chase = f"Invoice {reference} to Erin Care is overdue"
    login_as(world.owner)
    assert pay not in _tasks(client)
    client.post("/sign-out")
    clock.advance(days=15)
    expected = {"owner": pay, "member": pay, "officer": chase, "finance": chase}
    for who in ("owner", "member", "officer", "finance", "clerk", "other"):
        login_as(getattr(world, who))
        tasks = _tasks(client)
        mine = [task for task in tasks if reference in task]
        assert mine == ([expected[who]] if who in expected else []), who
        client.post("/sign-out")
    login_as(world.owner)
    assert _task_links(client)[pay] == invoice(world)


def test_the_payer_task_shows_what_is_still_owed(world, clock):
    """After a credit of £10 the task asks for the £10 left."""
    services.refund(world.payment, 1000, "One place given back")
    db.session.commit()
    clock.advance(days=15)
    with world_request():
        (task,) = overdue_tasks(world.owner)
    assert task.text == f"Pay invoice {world.payment.invoice_reference} (£10, due 16 November)"


def test_paying_an_overdue_invoice_ends_the_tasks(client, login_as, world, clock):
    clock.advance(days=20)
    services.mark_invoice_paid(world.payment, world.finance)
    db.session.commit()
    for who in ("owner", "finance"):
        login_as(getattr(world, who))
        assert not [task for task in _tasks(client) if world.payment.invoice_reference in task]
        client.post("/sign-out")


def test_a_cancelled_invoice_is_never_overdue(world, clock):
    """Credited in full (the booking cancelled in time): nothing is owed, so nothing is late."""
    bookings.cancel_booking(world.booking, world.owner)
    db.session.commit()
    clock.advance(days=30)
    fresh()
    payment = db.session.get(Payment, world.payment.id)
    assert payment.status == "cancelled" and not payment.is_overdue
    with world_request():
        assert overdue_tasks(world.owner) == [] and overdue_tasks(world.officer) == []


def world_request():
    """A request context, for url_for in task links outside a page."""
    return current_app.test_request_context()


def test_overdue_tasks_cost_the_same_queries_for_two_invoices_as_for_twelve(world, clock):
    """One query per list (and its name look-ups), not one per invoice."""

    people = iter(range(100))

    def add_invoices(how_many: int) -> None:
        for _ in range(how_many):
            email = f"cy{next(people)}@example.com"
            booking = bookings.create_booking(
                world.session, world.owner, world.booking.organisation, [Person("Cy", email)]
            )
            assert booking.payment.due_on is not None
        db.session.commit()

    def queries(user) -> tuple[int, int]:
        db.session.expire_all()
        with world_request(), counted_queries() as statements:
            tasks = overdue_tasks(user)
        return len(statements), len(tasks)

    add_invoices(1)
    clock.advance(days=15)
    few = {who: queries(getattr(world, who)) for who in ("owner", "finance")}
    clock.advance(days=-15)
    add_invoices(10)
    clock.advance(days=15)
    many = {who: queries(getattr(world, who)) for who in ("owner", "finance")}
    assert {who: count for who, (count, _) in few.items()} == {who: count for who, (count, _) in many.items()}
    assert [tasks for _, tasks in few.values()] == [2, 2] and [tasks for _, tasks in many.values()] == [12, 12]


def test_overdue_tasks_carry_a_red_overdue_tag_not_to_do(client, login_as, world, clock):
    """On the dashboard an overdue invoice stands out: its task's tag says Overdue, in red (others say To do)."""
    from tests.pages import soup

    clock.advance(days=15)
    login_as(world.owner)
    page = soup(client.get("/dashboard"))
    reference = world.payment.invoice_reference
    [item] = [li for li in page.select(".govuk-task-list__item") if reference in li.get_text()]
    tag = item.select_one(".govuk-tag")
    assert tag.get_text(strip=True) == "Overdue" and "govuk-tag--red" in tag["class"]
