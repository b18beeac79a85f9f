"""Connect Express through the services and webhooks: one account per person, onboarding links, account status
from account.updated (read back from Stripe, replayed and out of order), and waiting payouts sent when enabled."""

import pytest
from sqlalchemy import func, select

from marketplace.core.errors import DomainError
from marketplace.extensions import db
from marketplace.payments import connect, payouts
from marketplace.payments.models import ConnectedAccount, Payout, PayoutStatus, WebhookEvent
from tests import factories

from .stripe_helpers import deliver


@pytest.fixture
def worker(ctx):
    """A relief worker, and the council that pays them."""
    person = factories.user(name="Ria Relief", email="ria@example.com")
    council = factories.publisher()
    db.session.commit()
    return person, council


def link(person) -> str:
    """The onboarding link the worker's earnings page would send them to."""
    url = connect.onboarding_link(
        person, return_url="https://backstop.example/earnings", refresh_url="https://backstop.example/earnings/setup"
    )
    db.session.commit()
    return url


def account_row(person) -> ConnectedAccount:
    """The person's account row, as the last transaction left it."""
    db.session.expire_all()
    return db.session.scalar(select(ConnectedAccount).where(ConnectedAccount.user_id == person.id))


def account_updated(server, account_id: str, body: dict | None = None) -> dict:
    """An account.updated event for the account (its body as given, or the account as the server has it now)."""
    return server.event("account.updated", body or server.get_object("account", account_id), account=account_id)


def waiting_payout(person, council, key="cover-pay-1") -> Payout:
    """A payout made before the worker could receive one."""
    payout = payouts.create_payout(
        purpose="cover_pay",
        amount_pence=9600,
        payee_user=person,
        payer_organisation=council,
        description="Cover",
        key=key,
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Payout, payout.id).status == PayoutStatus.WAITING_FOR_ACCOUNT
    return payout


def payout_status(payout) -> str:
    """The payout's status now."""
    db.session.expire_all()
    return db.session.get(Payout, payout.id).status


def test_invoice_mode_pays_by_payroll_and_has_nothing_to_set_up(worker):
    person, _ = worker
    assert connect.pays_out_by_transfer() is False
    status = connect.payout_account_status(person)
    assert status.by_transfer is False and "payroll" in status.words
    with pytest.raises(DomainError, match="payroll"):
        link(person)


def test_onboarding_link_opens_one_express_account(worker, stripe_mode):
    person, _ = worker
    assert connect.pays_out_by_transfer() is True
    assert connect.payout_account_status(person).words == "Not set up"
    first, second = link(person), link(person)
    assert first.startswith(f"{stripe_mode.base_url}/connect/") and second.startswith(
        f"{stripe_mode.base_url}/connect/"
    )
    created = [r for r in stripe_mode.requests if r.method == "POST" and r.path == "/v1/accounts"]
    assert len(created) == 1 and created[0].idempotency_key == f"user-{person.id}-connected-account"
    params = created[0].params
    assert (params["type"], params["country"], params["capabilities"]) == (
        "express",
        "GB",
        {"transfers": {"requested": "true"}},
    )
    row = account_row(person)
    assert row.provider_account_id.startswith("acct_") and not row.payouts_enabled
    assert connect.payout_account_status(person).words == "Started: give the rest of your details"


def test_account_updated_enables_payouts_and_sends_what_waited(worker, stripe_mode, client):
    person, council = worker
    payout = waiting_payout(person, council)
    link(person)
    account_id = account_row(person).provider_account_id
    stripe_mode.complete_onboarding(account_id)
    assert deliver(client, stripe_mode, account_updated(stripe_mode, account_id)).status_code == 200
    row = account_row(person)
    assert row.payouts_enabled and row.details_submitted
    assert connect.payout_account_status(person).words == "Ready to receive payouts"
    assert payout_status(payout) == PayoutStatus.PAID
    (transfer,) = stripe_mode.transfers()
    assert transfer["destination"] == account_id and transfer["amount"] == 9600


