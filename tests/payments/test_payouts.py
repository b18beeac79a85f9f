"""Payouts through the services: idempotent creation, transfers sent once (retried jobs too), waiting for an
account, payroll rows and marking paid in invoice mode, and reconciliation."""

import pytest
from sqlalchemy import func, select, update

from marketplace.core.errors import DomainError
from marketplace.core.permissions import NotAllowed
from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.payments import connect, payouts
from marketplace.payments.models import ConnectedAccount, Payout, PayoutStatus
from marketplace.payments.providers import AccountUpdated
from marketplace.payments.reconcile import reconciliation_problems
from tests import factories, races
from tests.test_stripe_server import express_account

from .stripe_helpers import server_client


@pytest.fixture
def parties(ctx):
    """A council (owner, finance person, plain member) that pays, and a relief worker it pays."""
    owner = factories.user(name="Olu Owner")
    council = factories.publisher(owner, areas=("Leeds",))
    finance = factories.user(name="Fay Finance")
    factories.membership(finance, council, role=MemberRole.FINANCE)
    member = factories.user(name="Mo Member")
    factories.membership(member, council, role=MemberRole.MEMBER)
    worker = factories.user(name="Ria Relief", email="ria@example.com")
    db.session.commit()
    return council, owner, finance, member, worker


def new_payout(council, worker, *, key="cover-pay-1", amount=9600, description="Relief cover on 3 March"):
    """A cover payout made through the service."""
    return payouts.create_payout(
        purpose="cover_pay",
        amount_pence=amount,
        payee_user=worker,
        payer_organisation=council,
        description=description,
        key=key,
    )


def count(model) -> int:
    """Rows of a model."""
    return db.session.scalar(select(func.count()).select_from(model))


def fresh(payout: Payout) -> Payout:
    """The payout as a job in another session left it."""
    db.session.expire_all()
    return db.session.get(Payout, payout.id)


def onboarded(stripe_server, worker, *, enabled=True) -> ConnectedAccount:
    """The worker's Express account, onboarded at the test server, recorded as the webhook would."""
    account = express_account(server_client(stripe_server))
    if enabled:
        stripe_server.complete_onboarding(account.id)
    row = ConnectedAccount(
        user_id=worker.id, provider="stripe", provider_account_id=account.id, payouts_enabled=enabled
    )
    db.session.add(row)
    db.session.commit()
    return row


# Invoice mode: payroll


def test_same_key_returns_the_same_payout(parties):
    council, _, _, _, worker = parties
    first = new_payout(council, worker)
    again = new_payout(council, worker, amount=1, description="ignored")
    db.session.commit()
    assert again.id == first.id and count(Payout) == 1
    assert (first.status, first.amount_pence, first.purpose) == (PayoutStatus.PENDING, 9600, "cover_pay")
    assert first.provider_reference is None and first.reference == f"BSP-PO-{first.id:06d}"


@pytest.mark.parametrize("amount", [0, -5, 12.5])
def test_payout_amount_must_be_whole_positive_pence(parties, amount):
    council, _, _, _, worker = parties
    with pytest.raises(DomainError):
        new_payout(council, worker, amount=amount)


def test_payroll_rows_list_pending_payouts_for_finance_people(parties):
    council, owner, finance, member, worker = parties
    first = new_payout(council, worker, key="k1", amount=9600)
    second = new_payout(council, worker, key="k2", amount=4500, description="=HYPERLINK(evil)")
    other_council = factories.publisher()
    new_payout(other_council, worker, key="k3")
    db.session.commit()
    rows = payouts.payroll_rows(council, actor=finance)
    assert [(r.payout_id, r.worker_name, r.email, r.amount_pence) for r in rows] == [
        (first.id, "Ria Relief", "ria@example.com", 9600),
        (second.id, "Ria Relief", "ria@example.com", 4500),
    ]
    assert rows[0].reference == first.reference and rows[0].description == "Relief cover on 3 March"
    assert payouts.payroll_rows(council, actor=owner) == rows
    csv = payouts.payroll_csv(council, actor=finance).splitlines()
    assert csv[0] == "Worker,Email,Amount (£),Description,Reference,Created"
    assert csv[1].startswith(f"Ria Relief,ria@example.com,96.00,Relief cover on 3 March,{first.reference},")
    assert ",'=HYPERLINK(evil)," in csv[2]  # never run as a formula
    for outsider in (member, worker, factories.user()):
        with pytest.raises(NotAllowed):
            payouts.payroll_rows(council, actor=outsider)


