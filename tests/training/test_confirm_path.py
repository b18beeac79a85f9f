"""The confirm request does only the booking: its rows, then the seat change as the last statement before the commit
(so the session row is locked for no longer); every email (the confirmation, the people named, the invoice, the
publisher's notice) is rendered and sent by one queued job after the commit, and a retried job sends nothing twice.
A confirm that finds the last places gone is told at once, on a short page that joins the waiting list."""

import json
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select

from marketplace.core import mail
from marketplace.core import queue as queue_module
from marketplace.extensions import db
from marketplace.payments import invoice_pdf
from marketplace.training.models import Booking, BookingStatus, TrainingSession, WaitingListEntry
from tests import factories
from tests.database import count, fresh, notifications_for
from tests.pages import error_summary, h1, soup
from tests.training import booking_flow

SEAT_CHANGE = "UPDATE training_sessions SET seats_taken"


@pytest.fixture
def world(ctx, clock):
    """Leeds City Council (Olive runs its courses) with a £40 (£10 in Leeds) course and a free one, a 4-place
    session of each; Erin owns Erin Care in Leeds."""
    olive = factories.user(name="Olive Officer", email="olive@example.com", role="publisher")
    council = factories.publisher(olive, name="Leeds City Council", areas=("Leeds",))
    paid = factories.course(council, title="Emergency First Aid")
    free = factories.course(council, title="Dementia friends", full_price_pence=0, subsidised_price_pence=0)
    owner = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(owner, name="Erin Care", area_name="Leeds")
    world = SimpleNamespace(
        olive=olive,
        council=council,
        paid=factories.training_session(paid, capacity=4),
        free=factories.training_session(free, capacity=4),
        owner=owner,
        enterprise=enterprise,
    )
    db.session.commit()
    return world


def _check_page(client, world, session, *people):
    data = {"booker_for": str(world.enterprise.id), "rows": "3"}
    for number, (name, email) in enumerate(people, start=1):
        data[f"name_{number}"], data[f"email_{number}"] = name, email
    page = booking_flow.check(client, session.id, data)
    assert booking_flow.is_check_page(page)
    return page


ERIN, BOB = ("Erin Owner", "erin@example.com"), ("Bob Baker", "bob@example.com")


@pytest.fixture
def held_jobs(monkeypatch):
    """Jobs committed while this is in use are kept here, not run: (task name, JSON arguments)."""
    jobs = []
    monkeypatch.setattr(queue_module, "dispatch", lambda app, committed: jobs.extend(committed))
    return jobs


def _run(app, jobs, monkeypatch) -> None:
    """Run held jobs as the queue would (the jobs they queue in turn run too)."""
    monkeypatch.undo()
    for name, payload in list(jobs):
        queue_module.run_now(app, name, payload)


def test_confirming_renders_and_sends_no_email_in_the_request(client, login_as, world, outbox, monkeypatch):
    """An invoiced booking for Erin and Bob: the request renders no email and no PDF and sends nothing; one job,
    queued after the commit, then emails Erin her confirmation and the invoice, Bob his place and Olive the news."""
    login_as(world.owner)
    page = _check_page(client, world, world.paid, ERIN, BOB)
    rendered = []
    monkeypatch.setattr(mail, "build_message", lambda *args, **kwargs: rendered.append(args))
    monkeypatch.setattr(invoice_pdf, "render", lambda payment: rendered.append("pdf"))
    held = []
    monkeypatch.setattr(queue_module, "dispatch", lambda app, committed: held.extend(committed))
    response = booking_flow.confirm(client, page)
    booking = db.session.scalars(select(Booking)).one()
    assert response.status_code == 302 and booking.status == BookingStatus.CONFIRMED
    assert rendered == [] and outbox.messages() == []
    assert [(name, json.loads(payload)) for name, payload in held] == [
        ("marketplace.training.booking.send_booking_emails", [[booking.id], {"confirmed": True, "invoiced": True}])
    ]
    assert [n.kind for n in notifications_for(world.owner)] == ["booking_confirmed"]  # in-app, with the booking
    _run(client.application, held, monkeypatch)
    subjects = sorted((m["To"], m["Subject"].split(" ")[0]) for m in outbox.messages())
    assert subjects == [("bob@example.com", "You"), ("erin@example.com", "Invoice"),
                        ("erin@example.com", "Your"), ("olive@example.com", "Erin")]  # fmt: skip
    invoice = next(m for m in outbox.to("erin@example.com") if m["Subject"].startswith("Invoice"))
    assert f"/payments/invoices/{booking.payment_id}" in invoice.get_body(preferencelist=("plain",)).get_content()


