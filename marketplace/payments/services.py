"""Payment rules: create, take, confirm, refund, mark invoices paid, reconcile. Callers commit."""

import logging

import stripe
from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.states import transition
from ..extensions import db
from . import hooks
from .models import PAYMENT_TRANSITIONS, Payment, PaymentStatus, Refund, RefundStatus
from .providers import CheckoutRequest, get_provider

log = logging.getLogger(__name__)


class PaymentProviderUnavailable(DomainError):
    """The provider could not be reached or refused; nothing was changed and the person can try again."""


class PaymentNotStarted(DomainError):
    """The provider could not begin taking the payment; nothing was taken and the payer can try again."""


def create_payment(
    *,
    purpose: str,
    amount_pence: int,
    description: str,
    key: str,
    payer_organisation=None,
    payer_user=None,
    payee_organisation=None,
) -> Payment:
    """A pending payment record through the configured provider; `key` makes it idempotent."""
    provider = get_provider()
    payment = Payment(
        purpose=purpose,
        amount_pence=amount_pence,
        description=description,
        idempotency_key=key,
        provider=provider.name,
        payer_organisation=payer_organisation,
        payer_user=payer_user,
        payee_organisation=payee_organisation,
    )
    db.session.add(payment)
    db.session.flush()
    if provider.name == "invoice":
        payment.invoice_reference = f"BSP-{utcnow():%Y}-{payment.id:06d}"
    audit.record("payment.created", obj=payment, organisation=payer_organisation, amount=amount_pence, purpose=purpose)
    return payment


def start(payment: Payment, request: CheckoutRequest) -> str | None:
    """The address to send the payer to (Stripe) or None (invoice); PaymentNotStarted if the provider fails."""
    try:
        return get_provider(payment.provider).start(payment, request)
    except stripe.StripeError as error:
        log.warning("Could not start payment %s: %s", payment.id, error)
        raise PaymentNotStarted("We could not start the payment. Try again") from error


def confirms_on_order(payment: Payment) -> bool:
    """Whether the order is confirmed before the money arrives (invoices, paid on terms)."""
    return get_provider(payment.provider).confirms_on_order


def _lock(payment: Payment) -> None:
    """Lock the payment row and re-read it; pending changes are flushed first so the re-read cannot lose them."""
    db.session.flush()
    db.session.refresh(payment, with_for_update=True)


