"""Stripe Connect Express: accounts for the people we pay, their onboarding links, and transfers to them."""

from .base import AccountUpdated
from .stripe_api import calling_stripe, client

COUNTRY = "GB"


class StripePayouts:
    """The payout operations of the Stripe provider (mixed into StripeProvider)."""

    def create_connected_account(self, user, key: str) -> str:
        """An Express account in GB that can receive transfers; a retry with the key returns the same account."""
        params = {
            "type": "express",
            "country": COUNTRY,
            "email": user.email,
            "business_type": "individual",
            "capabilities": {"transfers": {"requested": True}},
            "metadata": {"user_id": str(user.id)},
        }
        with calling_stripe():
            account = client().v1.accounts.create(params=params, options={"idempotency_key": key})
        return account.id

    def onboarding_url(self, account_reference: str, *, return_url: str, refresh_url: str) -> str:
        """A fresh AccountLink (they expire within minutes, so one is made each time the person is sent there)."""
        params = {
            "account": account_reference,
            "type": "account_onboarding",
            "return_url": return_url,
            "refresh_url": refresh_url,
        }
        with calling_stripe():
            return client().v1.account_links.create(params=params).url

    def connected_account(self, account_reference: str) -> AccountUpdated:
        """The account as Stripe has it now."""
        with calling_stripe():
            return _account_state(client().v1.accounts.retrieve(account_reference))

    def transfer(self, payout, account_reference: str) -> str:
        """A Transfer of the payout's amount, keyed by the payout's idempotency key (a retried job pays once)."""
        params = {
            "amount": payout.amount_pence,
            "currency": payout.currency.lower(),
            "destination": account_reference,
            "description": payout.description[:250],
            "transfer_group": f"payout-{payout.id}",
            "metadata": {"payout_id": str(payout.id)},
        }
        with calling_stripe():
            transfer = client().v1.transfers.create(params=params, options={"idempotency_key": payout.idempotency_key})
        return transfer.id


def _account_state(account) -> AccountUpdated:
    """Payouts are enabled when Stripe pays the account out and its transfers capability is active."""
    transfers = getattr(account.capabilities, "transfers", None)
    enabled = bool(account.payouts_enabled) and transfers == "active"
    return AccountUpdated(account.id, enabled, bool(account.details_submitted))


def _account_updated(data) -> list:
    """The account as Stripe has it now (never as the event says it was)."""
    return [_account_state(client().v1.accounts.retrieve(data.id))]


PAYOUT_READERS = {"account.updated": _account_updated}
