"""The paid path reads and locks each row once: the booking, its session and the payment.

Marking an invoice paid used to look the booking up three times and lock its session twice (the purpose's lock
step, then record_success's, then the paid hook's), and re-read the payment after its status changed. Now the
lock step finds the booking and locks its session once and the payments service hands the booking on.
"""

import os
import re
from collections import Counter

import pytest

from marketplace.extensions import db
from marketplace.payments import services as payments
from marketplace.payments.models import RefundStatus
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from marketplace.training.models import BookingStatus
from tests import factories
from tests.queries import counted_queries

POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
ROW_READ = re.compile(r"^\s*SELECT (training_bookings|training_sessions|payments)\.id\b")


def rows_read(statements: list[str]) -> Counter:
    """How many statements read whole rows of the booking, session and payment tables."""
    return Counter(match.group(1) for match in map(ROW_READ.match, statements) if match)


def locks(statements: list[str]) -> Counter:
    """How many SELECT ... FOR UPDATE statements lock each table (PostgreSQL renders them; SQLite does not)."""
    return Counter(
        match.group(1) for statement in statements if "FOR UPDATE" in statement and (match := ROW_READ.match(statement))
    )


def _booking(*, people: int = 2):
    """A paid booking by an enterprise on a council's course, made through the configured provider."""
    council = factories.publisher(areas=("Leeds",))
    session = factories.training_session(factories.course(council), capacity=4)
    owner = factories.user()
    names = [Person(f"Person {n}", f"person{n}@example.com") for n in range(people)]
    booking = bookings.create_booking(session, owner, factories.enterprise(owner, area_name="Leeds"), names)
    db.session.commit()
    db.session.expire_all()
    return booking, council.memberships[0].user


def _assert_each_row_once(statements: list[str]) -> None:
    assert rows_read(statements) == {"training_bookings": 1, "training_sessions": 1, "payments": 1}, statements
    if POSTGRES:
        assert locks(statements) == {"training_sessions": 1, "payments": 1}, statements


def test_marking_an_invoice_paid_reads_and_locks_each_row_once(ctx):
    """One look-up of the booking, one lock of its session, one lock of the payment."""
    booking, officer = _booking()
    payment = booking.payment
    with counted_queries() as statements:
        payments.mark_invoice_paid(payment, officer)
        db.session.flush()
    assert payment.status == "succeeded"
    _assert_each_row_once(statements)


def test_a_card_payment_arriving_reads_and_locks_each_row_once(ctx, stripe_mode):
    """The webhook's record_success confirms the reserved booking, still with each row read and locked once."""
    booking, _ = _booking()
    payment = booking.payment
    with counted_queries() as statements:
        assert payments.record_success(payment, provider_payment_reference="pi_test")
        db.session.flush()
    db.session.refresh(booking)
    assert booking.status == BookingStatus.CONFIRMED
    _assert_each_row_once(statements)


@pytest.mark.parametrize("twice", [False, True])
def test_money_arriving_again_changes_nothing(ctx, stripe_mode, twice):
    """A second success for a paid payment (or one refunded since) is not a new payment."""
    booking, _ = _booking(people=1)
    payment = booking.payment
    assert payments.record_success(payment)
    if twice:
        payments.record_provider_refund(
            payment, provider_reference="re_all", amount_pence=payment.amount_pence, status=RefundStatus.SUCCEEDED
        )  # refunded → succeeded is legal (a refund that failed), so only the paid check stops it
    before = payment.status
    assert not payments.record_success(payment)
    assert payment.status == before