def test_finance_person_marks_payroll_paid_once(parties):
    council, _, finance, member, worker = parties
    first, second = new_payout(council, worker, key="k1"), new_payout(council, worker, key="k2")
    db.session.commit()
    with pytest.raises(NotAllowed):
        payouts.mark_payroll_paid([first.id], member)
    assert payouts.mark_payroll_paid([first.id, first.id], finance) == 1
    db.session.commit()
    assert payouts.mark_payroll_paid([first.id, second.id], finance) == 1  # the first was already paid
    db.session.commit()
    for payout in (first, second):
        assert fresh(payout).status == PayoutStatus.PAID and fresh(payout).paid_at is not None
    assert payouts.payroll_rows(council, actor=finance) == []
    assert reconciliation_problems() == []


def test_marking_paid_checks_every_payout_first(parties):
    council, _, finance, _, worker = parties
    ours = new_payout(council, worker, key="k1")
    theirs = new_payout(factories.publisher(), worker, key="k2")
    db.session.commit()
    with pytest.raises(NotAllowed):
        payouts.mark_payroll_paid([ours.id, theirs.id], finance)
    db.session.rollback()
    assert fresh(ours).status == PayoutStatus.PENDING
    with pytest.raises(DomainError, match="do not exist"):
        payouts.mark_payroll_paid([ours.id, 999999], finance)


def test_invoice_mode_queues_no_transfer(parties, stripe_server):
    council, _, _, _, worker = parties
    payout = new_payout(council, worker)
    db.session.commit()
    assert fresh(payout).status == PayoutStatus.PENDING and stripe_server.requests == []


# Stripe mode: transfers


def transfers_posted(server) -> list:
    """The POST /v1/transfers requests the server received."""
    return [r for r in server.requests if r.method == "POST" and r.path == "/v1/transfers"]


def test_payout_is_transferred_with_its_own_idempotency_key(parties, stripe_mode):
    council, _, _, _, worker = parties
    account = onboarded(stripe_mode, worker)
    payout = new_payout(council, worker)
    db.session.commit()  # the send_payout job runs after the commit
    payout = fresh(payout)
    assert payout.status == PayoutStatus.PAID and payout.paid_at is not None
    (transfer,) = stripe_mode.transfers()
    assert payout.provider_reference == transfer["id"]
    assert (transfer["amount"], transfer["currency"], transfer["destination"]) == (
        9600,
        "gbp",
        account.provider_account_id,
    )
    assert [r.idempotency_key for r in transfers_posted(stripe_mode)] == ["cover-pay-1"]
    assert transfer["metadata"] == {"payout_id": str(payout.id)}
    assert reconciliation_problems() == []


def test_retried_job_after_a_crash_pays_once(parties, stripe_mode, monkeypatch):
    """The transfer is made, then the job dies before recording it: the retry gets the same transfer back."""
    council, _, _, _, worker = parties
    onboarded(stripe_mode, worker)
    real_change = payouts._change

    def crash_on_paid(payout, status, **kwargs):
        if status == PayoutStatus.PAID:
            raise RuntimeError("worker killed")
        return real_change(payout, status, **kwargs)

    monkeypatch.setattr(payouts, "_change", crash_on_paid)
    payout = new_payout(council, worker)
    db.session.commit()  # the job fails after transferring (logged, rolled back)
    assert fresh(payout).status == PayoutStatus.PENDING and len(stripe_mode.transfers()) == 1
    monkeypatch.setattr(payouts, "_change", real_change)
    payouts.send_payout(payout.id)
    payouts.send_payout(payout.id)  # and once more, as a duplicate job would
    payout = fresh(payout)
    assert payout.status == PayoutStatus.PAID
    assert len(stripe_mode.transfers()) == 1 and len(transfers_posted(stripe_mode)) == 2  # 1 new + 1 replay
    assert payout.provider_reference == stripe_mode.transfers()[0]["id"]


def test_payout_waits_without_an_account_with_payouts(parties, stripe_mode):
    council, _, _, _, worker = parties
    payout = new_payout(council, worker, key="k1")
    db.session.commit()
    assert fresh(payout).status == PayoutStatus.WAITING_FOR_ACCOUNT
    onboarded(stripe_mode, worker, enabled=False)
    payouts.send_payout(payout.id)
    assert fresh(payout).status == PayoutStatus.WAITING_FOR_ACCOUNT and stripe_mode.transfers() == []
    assert reconciliation_problems() == []