def _claim(payment: Payment, new_status: PaymentStatus, from_statuses: tuple, **values) -> bool:
    """Change the status only if it is still one of from_statuses: exactly one concurrent caller wins."""
    result = db.session.execute(
        update(Payment)
        .where(Payment.id == payment.id, Payment.status.in_(from_statuses))
        .values(status=new_status, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(payment)
    return result.rowcount == 1


def record_success(payment: Payment, *, provider_payment_reference: str | None = None, actor=None) -> bool:
    """Mark a payment succeeded (exactly once, even under concurrent webhooks) and tell its feature."""
    hooks.lock(payment)
    values = {"paid_at": utcnow()}
    if provider_payment_reference:
        values["provider_payment_reference"] = provider_payment_reference
    payable = tuple(s for s, targets in PAYMENT_TRANSITIONS.items() if PaymentStatus.SUCCEEDED in targets)
    if not _claim(payment, PaymentStatus.SUCCEEDED, payable, **values):
        return False
    audit.record("payment.succeeded", obj=payment, organisation=payment.payer_organisation, actor=actor)
    hooks.paid(payment)
    return True


def mark_invoice_paid(payment: Payment, actor) -> None:
    """A publisher's finance person records that an invoice was paid."""
    if payment.provider != "invoice":
        raise DomainError("Only invoices are marked paid by hand")
    hooks.lock(payment)
    _lock(payment)  # a double click or a concurrent cancellation waits here
    if payment.status != PaymentStatus.PENDING:
        cancelled = payment.status in (PaymentStatus.CANCELLED, PaymentStatus.FAILED)
        state = "has been cancelled" if cancelled else "has already been paid"
        raise DomainError(f"Invoice {payment.invoice_reference} {state}, so it cannot be marked paid")
    record_success(payment, actor=actor)


def record_lapsed(payment: Payment) -> bool:
    """A checkout expired unpaid: cancel the payment (once) and tell its feature."""
    hooks.lock(payment)
    if not _claim(payment, PaymentStatus.CANCELLED, (PaymentStatus.PENDING,)):
        return False
    audit.record("payment.lapsed", obj=payment, organisation=payment.payer_organisation, actor=None)
    hooks.lapsed(payment)
    return True


def cancel_unpaid(payment: Payment) -> None:
    """Stop a pending payment (the order was cancelled or its hold expired)."""
    if payment.status != PaymentStatus.PENDING:
        return
    get_provider(payment.provider).cancel(payment)
    if _claim(payment, PaymentStatus.CANCELLED, (PaymentStatus.PENDING,)):
        audit.record("payment.cancelled", obj=payment, organisation=payment.payer_organisation, actor=None)


def refund(payment: Payment, amount_pence: int, reason: str) -> Refund | None:
    """Return money on a payment: a refund if it was paid, a reduction of what is owed if not.

    The payment row is locked first, so concurrent refunds can never add up to more than was paid.
    """
    _lock(payment)
    amount_pence = min(amount_pence, payment.refundable_pence)
    if amount_pence <= 0:
        return None
    if payment.status == PaymentStatus.PENDING and payment.provider != "invoice":
        cancel_unpaid(payment)
        return None
    row = Refund(
        payment=payment,
        amount_pence=amount_pence,
        reason=reason[:200],
        idempotency_key=f"{payment.idempotency_key}-refund-{len(payment.refunds) + 1}",
    )
    db.session.add(row)
    db.session.flush()
    try:
        get_provider(payment.provider).refund(payment, row)
    except stripe.StripeError as error:
        log.warning("Could not refund payment %s: %s", payment.id, error)
        raise PaymentProviderUnavailable(
            "We could not reach the payment provider to make the refund. Try again in a few minutes"
        ) from error
    if row.status != RefundStatus.FAILED:
        _apply_refund(payment, amount_pence)
    audit.record(
        "payment.refunded", obj=payment, organisation=payment.payer_organisation, amount=amount_pence, reason=reason
    )
    return row


def _apply_refund(payment: Payment, amount_pence: int) -> None:
    payment.refunded_pence += amount_pence
    if payment.status == PaymentStatus.PENDING:
        if payment.refundable_pence == 0:
            transition(payment, PaymentStatus.CANCELLED, PAYMENT_TRANSITIONS)
        return
    full = payment.refundable_pence == 0
    transition(payment, PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED, PAYMENT_TRANSITIONS)


def record_provider_refund(payment: Payment, *, provider_reference: str, amount_pence: int, status: str) -> bool:
    """A refund made at the provider (seen in a webhook): record it once by its provider reference.

    The payment row is locked first: a transaction of ours that asked for this refund finishes before we look.
    """
    _lock(payment)
    existing = db.session.scalar(
        select(Refund).where(Refund.provider_reference == provider_reference).execution_options(populate_existing=True)
    )
    if existing is not None:
        return False
    row = Refund(
        payment=payment,
        amount_pence=amount_pence,
        reason="Refunded at the payment provider",
        provider_reference=provider_reference,
        idempotency_key=f"provider-{provider_reference}",
        status=RefundStatus.SUCCEEDED if status == "succeeded" else RefundStatus.PENDING,
    )
    db.session.add(row)
    _apply_refund(payment, min(amount_pence, payment.refundable_pence))
    audit.record(
        "payment.refunded",
        obj=payment,
        organisation=payment.payer_organisation,
        actor=None,
        amount=amount_pence,
        reason="provider",
    )
    return True


def record_refund_outcome(provider_reference: str, provider_status: str) -> bool:
    """Settle a pending refund: succeeded stays counted; failed is taken back off the payment's refunded total."""
    row = db.session.scalar(select(Refund).where(Refund.provider_reference == provider_reference))
    if row is None or provider_status not in ("succeeded", "failed", "canceled"):
        return False
    payment = row.payment
    _lock(payment)  # then re-read the refund: another event may have settled it
    db.session.refresh(row)
    if row.status != RefundStatus.PENDING:
        return False
    if provider_status == "succeeded":
        row.status = RefundStatus.SUCCEEDED
    else:
        row.status = RefundStatus.FAILED
        payment.refunded_pence -= row.amount_pence
        payment.status = PaymentStatus.PARTIALLY_REFUNDED if payment.refunded_pence else PaymentStatus.SUCCEEDED
    audit.record(
        f"payment.refund_{row.status}",
        obj=payment,
        organisation=payment.payer_organisation,
        actor=None,
        refund_id=row.id,
        amount=row.amount_pence,
    )
    return True


def amount_owed(payment: Payment) -> int:
    """What is still to be paid on a payment (an unpaid invoice, less credits)."""
    return payment.refundable_pence if payment.status == PaymentStatus.PENDING else 0


def reconciliation_problems() -> list[str]:
    """Payments whose refund rows do not add up to what the payment says was refunded."""
    refunded = (
        select(Refund.payment_id, func.coalesce(func.sum(Refund.amount_pence), 0).label("total"))
        .where(Refund.status != RefundStatus.FAILED)
        .group_by(Refund.payment_id)
        .subquery()
    )
    query = (
        select(Payment.id, Payment.refunded_pence, func.coalesce(refunded.c.total, 0))
        .outerjoin(refunded, refunded.c.payment_id == Payment.id)
        .where(Payment.refunded_pence != func.coalesce(refunded.c.total, 0))
    )
    return [
        f"Payment {pid}: refunded_pence {said} but refunds total {total}"
        for pid, said, total in db.session.execute(query)
    ]


def invoices_query(organisation, status: str | None = None):
    """An organisation's invoices, raised by it or to it, newest first; optionally of one status."""
    query = (
        select(Payment)
        .where(
            Payment.provider == "invoice",
            (Payment.payee_organisation_id == organisation.id) | (Payment.payer_organisation_id == organisation.id),
        )
        .options(
            selectinload(Payment.payer_organisation),
            selectinload(Payment.payer_user),
            selectinload(Payment.payee_organisation),
        )
        .order_by(Payment.created_at.desc(), Payment.id.desc())
    )
    return query.where(Payment.status == status) if status else query


def provider_name() -> str:
    """The configured provider's name."""
    return current_app.config.get("PAYMENT_PROVIDER", "invoice")
