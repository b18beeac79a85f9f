"""A refund owed on a paid invoice waits until the payee's finance people record that they sent the money."""

from types import SimpleNamespace

import pytest

from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.payments import services
from marketplace.payments.models import Payment, Refund
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from tests import factories
from tests.database import audit_events, fresh, notifications_for
from tests.pages import text


@pytest.fixture
def world(ctx, clock):
    """An invoiced booking of 2 places (£10 each) by Erin Care from Leeds City Council, and the council's people."""
    officer = factories.user(name="Owen Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    finance = factories.user(name="Fran Finance")
    factories.membership(finance, council, role=MemberRole.FINANCE)
    clerk = factories.user(name="Cleo Clerk")
    factories.membership(clerk, council, role=MemberRole.MEMBER)
    session = factories.training_session(factories.course(council, title="Safe lifting"))
    owner = factories.user(name="Erin Owner")
    enterprise = factories.enterprise(owner, name="Erin Care")
    booking = bookings.create_booking(
        session, owner, enterprise, [Person("Ann", "ann@example.com"), Person("Bob", "bob@example.com")]
    )
    db.session.commit()
    return SimpleNamespace(
        officer=officer, council=council, finance=finance, clerk=clerk, owner=owner, booking=booking,
        payment=booking.payment,
    )  # fmt: skip


def _pay(world) -> None:
    services.mark_invoice_paid(world.payment, world.finance)
    db.session.commit()


def _cancel(client, login_as, world) -> str:
    """The booker cancels before the cut-off; the page they land on."""
    login_as(world.owner)
    response = client.post(f"/training/bookings/{world.booking.id}/cancel", follow_redirects=True)
    client.post("/sign-out")
    return text(response)


def _invoice(world) -> str:
    return f"/payments/invoices/{world.payment.id}"


def _refund() -> Refund:
    fresh()
    return db.session.scalars(db.select(Refund)).one()


def _record(client, world, refund_id, clock, reference="BACS 1234"):
    today = clock.now().date()
    data = {"refund_id": refund_id, "day": today.day, "month": today.month, "year": today.year}
    return client.post(_invoice(world) + "/refund-sent", data={**data, "reference": reference})


def test_a_refund_on_a_paid_invoice_waits_for_finance(client, login_as, world):
    """Pending, still counted; finance are told and have the task; the booker reads that the council will refund."""
    _pay(world)
    page = _cancel(client, login_as, world)
    assert "Leeds City Council will refund £20 to you." in page
    assert "We have refunded" not in page
    refund = _refund()
    assert refund.status == "pending" and refund.sent_on is None
    assert db.session.get(Payment, world.payment.id).refunded_pence == 2000
    reference = world.payment.invoice_reference
    task = f"Send a refund of £20 to Erin Care (invoice {reference})"
    for person in (world.finance, world.officer):
        assert [note.title for note in notifications_for(person, "refund_to_send")] == [task]
    assert notifications_for(world.clerk, "refund_to_send") == []
    login_as(world.finance)
    assert task in text(client.get("/dashboard"))
    invoice = text(client.get(_invoice(world)))
    assert "To be sent" in invoice and "Record that you sent this refund" in invoice


def test_finance_records_the_refund_sent(client, login_as, world, clock):
    """Recorded with a date and reference: succeeded, audited, the booker told, the task gone."""
    _pay(world)
    _cancel(client, login_as, world)
    refund = _refund()
    login_as(world.finance)
    response = _record(client, world, refund.id, clock)
    assert response.status_code == 302
    refund = _refund()
    assert refund.status == "succeeded"
    assert (refund.sent_on, refund.sent_reference) == (clock.now().date(), "BACS 1234")
    assert [event.actor_id for event in audit_events("payment.refund_sent")] == [world.finance.id]
    titles = [note.title for note in notifications_for(world.owner, "refund_sent")]
    assert titles == ["Leeds City Council has sent your refund of £20."]
    assert "Send a refund" not in text(client.get("/dashboard"))
    invoice = text(client.get(_invoice(world)))
    assert "Record that you sent this refund" not in invoice and "BACS 1234" in invoice
    assert services.reconciliation_problems() == []


@pytest.mark.parametrize("who", ["clerk", "owner"])
def test_others_cannot_record_a_refund_sent(client, login_as, world, clock, who):
    """A plain council member, or the booker: refused, and the refund still waits."""
    _pay(world)
    _cancel(client, login_as, world)
    refund = _refund()
    login_as(getattr(world, who))
    assert "Record that you sent this refund" not in text(client.get(_invoice(world)))
    assert _record(client, world, refund.id, clock).status_code in (403, 404)
    assert _refund().status == "pending"


def test_an_unpaid_invoice_is_credited_at_once(client, login_as, world):
    """Never paid: the amount comes off the invoice, nobody has anything to send."""
    page = _cancel(client, login_as, world)
    assert f"We have taken £20 off invoice {world.payment.invoice_reference}." in page
    assert _refund().status == "succeeded"
    assert notifications_for(world.finance, "refund_to_send") == []


def test_reconcile_counts_refunds_waiting_to_be_sent(app, client, login_as, world):
    """`flask reconcile` says how many refunds wait to be sent, and still reconciles."""
    _pay(world)
    _cancel(client, login_as, world)
    result = app.test_cli_runner().invoke(args=["reconcile"])
    assert result.exit_code == 0, result.output
    assert "1 refund waiting to be sent." in result.output


def test_the_booker_notification_says_the_council_will_refund(world):
    """The cancellation notice words the refund as the provider does: not "We have refunded" before it is sent."""
    _pay(world)
    bookings.cancel_booking(world.booking, world.owner)
    db.session.commit()
    (note,) = notifications_for(world.owner, "booking_cancelled")
    assert "Leeds City Council will refund £20 to you." in note.body and "We have refunded" not in note.body


def test_the_booking_page_tells_the_booker_where_their_refund_is(client, login_as, world, clock):
    """Until finance record it sent: 'will refund'; after: sent, with the date (the booker's own page)."""
    _pay(world)
    _cancel(client, login_as, world)
    login_as(world.owner)
    before = text(client.get(f"/training/bookings/{world.booking.id}"))
    assert "Leeds City Council will refund £20 to you." in before
    client.post("/sign-out")
    login_as(world.finance)
    _record(client, world, _refund().id, clock)
    client.post("/sign-out")
    login_as(world.owner)
    after = text(client.get(f"/training/bookings/{world.booking.id}"))
    today = clock.now()
    assert f"Leeds City Council has sent your refund of £20. It was sent on {today.day} {today:%B %Y}." in after
    assert "will refund" not in after


def test_the_invoice_says_paid_refund_due_until_the_refund_is_sent(client, login_as, world, clock):
    """Not "Refunded" while the money is still to go back: "Paid, refund due", then the usual words once sent."""
    _pay(world)
    _cancel(client, login_as, world)
    fresh()
    assert db.session.get(Payment, world.payment.id).status_label == "Paid, refund due"
    login_as(world.finance)
    assert "Paid, refund due" in text(client.get(_invoice(world)))
    _record(client, world, _refund().id, clock)
    fresh()
    assert db.session.get(Payment, world.payment.id).status_label == "Refunded"