def test_refused_transfer_fails_the_payout(parties, stripe_mode):
    """Stripe refuses for good (the account was restricted after we saw it enabled): failed, with the reason."""
    council, _, _, _, worker = parties
    account = onboarded(stripe_mode, worker)
    stripe_mode.restrict_account(account.provider_account_id)
    payout = new_payout(council, worker)
    db.session.commit()
    payout = fresh(payout)
    assert payout.status == PayoutStatus.FAILED and "capabilities" in payout.failure_reason
    assert payout.provider_reference is None


def test_reconcile_finds_payouts_that_disagree(parties, stripe_mode):
    council, _, _, _, worker = parties
    onboarded(stripe_mode, worker)
    paid = new_payout(council, worker, key="k1")
    db.session.commit()
    db.session.execute(update(Payout).where(Payout.id == paid.id).values(provider_reference=None))
    db.session.commit()
    problems = reconciliation_problems()
    assert problems == [f"Payout {paid.id} was paid by transfer but has no transfer reference"]


def test_reconcile_finds_a_payout_left_waiting(parties, stripe_mode):
    council, _, _, _, worker = parties
    payout = new_payout(council, worker, key="k1")
    db.session.commit()
    onboarded(stripe_mode, worker)  # enabled without the webhook that sends what waited
    assert reconciliation_problems() == [
        f"Payout {payout.id} is waiting for an account that can already receive payouts"
    ]


# On PostgreSQL, with real threads


def ON_POSTGRES(test):  # noqa: N802  (a decorator, named like the marks it applies)
    """Apply the races' PostgreSQL-only marks."""
    for mark in races.POSTGRES_ONLY:
        test = mark(test)
    return test


def _pending_payout(council, worker, key: str) -> Payout:
    """A pending Stripe-mode payout whose job has not run yet (inserted as create_payout does, without the job)."""
    payout = Payout(
        purpose="cover_pay",
        amount_pence=9600,
        payee_user_id=worker.id,
        payer_organisation_id=council.id,
        description="Cover",
        provider="stripe",
        idempotency_key=key,
    )
    db.session.add(payout)
    db.session.commit()
    return payout


@ON_POSTGRES
@pytest.mark.parametrize("run", range(5))
def test_two_jobs_at_once_pay_once(app, parties, stripe_mode, run):
    council, _, _, _, worker = parties
    onboarded(stripe_mode, worker)
    payout = _pending_payout(council, worker, f"race-{run}")
    payout_id = payout.id  # read here: each thread has its own session
    outcomes = races.race(app, [lambda: lambda: payouts.send_payout(payout_id)] * 2)
    assert outcomes == [None, None]
    assert fresh(payout).status == PayoutStatus.PAID and len(stripe_mode.transfers()) == 1


@ON_POSTGRES
@pytest.mark.parametrize("run", range(5))
def test_account_enabled_while_a_job_runs_still_pays_once(app, parties, stripe_mode, run):
    """The job (seeing no payouts yet) and the account update (enabling them) at once: paid, exactly once."""
    council, _, _, _, worker = parties
    account = onboarded(stripe_mode, worker, enabled=False)
    stripe_mode.complete_onboarding(account.provider_account_id)
    payout = _pending_payout(council, worker, f"race-{run}")
    payout_id, enabled = payout.id, AccountUpdated(account.provider_account_id, True, True)
    outcomes = races.race(
        app,
        [lambda: lambda: payouts.send_payout(payout_id), lambda: lambda: connect.record_account(enabled)],
    )
    assert outcomes == [None, True]
    assert fresh(payout).status == PayoutStatus.PAID and len(stripe_mode.transfers()) == 1


def test_a_workers_payouts_are_in_their_data_export(parties):
    from marketplace.payments.personal_data import export

    council, _, _, _, worker = parties
    payout = new_payout(council, worker)
    db.session.commit()
    exported = export(worker)
    assert [(p["payout"], p["amount_pence"], p["status"]) for p in exported["payouts"]] == [
        (payout.reference, 9600, "To be paid")
    ]
    assert exported["payout_accounts"] == []