def test_replayed_account_updated_pays_once(worker, stripe_mode, client):
    person, council = worker
    payout = waiting_payout(person, council)
    link(person)
    account_id = account_row(person).provider_account_id
    stripe_mode.complete_onboarding(account_id)
    event = account_updated(stripe_mode, account_id)
    assert [deliver(client, stripe_mode, event).status_code for _ in range(3)] == [200] * 3
    assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
    assert payout_status(payout) == PayoutStatus.PAID and len(stripe_mode.transfers()) == 1


def test_out_of_order_events_end_with_the_account_as_stripe_has_it(worker, stripe_mode, client):
    """An older event (details only submitted) arriving after the newer one (payouts enabled) changes nothing: each
    is read back from Stripe; and one whose body claims payouts while Stripe says not enables nothing."""
    person, council = worker
    payout = waiting_payout(person, council)
    link(person)
    account_id = account_row(person).provider_account_id
    early = account_updated(stripe_mode, account_id, stripe_mode.complete_onboarding(account_id, payouts=False))
    lying = dict(stripe_mode.get_object("account", account_id), payouts_enabled=True)
    assert deliver(client, stripe_mode, account_updated(stripe_mode, account_id, lying)).status_code == 200
    assert not account_row(person).payouts_enabled and payout_status(payout) == PayoutStatus.WAITING_FOR_ACCOUNT
    assert connect.payout_account_status(person).words == "Your details are being checked"
    late = account_updated(stripe_mode, account_id, stripe_mode.complete_onboarding(account_id))
    deliver(client, stripe_mode, late)
    deliver(client, stripe_mode, early)
    assert account_row(person).payouts_enabled and payout_status(payout) == PayoutStatus.PAID
    assert len(stripe_mode.transfers()) == 1


def test_account_stopped_by_stripe_stops_new_transfers(worker, stripe_mode, client):
    person, council = worker
    link(person)
    account_id = account_row(person).provider_account_id
    deliver(client, stripe_mode, account_updated(stripe_mode, account_id, stripe_mode.complete_onboarding(account_id)))
    deliver(client, stripe_mode, account_updated(stripe_mode, account_id, stripe_mode.restrict_account(account_id)))
    assert not account_row(person).payouts_enabled
    payout = waiting_payout(person, council, key="cover-pay-2")
    assert stripe_mode.transfers() == [] and payout_status(payout) == PayoutStatus.WAITING_FOR_ACCOUNT


def test_refresh_on_return_reads_the_account_again(worker, stripe_mode):
    person, council = worker
    payout = waiting_payout(person, council)
    link(person)
    stripe_mode.complete_onboarding(account_row(person).provider_account_id)
    assert connect.refresh_payout_account(person).payouts_enabled is True
    db.session.commit()
    assert payout_status(payout) == PayoutStatus.PAID


def test_event_about_an_account_not_ours_changes_nothing(worker, stripe_mode, client):
    from tests.test_stripe_server import express_account

    from .stripe_helpers import server_client

    account = express_account(server_client(stripe_mode))
    event = account_updated(stripe_mode, account.id, stripe_mode.complete_onboarding(account.id))
    assert deliver(client, stripe_mode, event).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ConnectedAccount)) == 0


def test_connect_endpoint_secret_is_accepted_too(worker, stripe_mode, client, app, monkeypatch):
    """Connected accounts' events come from Stripe's Connect endpoint, signed with its own secret."""
    monkeypatch.setitem(app.config, "STRIPE_CONNECT_WEBHOOK_SECRET", "whsec_connect_test")
    person, _ = worker
    link(person)
    account_id = account_row(person).provider_account_id
    event = account_updated(stripe_mode, account_id, stripe_mode.complete_onboarding(account_id))
    assert deliver(client, stripe_mode, event, secret="whsec_other").status_code == 400
    assert deliver(client, stripe_mode, event, secret="whsec_connect_test").status_code == 200
    assert account_row(person).payouts_enabled
