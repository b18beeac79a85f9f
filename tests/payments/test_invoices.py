"""Invoice pages: who may see them, what they say, the PDF, the publisher's list and marking them paid."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.organisations import permissions
from marketplace.organisations.models import MemberRole
from marketplace.payments.models import Payment
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from tests import factories
from tests.database import fresh
from tests.pages import error_summary, h1, soup, text


@pytest.fixture
def world(ctx, clock):
    """An invoiced booking of 2 places (£10 each) by enterprise A from Leeds council; everyone around it."""
    officer = factories.user(name="Owen Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    finance = factories.user(name="Fran Finance")
    factories.membership(finance, council, role=MemberRole.FINANCE)
    clerk = factories.user(name="Cleo Clerk")
    factories.membership(clerk, council, role=MemberRole.MEMBER)
    session = factories.training_session(factories.course(council, title="Safe lifting"))
    owner = factories.user(name="Erin Owner")
    enterprise = factories.enterprise(owner, name="Erin Care")
    member = factories.user(name="Max Member")
    factories.membership(member, enterprise, role=MemberRole.MEMBER)
    other = factories.user(name="Oscar Other")
    factories.enterprise(other)
    relief = factories.relief_worker().user
    booking = bookings.create_booking(
        session, owner, enterprise, [Person("Ann", "ann@example.com"), Person("Bob", "bob@example.com")]
    )
    db.session.commit()
    return SimpleNamespace(
        officer=officer, council=council, finance=finance, clerk=clerk, owner=owner, member=member,
        other=other, relief=relief, booking=booking, payment=booking.payment,
    )  # fmt: skip


def url(world, suffix: str = "") -> str:
    return f"/payments/invoices/{world.payment.id}{suffix}"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("owner", 200),
        ("member", 200),
        ("officer", 200),
        ("finance", 200),
        ("clerk", 200),
        ("other", 404),
        ("relief", 404),
    ],
)
def test_invoice_is_for_the_payer_and_the_payee_only(client, login_as, world, who, status):
    """The paying enterprise's and the publisher's members see it; another organisation's invoice id is 404."""
    login_as(getattr(world, who))
    assert client.get(url(world)).status_code == status
    assert client.get(url(world, "/invoice.pdf")).status_code == status


def test_invoice_for_a_relief_worker_is_theirs(client, login_as, world):
    """With no payer organisation, the paying person sees it."""
    session = world.booking.session
    booking = bookings.create_booking(session, world.relief, None, [Person("Rita", world.relief.email)])
    db.session.commit()
    login_as(world.relief)
    assert client.get(f"/payments/invoices/{booking.payment.id}").status_code == 200


def test_signed_out_people_are_sent_to_sign_in(client, world):
    """No invoice without signing in."""
    assert "/sign-in" in client.get(url(world)).headers["Location"]


def test_invoice_page_shows_reference_parties_lines_credits_and_owed(client, login_as, world):
    """After a part-credit the page lists the line, the credit and what is still owed."""
    from marketplace.payments import services

    services.refund(world.payment, 500, "One place given back")
    db.session.commit()
    login_as(world.owner)
    response = client.get(url(world))
    page = text(response)
    reference = world.payment.invoice_reference
    assert h1(response) == f"Invoice {reference}"
    assert "From Leeds City Council" in page and "To Erin Care" in page and "Status Awaiting payment" in page
    assert "Safe lifting, 2 places £20" in page
    assert "One place given back -£5" in page
    assert soup(response).select_one(".bs-owed").get_text(strip=True) == "£15"


def test_invoice_pdf_has_the_reference(client, login_as, world):
    """A PDF download carrying the invoice reference and the amount owed."""
    login_as(world.owner)
    response = client.get(url(world, "/invoice.pdf"))
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{world.payment.invoice_reference}.pdf"'
    assert response.data.startswith(b"%PDF")
    assert world.payment.invoice_reference.encode() in response.data
    assert b"Amount owed" in response.data and b"\xa320" in response.data  # £20 in the PDF's Latin-1 font


