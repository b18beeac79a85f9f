"""Saved payment methods: an organisation saves one once, and later charges (of the purposes whose features declare
them `off_session`: relief cover beyond funded hours, insurance premiums) are taken from it without anyone present. Where the provider needs no saved method, such a charge is an invoice.

Nothing here names a provider: `needs_saved_method` says which way the configured one works. Callers commit,
except the queued job.
"""

import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.queue import enqueue
from ..extensions import db
from . import hooks, services
from .models import Payment, PaymentStatus, SavedPaymentMethod
from .permissions import require
from .providers import MethodSaved, OffSessionCharge, ProviderError, get_provider, provider_of

log = logging.getLogger(__name__)


class NoSavedMethod(DomainError):
    """The organisation has no payment method saved to charge."""


def needs_saved_method() -> bool:
    """Whether an organisation must save a payment method before it can be charged later (otherwise it is
    invoiced)."""
    return get_provider().needs_saved_method


def saved_method_of(organisation, provider=None) -> SavedPaymentMethod | None:
    """The organisation's customer row with the provider (the configured one by default), if it has one."""
    provider = provider or get_provider()
    return db.session.scalar(
        select(SavedPaymentMethod).where(
            SavedPaymentMethod.organisation_id == organisation.id, SavedPaymentMethod.provider == provider.name
        )
    )


def has_saved_method(organisation) -> bool:
    """Whether the organisation has a payment method saved with the configured provider."""
    saved = saved_method_of(organisation)
    return saved is not None and saved.payment_method_reference is not None


def start_saving_method(organisation, *, return_url: str, cancel_url: str, actor) -> str:
    """The address where an owner or finance person of the organisation saves a payment method (a customer is
    made for the organisation once; an unfinished setup is reused). The provider's webhook completes it."""
    require(actor, "organisation_finance", organisation)
    provider = get_provider()
    if not provider.needs_saved_method:
        raise DomainError("Charges are invoiced, so there is no payment method to save")
    try:
        saved = saved_method_of(organisation, provider) or _create_customer(organisation, provider)
        key = f"saved-method-{saved.id}-setup-{saved.setups_started + 1}"
        reference, url = provider.start_saving_method(saved, return_url=return_url, cancel_url=cancel_url, key=key)
    except ProviderError as error:
        log.warning("Could not start saving a payment method for organisation %s: %s", organisation.id, error)
        raise services.PaymentNotStarted("We could not reach the payment provider. Try again") from error
    if reference != saved.setup_reference:
        saved.setup_reference, saved.setups_started, saved.updated_at = reference, saved.setups_started + 1, utcnow()
    return url


def _create_customer(organisation, provider) -> SavedPaymentMethod:
    """The organisation's customer at the provider (keyed by the organisation, so made once) and its row."""
    reference = provider.create_customer(organisation, key=f"organisation-{organisation.id}-customer")
    saved = SavedPaymentMethod(
        organisation_id=organisation.id, provider=provider.name, provider_customer_id=reference, updated_at=utcnow()
    )
    try:
        with db.session.begin_nested():
            db.session.add(saved)
    except IntegrityError:  # a concurrent request recorded it first (the same customer, by the key)
        return saved_method_of(organisation, provider)
    return saved


def record_saved_method(fact: MethodSaved) -> bool:
    """A setup finished at the provider: keep its method, unless a later setup's is already kept (events may come
    in any order and more than once). True if the method kept changed."""
    saved = db.session.scalar(
        select(SavedPaymentMethod)
        .where(SavedPaymentMethod.provider_customer_id == fact.customer_reference)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if saved is None or (saved.saved_at is not None and saved.saved_at > fact.set_up_at):
        return False
    if saved.payment_method_reference == fact.method_reference:
        return False
    saved.payment_method_reference, saved.saved_at, saved.updated_at = fact.method_reference, fact.set_up_at, utcnow()
    audit.record("payment_method.saved", obj=saved, organisation=saved.organisation, actor=None)
    _collect_waiting(saved)
    return True


def _collect_waiting(saved: SavedPaymentMethod) -> None:
    """Queue the charging of the organisation's off-session charges that waited for a saved method."""
    waiting = select(Payment.id).where(
        Payment.payer_organisation_id == saved.organisation_id,
        Payment.provider == saved.provider,
        Payment.purpose.in_(hooks.off_session_purposes()),
        Payment.status == PaymentStatus.PENDING,
    )
    for payment_id in db.session.scalars(waiting):
        enqueue(collect_payment, payment_id)


def charge_saved_method(payment: Payment) -> PaymentStatus:
    """Take a pending off-session charge from the payer's saved method (keyed by the payment's idempotency key, so a
    retry charges once); the payment's status after. A charge still processing is settled by webhook."""
    provider = provider_of(payment)
    if not hooks.off_session(payment.purpose) or not provider.needs_saved_method:
        raise DomainError("Only charges made without the payer present are taken from a saved payment method")
    services.lock_for_change(payment)  # a webhook about this charge waits until the outcome here is recorded
    if payment.status != PaymentStatus.PENDING:
        return PaymentStatus(payment.status)
    saved = saved_method_of(payment.payer_organisation, provider)
    if saved is None or saved.payment_method_reference is None:
        raise NoSavedMethod(f"{payment.payer_name} has not saved a payment method")
    try:
        charge = provider.charge_off_session(payment, saved)
    except ProviderError as error:
        log.warning("Could not charge payment %s: %s", payment.id, error)
        raise services.PaymentProviderUnavailable("We could not reach the payment provider. Try again") from error
    record_charge(payment, charge)
    return PaymentStatus(payment.status)


def record_charge(payment: Payment, charge: OffSessionCharge) -> bool:
    """Apply where an off-session charge stands (from the call's answer or a webhook); True if it changed."""
    if charge.reference and payment.provider_payment_reference is None:
        payment.provider_payment_reference = charge.reference
    if charge.status == PaymentStatus.SUCCEEDED:
        return services.record_success(payment, provider_payment_reference=charge.reference)
    if charge.status == PaymentStatus.FAILED:
        return services.record_failure(payment, charge.reason)
    return False


def payment_charged(charge: OffSessionCharge) -> Payment | None:
    """The payment an off-session charge is for: by its reference, else by our id read back from the provider."""
    payment = db.session.scalar(select(Payment).where(Payment.provider_payment_reference == charge.reference))
    if payment is None and charge.payment_id is not None:
        payment = db.session.get(Payment, charge.payment_id)
        if payment is not None and payment.provider_payment_reference not in (None, charge.reference):
            return None  # another charge of ours is that payment's: this one is not
    return payment


def collect_payment(payment_id: int) -> None:
    """Job: charge a pending off-session charge to its payer's saved method, and commit. Idempotent (the payment's key).

    Without a saved method the payment stays pending (the organisation is asked to save one); a provider that
    cannot be reached raises, so the queue retries."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.status != PaymentStatus.PENDING:
        return
    try:
        charge_saved_method(payment)
    except NoSavedMethod:
        log.info("Payment %s waits for its payer to save a payment method", payment_id)
        db.session.rollback()
        return
    db.session.commit()
