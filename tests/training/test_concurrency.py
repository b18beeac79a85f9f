"""Seats under real concurrency on PostgreSQL: never more than capacity, every loser told it is full."""

import os
import threading

import pytest
from sqlalchemy import func, select

from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.payments.models import Payment
from marketplace.training import booking as bookings
from marketplace.training import waiting
from marketplace.training.booking import Person
from marketplace.training.models import Booking, BookingStatus, TrainingSession, WaitingListEntry, WaitStatus
from tests import factories
from tests.pages import error_summary
from tests.training import booking_flow

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="concurrency is proven on PostgreSQL (make test runs it when TEST_DATABASE_URL is set); SQLite serialises writers",
    ),
]


def run_concurrently(app, jobs):
    """Run each job in its own thread and app context, all released at once; returns their outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def worker(index, job):
        with app.app_context():
            barrier.wait()
            try:
                outcomes[index] = job()
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                outcomes[index] = type(error).__name__
            except Exception as error:  # noqa: BLE001  (reported in the assertion)
                db.session.rollback()
                outcomes[index] = f"ERROR {type(error).__name__}: {error}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _seats(session_id):
    db.session.expire_all()
    taken = db.session.scalar(select(TrainingSession.seats_taken).where(TrainingSession.id == session_id))
    offered = db.session.scalar(
        select(func.coalesce(func.sum(WaitingListEntry.seats), 0)).where(
            WaitingListEntry.session_id == session_id, WaitingListEntry.status == WaitStatus.OFFERED
        )
    )
    return taken, bookings.live_seats(session_id), offered


@pytest.fixture
def full_setup(ctx):
    """A 10-seat session of a Leeds council course and a Leeds enterprise."""
    council = factories.publisher(areas=("Leeds",))
    session = factories.training_session(factories.course(council), capacity=10)
    owner = factories.user()
    enterprise = factories.enterprise(owner, area_name="Leeds")
    db.session.commit()
    return session.id, owner.id, enterprise.id


def _book(session_id, user_id, org_id, email):
    def job():
        from marketplace.accounts.models import User
        from marketplace.organisations.models import Organisation

        session = db.session.get(TrainingSession, session_id)
        booking = bookings.create_booking(
            session, db.session.get(User, user_id), db.session.get(Organisation, org_id), [Person("Someone", email)]
        )
        return booking.status

    return job


def test_fifty_bookings_for_ten_seats(app, full_setup):
    """50 simultaneous single-seat bookings: exactly 10 succeed, 40 are told it is full, nothing else goes wrong."""
    session_id, user_id, org_id = full_setup
    jobs = [_book(session_id, user_id, org_id, f"person{i}@example.com") for i in range(50)]
    outcomes = run_concurrently(app, jobs)
    assert sorted(set(outcomes)) == ["SessionFull", "confirmed"], outcomes
    assert outcomes.count("confirmed") == 10
    assert _seats(session_id) == (10, 10, 0)


def test_same_person_booked_concurrently_once(app, full_setup):
    """20 simultaneous bookings of one email: one place, the rest refused as already booked."""
    session_id, user_id, org_id = full_setup
    outcomes = run_concurrently(app, [_book(session_id, user_id, org_id, "same@example.com") for _ in range(20)])
    assert outcomes.count("confirmed") == 1
    assert sorted(set(outcomes)) == ["AlreadyBooked", "confirmed"], outcomes
    assert _seats(session_id)[0] == 1


def _fill_with_waiting_list(session_id, user_id, org_id):
    from marketplace.accounts.models import User
    from marketplace.organisations.models import Organisation

    session = db.session.get(TrainingSession, session_id)
    user, org = db.session.get(User, user_id), db.session.get(Organisation, org_id)
    held = [bookings.create_booking(session, user, org, [Person("B", f"booked{i}@example.com")]).id for i in range(10)]
    queued = []
    for i in range(10):  # one person may be on a session's waiting list once: ten members of the enterprise queue
        member = factories.user()
        factories.membership(member, org, role="member")
        queued.append(waiting.join_waiting_list(session, member, org, [Person("W", f"waiting{i}@example.com")]).id)
    db.session.commit()
    return held, queued


def _cancel_as_booker(booking_id):
    """The booker cancels the booking (the service checks who is acting)."""
    booking = db.session.get(Booking, booking_id)
    return bookings.cancel_booking(booking, booking.booker)


def test_cancellations_and_acceptances_keep_the_invariant(app, full_setup):
    """10 cancellations and 10 offer acceptances at once: seats taken = live bookings + open offers <= capacity."""
    session_id, user_id, org_id = full_setup
    held, queued = _fill_with_waiting_list(session_id, user_id, org_id)

    def cancel(booking_id):
        return lambda: _cancel_as_booker(booking_id)

    def accept(entry_id):
        def job():
            entry = db.session.get(WaitingListEntry, entry_id)
            return waiting.accept_offer(entry, entry.user).status

        return job

    outcomes = run_concurrently(app, [cancel(b) for b in held] + [accept(e) for e in queued])
    assert not [o for o in outcomes if isinstance(o, str) and o.startswith("ERROR")], outcomes
    taken, live, offered = _seats(session_id)
    assert taken == live + offered <= 10
    assert live + offered == 10, "every freed seat went to the waiting list"


def test_one_offer_accepted_concurrently_books_once(app, full_setup):
    """20 simultaneous acceptances of the same offer create exactly one booking."""
    session_id, user_id, org_id = full_setup
    held, queued = _fill_with_waiting_list(session_id, user_id, org_id)
    _cancel_as_booker(held[0])
    db.session.commit()
    entry_id = queued[0]

    def accept():
        entry = db.session.get(WaitingListEntry, entry_id)
        return waiting.accept_offer(entry, entry.user).status

    outcomes = run_concurrently(app, [accept for _ in range(20)])
    assert outcomes.count("confirmed") == 1 and outcomes.count("DomainError") == 19, outcomes
    assert _seats(session_id) == (10, 10, 0)


def test_one_booking_cancelled_concurrently_once(app, full_setup):
    """20 simultaneous cancellations of one booking release its seat once."""
    session_id, user_id, org_id = full_setup
    held, _ = _fill_with_waiting_list(session_id, user_id, org_id)
    outcomes = run_concurrently(app, [lambda: _cancel_as_booker(held[0])] * 20)
    assert outcomes.count("DomainError") == 19
    statuses = db.session.scalars(select(Booking.status).where(Booking.id == held[0])).all()
    assert statuses == [BookingStatus.CANCELLED]
    assert _seats(session_id) == (10, 9, 1)


@pytest.mark.parametrize("capacity, price", [(25, 0), (5, 4000)], ids=["free-25-places", "invoiced-5-places"])
def test_fifty_enterprises_confirm_one_session_at_once(app, ctx, outbox, capacity, price):
    """50 entrepreneurs of 50 enterprises press 'Confirm booking' on one session at once (the whole request, from
    the check page they were shown): exactly the capacity is booked, each winner is emailed (and invoiced) once after
    the commit, and every other confirm is told the session is full, with the waiting list, and books nothing."""
    council = factories.publisher(areas=("Leeds",))
    course = factories.course(council, full_price_pence=price, subsidised_price_pence=price // 4)
    session_id = factories.training_session(course, capacity=capacity).id
    people = []
    for n in range(50):
        owner = factories.user(name=f"Owner {n}", email=f"owner{n}@example.com")
        people.append((owner.email, factories.enterprise(owner, area_name="Leeds").id))
    db.session.commit()
    pages = []
    for email, org_id in people:
        client = app.test_client()
        assert client.post("/sign-in", data={"email": email, "password": factories.PASSWORD}).status_code == 302
        data = {"booker_for": str(org_id), "rows": "3", "name_1": email.split("@")[0], "email_1": email}
        page = booking_flow.check(client, session_id, data)
        assert booking_flow.is_check_page(page)
        pages.append((client, page))
    barrier = threading.Barrier(len(pages))
    responses = [None] * len(pages)

    def confirm(index, client, page):
        barrier.wait()
        responses[index] = booking_flow.confirm(client, page)

    threads = [threading.Thread(target=confirm, args=(i, *pair)) for i, pair in enumerate(pages)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    booked = [r for r in responses if r.status_code == 302 and "/training/bookings/" in r.headers["Location"]]
    full = [r for r in responses if r.status_code == 200 and "This session is full" in error_summary(r)]
    assert (len(booked), len(full)) == (capacity, 50 - capacity), [r.status_code for r in responses]
    assert _seats(session_id) == (capacity, capacity, 0)
    bookings_made = db.session.scalars(select(Booking).where(Booking.session_id == session_id)).all()
    assert len(bookings_made) == capacity and {b.status for b in bookings_made} == {BookingStatus.CONFIRMED}
    assert db.session.scalar(select(func.count()).select_from(Payment)) == (capacity if price else 0)
    confirmed = [m["To"] for m in outbox.messages() if " is confirmed" in m["Subject"]]
    invoiced = [m["To"] for m in outbox.messages() if m["Subject"].startswith("Invoice ")]
    winners = sorted(b.booker.email for b in bookings_made)
    assert sorted(confirmed) == winners and sorted(invoiced) == (winners if price else [])
