"""Accounts that receive payouts by transfer (Stripe Connect Express): onboarding, status, and account updates.

Nothing here names a provider: `pays_out_by_transfer` says whether the configured one pays people this way (in
payroll mode nobody needs an account). An account's state is only ever what the provider said when asked.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..extensions import db
from .models import ConnectedAccount
from .payouts import send_waiting_payouts
from .providers import AccountUpdated, ProviderError, get_provider


class PayoutAccountUnavailable(DomainError):
    """The provider could not be reached to set up payouts; nothing was changed and the person can try again."""


@dataclass(frozen=True)
class PayoutAccountStatus:
    """How a person is paid, for their earnings page."""

    by_transfer: bool  # False: the paying organisation's payroll pays them, there is nothing to set up
    has_account: bool
    details_submitted: bool
    payouts_enabled: bool

    @property
    def words(self) -> str:
        """The state in words."""
        if not self.by_transfer:
            return "You are paid through the organisation's payroll"
        if self.payouts_enabled:
            return "Ready to receive payouts"
        if self.details_submitted:
            return "Your details are being checked"
        return "Started: give the rest of your details" if self.has_account else "Not set up"


def pays_out_by_transfer() -> bool:
    """Whether new payouts are sent by transfer to the person's own account (which they set up first)."""
    return get_provider().pays_out_by_transfer


def account_of(user) -> ConnectedAccount | None:
    """The person's account with the configured provider, if they have one."""
    provider = get_provider()
    return db.session.scalar(
        select(ConnectedAccount).where(ConnectedAccount.user_id == user.id, ConnectedAccount.provider == provider.name)
    )


def payout_account_status(user) -> PayoutAccountStatus:
    """How this person is paid now, from their account row (kept current by account webhooks)."""
    if not pays_out_by_transfer():
        return PayoutAccountStatus(False, False, False, False)
    account = account_of(user)
    if account is None:
        return PayoutAccountStatus(True, False, False, False)
    return PayoutAccountStatus(True, True, account.details_submitted, account.payouts_enabled)


def onboarding_link(user, *, return_url: str, refresh_url: str) -> str:
    """The address where the person sets up (or finishes setting up) their payout account; made once, reused."""
    provider = get_provider()
    if not provider.pays_out_by_transfer:
        raise DomainError("Payouts are paid through the organisation's payroll, so there is nothing to set up")
    try:
        account = account_of(user) or _create_account(user, provider)
        return provider.onboarding_url(account.provider_account_id, return_url=return_url, refresh_url=refresh_url)
    except ProviderError as error:
        raise PayoutAccountUnavailable("We could not reach the payment provider. Try again in a few minutes") from error


def _create_account(user, provider) -> ConnectedAccount:
    """Open the account at the provider (keyed by the person, so a retry or a double click opens one) and record it."""
    reference = provider.create_connected_account(user, key=f"user-{user.id}-connected-account")
    account = ConnectedAccount(
        user_id=user.id, provider=provider.name, provider_account_id=reference, updated_at=utcnow()
    )
    try:
        with db.session.begin_nested():
            db.session.add(account)
    except IntegrityError:  # a concurrent request recorded it first (the same account, by the key)
        return account_of(user)
    audit.record("payout_account.created", obj=account, actor=user)
    return account


def refresh_payout_account(user) -> PayoutAccountStatus:
    """Ask the provider again about the person's account (when they come back from onboarding) and apply it."""
    account = account_of(user)
    if account is not None:
        try:
            record_account(get_provider(account.provider).connected_account(account.provider_account_id))
        except ProviderError as error:
            raise PayoutAccountUnavailable("We could not reach the payment provider. Try again") from error
    return payout_account_status(user)


def record_account(fact: AccountUpdated) -> bool:
    """Apply what the provider says an account is now; when payouts become enabled, send the ones that waited.

    The row is locked, so two deliveries about one account apply one after the other; True if payouts were enabled
    by this call."""
    account = db.session.scalar(
        select(ConnectedAccount)
        .where(ConnectedAccount.provider_account_id == fact.reference)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if account is None:
        return False  # an account not opened through us
    enabled_now = fact.payouts_enabled and not account.payouts_enabled
    account.payouts_enabled, account.details_submitted = fact.payouts_enabled, fact.details_submitted
    account.updated_at = utcnow()
    if enabled_now:
        audit.record("payout_account.enabled", obj=account, actor=None)
    if fact.payouts_enabled:  # also when already enabled: a payout that waited meanwhile is sent now
        send_waiting_payouts(account.user_id, account.provider)
    return enabled_now