def test_publishers_list_of_invoices_filters_by_status(client, login_as, world):
    """The council's list shows its invoices; 'Paid' shows only paid ones."""
    paid = factories.payment(payee_organisation=world.council, status="succeeded")
    db.session.commit()
    login_as(world.officer)
    every = client.get(f"/payments/organisations/{world.council.id}/invoices")
    assert h1(every) == "Invoices raised by Leeds City Council"
    assert world.payment.invoice_reference in text(every) and paid.invoice_reference in text(every)
    only_paid = text(client.get(f"/payments/organisations/{world.council.id}/invoices?status=succeeded"))
    assert paid.invoice_reference in only_paid and world.payment.invoice_reference not in only_paid


def test_invoice_list_of_another_organisation_is_404(client, login_as, world):
    """Only members see an organisation's invoices."""
    login_as(world.other)
    assert client.get(f"/payments/organisations/{world.council.id}/invoices").status_code == 404


def test_finance_member_marks_an_invoice_paid(client, login_as, world):
    """A finance-role member records the payment: the payment succeeds, is audited, and owes nothing."""
    login_as(world.finance)
    assert "Mark as paid" in text(client.get(url(world)))
    response = client.post(url(world, "/mark-paid"))
    assert f"Invoice {world.payment.invoice_reference} is marked as paid." in text(
        client.get(response.headers["Location"])
    )
    fresh()
    payment = db.session.get(Payment, world.payment.id)
    assert payment.status == "succeeded" and payment.paid_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "payment.succeeded")).one()
    assert event.actor_id == world.finance.id


@pytest.mark.parametrize("who", ["clerk", "owner"])
def test_others_who_can_see_the_invoice_cannot_mark_it_paid(client, login_as, world, who):
    """A plain member of the council, or the paying enterprise's owner: 403 and nothing changes."""
    login_as(getattr(world, who))
    assert "Mark as paid" not in text(client.get(url(world)))
    assert client.post(url(world, "/mark-paid")).status_code == 403
    fresh()
    assert db.session.get(Payment, world.payment.id).status == "pending"


def test_marking_paid_twice_says_it_is_not_awaiting_payment(client, login_as, world):
    """A second click gets a plain error, not a second payment."""
    login_as(world.officer)
    client.post(url(world, "/mark-paid"))
    response = client.post(url(world, "/mark-paid"))
    message = f"Invoice {world.payment.invoice_reference} has already been paid, so it cannot be marked paid"
    assert message in error_summary(client.get(response.headers["Location"]))


def test_paying_an_invoice_after_a_late_cancellation_is_not_refunded(client, login_as, world, clock):
    """Cancelled after the cut-off, the invoice is still owed; paying it keeps the money (no automatic refund)."""
    clock.set(world.booking.session.starts_at - timedelta(days=2))
    bookings.cancel_booking(world.booking, world.owner)
    db.session.commit()
    login_as(world.finance)
    client.post(url(world, "/mark-paid"))
    fresh()
    payment = db.session.get(Payment, world.payment.id)
    assert payment.status == "succeeded" and payment.refunded_pence == 0 and payment.refunds == []


def test_finance_role_can_be_given_by_invitation(client, login_as, world):
    """The invitation form offers the finance role, described in plain words."""
    login_as(world.officer)
    page = text(client.get(f"/organisations/{world.council.id}/invite"))
    assert "Finance: marks invoices paid" in page


def test_can_manage_payments(world):
    """Owners and finance people of the organisation; not plain members, not other organisations."""
    council = world.council
    assert permissions.is_finance(world.officer, council)
    assert permissions.is_finance(world.finance, council)
    assert not permissions.is_finance(world.clerk, council)
    assert not permissions.is_finance(world.owner, council)
