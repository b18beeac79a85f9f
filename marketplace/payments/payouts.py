"""Payouts: money an organisation owes a person (a relief worker), sent by transfer or paid through its payroll.

Nothing here knows which provider a payout uses: `pays_out_by_transfer` says whether a job sends it to the
person's connected account (connect.py), or whether it waits on the payer's payroll list until a finance person
marks it paid. Every status change goes through core/states.change(); callers commit, except the queued job.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.queue import enqueue
from ..core.spreadsheets import csv_text
from ..core.states import change
from ..extensions import db
from .models import PAYOUT_STATES, ConnectedAccount, Payout, PayoutStatus
from .permissions import require
from .providers import ProviderRefused, get_provider, payroll_provider_names

log = logging.getLogger(__name__)

UNPAID = (PayoutStatus.PENDING, PayoutStatus.WAITING_FOR_ACCOUNT)


def provider_of(payout: Payout):
    """The provider this payout is made through."""
    return get_provider(payout.provider)


def create_payout(*, purpose: str, amount_pence: int, payee_user, payer_organisation, description: str, key: str):
    """A pending payout (idempotent by key: the same key returns the row already made, whatever else is passed).

    When the provider pays by transfer, a job sends it once this transaction commits."""
    existing = _payout_with_key(key)
    if existing is not None:
        return existing
    if not isinstance(amount_pence, int) or amount_pence <= 0:
        raise DomainError("A payout must be a whole number of pence above nothing")
    provider = get_provider()
    payout = Payout(
        purpose=purpose,
        amount_pence=amount_pence,
        payee_user_id=payee_user.id,
        payer_organisation_id=payer_organisation.id,
        description=description[:300],
        provider=provider.name,
        idempotency_key=key,
        created_at=utcnow(),
    )
    try:
        with db.session.begin_nested():  # a concurrent caller with the same key inserts first: take theirs
            db.session.add(payout)
    except IntegrityError:
        return _payout_with_key(key)
    audit.record("payout.created", obj=payout, organisation=payer_organisation, amount=amount_pence, purpose=purpose)
    if provider.pays_out_by_transfer:
        enqueue(send_payout, payout.id)
    return payout


def _payout_with_key(key: str) -> Payout | None:
    """The payout made with this idempotency key, if any."""
    return db.session.scalar(select(Payout).where(Payout.idempotency_key == key))


def send_payout(payout_id: int) -> None:
    """Job: transfer an unpaid payout to the payee's connected account, or leave it waiting for one. Idempotent.

    The payout row is locked while the transfer is made, and the transfer carries the payout's idempotency key: a
    job retried after a crash (or run twice at once) gets the same transfer back, so the person is paid once."""
    payout = db.session.get(Payout, payout_id, with_for_update=True, populate_existing=True)
    if payout is None or payout.status not in UNPAID or not provider_of(payout).pays_out_by_transfer:
        db.session.rollback()
        return
    # The account row is locked too: an account update enabling payouts either comes first (and this job sees it)
    # or waits until this payout is recorded as waiting (and then queues it).
    account = db.session.scalar(
        select(ConnectedAccount)
        .where(ConnectedAccount.user_id == payout.payee_user_id, ConnectedAccount.provider == payout.provider)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if account is None or not account.payouts_enabled:
        _change(payout, PayoutStatus.WAITING_FOR_ACCOUNT)
        db.session.commit()
        return
    _transfer(payout, account)
    db.session.commit()


def _transfer(payout: Payout, account: ConnectedAccount) -> None:
    """Make the transfer: paid with its reference, or failed when the provider refuses it for good.

    Any other provider error propagates (the job is retried, with the same key)."""
    try:
        reference = provider_of(payout).transfer(payout, account.provider_account_id)
    except ProviderRefused as error:
        log.warning("The provider refused payout %s: %s", payout.id, error)
        _change(payout, PayoutStatus.FAILED, values={"failure_reason": str(error)[:300]})
        return
    _change(payout, PayoutStatus.PAID, values={"provider_reference": reference, "paid_at": utcnow()})


def _change(payout: Payout, status: PayoutStatus, *, actor=None, values=None, **details) -> bool:
    """change() for a payout, audited against the paying organisation."""
    organisation = payout.payer_organisation
    return change(payout, PAYOUT_STATES, status, actor=actor, organisation=organisation, values=values, **details)


def send_waiting_payouts(user_id: int, provider_name: str) -> int:
    """Queue the sending of this person's payouts that waited for their account; how many."""
    waiting = db.session.scalars(
        select(Payout.id).where(
            Payout.payee_user_id == user_id,
            Payout.provider == provider_name,
            Payout.status == PayoutStatus.WAITING_FOR_ACCOUNT,
        )
    ).all()
    for payout_id in waiting:
        enqueue(send_payout, payout_id)
    return len(waiting)


@dataclass(frozen=True)
class PayrollRow:
    """One payout for a publisher's payroll, as its CSV lists it."""

    payout_id: int
    worker_name: str
    email: str
    amount_pence: int
    description: str
    reference: str
    created_at: datetime


PAYROLL_HEADER = ("Worker", "Email", "Amount (£)", "Description", "Reference", "Created")


def payroll_rows(payer_organisation, *, actor) -> list[PayrollRow]:
    """The organisation's payouts awaiting its payroll, oldest first (owners and finance people only)."""
    require(actor, "organisation_finance", payer_organisation)
    query = (
        select(Payout)
        .where(
            Payout.payer_organisation_id == payer_organisation.id,
            Payout.status == PayoutStatus.PENDING,
            Payout.provider.in_(payroll_provider_names()),
        )
        .options(joinedload(Payout.payee_user))
        .order_by(Payout.created_at, Payout.id)
    )
    return [
        PayrollRow(
            p.id, p.payee_user.name, p.payee_user.email, p.amount_pence, p.description, p.reference, p.created_at
        )
        for p in db.session.scalars(query)
    ]


def payroll_csv(payer_organisation, *, actor) -> str:
    """payroll_rows() as a CSV a spreadsheet opens safely (amounts in pounds, times in UTC ISO format)."""
    rows = payroll_rows(payer_organisation, actor=actor)
    return csv_text(
        PAYROLL_HEADER,
        (
            (
                r.worker_name,
                r.email,
                f"{r.amount_pence / 100:.2f}",
                r.description,
                r.reference,
                r.created_at.isoformat(),
            )
            for r in rows
        ),
    )


def mark_payroll_paid(payout_ids, actor) -> int:
    """A finance person of the payer records that these payroll payouts were paid; how many were newly marked.

    Every payout is checked before any is changed: one the actor may not settle, or one sent by transfer, refuses
    the lot. Ones already paid are left as they are (a double click marks nothing twice)."""
    ids = sorted(set(payout_ids))
    payouts = db.session.scalars(
        select(Payout)
        .where(Payout.id.in_(ids))
        .order_by(Payout.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if len(payouts) != len(ids):
        raise DomainError("Some of those payouts do not exist")
    for payout in payouts:
        require(actor, "organisation_finance", payout.payer_organisation)
        if provider_of(payout).pays_out_by_transfer:
            raise DomainError(f"Payout {payout.reference} is sent by transfer, so it cannot be marked paid by hand")
    now = utcnow()
    return sum(
        _change(payout, PayoutStatus.PAID, actor=actor, values={"paid_at": now}, action="payout.marked_paid")
        for payout in payouts
        if payout.status == PayoutStatus.PENDING
    )