def test_the_emails_job_run_twice_sends_each_email_once(client, login_as, world, outbox, held_jobs, monkeypatch):
    """A retried job (RQ retries failed jobs) renders again but delivers nothing twice and tells Olive once."""
    login_as(world.owner)
    booking_flow.confirm(client, _check_page(client, world, world.paid, ERIN, BOB))
    assert len(held_jobs) == 1
    _run(client.application, held_jobs * 2, monkeypatch)
    assert len(outbox.messages()) == 4
    assert [n.kind for n in notifications_for(world.olive)] == ["publisher_booking_made"]


@pytest.mark.parametrize("paid", [False, True], ids=["free", "invoiced"])
def test_the_seat_change_is_the_last_statement_before_the_commit(client, login_as, world, held_jobs, paid):
    """Every row of the booking (attendees, payment, audit, notification) is written before the seats are taken,
    so the session row is locked only from the seat change to the commit; nothing locks it FOR UPDATE."""
    session = world.paid if paid else world.free
    login_as(world.owner)
    page = _check_page(client, world, session, ERIN)
    statements = []
    listen = lambda conn, cursor, statement, *rest: statements.append(statement)  # noqa: E731
    commit = lambda conn: statements.append("COMMIT")  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    event.listen(db.engine, "commit", commit)
    try:
        response = booking_flow.confirm(client, page)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
        event.remove(db.engine, "commit", commit)
    assert response.status_code == 302
    changes = [i for i, statement in enumerate(statements) if statement.startswith(SEAT_CHANGE)]
    assert len(changes) == 1 and statements[changes[0] + 1] == "COMMIT", statements[changes[0] :]
    assert not [s for s in statements if "FOR UPDATE" in s]
    writes = [s.split(" (")[0] for s in statements[: changes[0]] if s.startswith(("INSERT", "UPDATE"))]
    assert "INSERT INTO training_attendees" in writes and "INSERT INTO notifications" in writes
    assert ("INSERT INTO payments" in writes) is paid


def _fill(session, places: int) -> None:
    factories.booking(session, factories.user(), people=[(f"P{n}", f"p{n}@example.com") for n in range(places)])
    db.session.commit()


def test_places_gone_at_the_confirm_offer_the_waiting_list_for_the_same_people(client, login_as, world, outbox):
    """Erin checked 2 places; the session filled meanwhile: she is told it is full, nothing is written, and one
    button puts both people on the waiting list."""
    login_as(world.owner)
    page = _check_page(client, world, world.paid, ERIN, BOB)
    _fill(world.paid, 4)
    response = booking_flow.confirm(client, page)
    assert response.status_code == 200 and "This session is full" in error_summary(response)
    assert h1(response) == "Join the waiting list for Emergency First Aid"
    assert count(Booking, Booking.booker_id == world.owner.id) == 0 and outbox.messages() == []
    form = soup(response).select_one("form[action$='/waiting-list']")
    assert form.select_one("button:not([name])").get_text(strip=True) == "Join the waiting list for both people"
    data = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    joined = client.post(form["action"], data=data)
    entry = db.session.scalars(select(WaitingListEntry)).one()
    assert joined.headers["Location"].endswith(f"/training/waiting-list/{entry.id}")
    assert [a["email"] for a in entry.attendees] == ["erin@example.com", "bob@example.com"]


def test_a_confirm_sent_again_after_the_session_filled_finds_the_booking(client, login_as, world):
    """Erin's confirm took the last places; sent again it goes to her booking, not to 'this session is full'."""
    login_as(world.owner)
    _fill(world.paid, 2)
    page = _check_page(client, world, world.paid, ERIN, BOB)
    first = booking_flow.confirm(client, page)
    fresh()
    assert db.session.get(TrainingSession, world.paid.id).seats_left == 0
    second = booking_flow.confirm(client, page)
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    assert count(Booking, Booking.booker_id == world.owner.id) == 1
