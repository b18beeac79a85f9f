"""Payment rules: create, take, confirm, refund, mark invoices paid, reconcile. Callers commit.

Nothing here knows which provider a payment uses: each mode question is asked of `provider_of(payment)`, and
every status change goes through core/states.change() with the payments' own audit action names.
"""

import logging

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.queue import enqueue
from ..core.states import advance, change
from ..core.template_helpers import format_date
from ..extensions import db
from . import hooks, payee
from .models import PAYMENT_STATES, REFUND_STATES, Payment, PaymentStatus, Refund, RefundStatus
from .permissions import require
from .providers import (
    CheckoutRequest,
    ProviderError,
    RefundRequest,
    get_provider,
    invoicing_provider_names,
    provider_of,
)
from .reconcile import reconciliation_problems as reconciliation_problems  # `flask reconcile` imports it here
from .refunds_to_send import tell_finance

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
        created_at=utcnow(),
    )
    if provider.issues_invoice:  # an invoice is due the payee's terms after the day it is issued (in the INSERT)
        payment.due_on = payee.due_date(payee_organisation, payee.issue_date(payment))
    db.session.add(payment)
    db.session.flush()
    provider.on_created(payment)
    audit.record("payment.created", obj=payment, organisation=payer_organisation, amount=amount_pence, purpose=purpose)
    return payment


def start(payment: Payment, request: CheckoutRequest) -> str:
    """The address to send the payer to; PaymentNotStarted if the provider fails."""
    try:
        return provider_of(payment).start(payment, request)
    except ProviderError as error:
        log.warning("Could not start payment %s: %s", payment.id, error)
        raise PaymentNotStarted("We could not start the payment. Try again") from error


def confirms_on_order(payment: Payment) -> bool:
    """Whether the order is confirmed before the money arrives (invoices, paid on terms)."""
    return provider_of(payment).confirms_on_order


def orders_wait_for_payment() -> bool:
    """Whether an order placed now waits for its money (a checkout, so its places are held meanwhile) rather than
    being confirmed at once and paid on terms; asked of the provider new payments use."""
    return not get_provider().confirms_on_order


def order_words(payer_name: str) -> str:
    """How payer_name will pay for an order they are about to confirm, as the provider new payments use words it."""
    return get_provider().order_words(payer_name)


def issues_invoice(payment: Payment) -> bool:
    """Whether the payment is an invoice: emailed to the payer and listed on the invoices pages."""
    return provider_of(payment).issues_invoice


def is_unpaid_checkout(payment: Payment) -> bool:
    """Nothing was paid and nothing is owed: cancelling the order stops the checkout, there is nothing to refund."""
    return not payment.is_paid and not provider_of(payment).credits_unpaid


def refund_words(payment: Payment, amount_pence: int) -> str:
    """What the payer is told will happen to amount_pence if the order is cancelled now."""
    return provider_of(payment).refund_words(payment, amount_pence)


def refunded_words(payment: Payment, amount_pence: int) -> str:
    """What the payer is told happened to amount_pence once the order was cancelled."""
    return provider_of(payment).refunded_words(payment, amount_pence)


def refund_lines(payment: Payment | None) -> list[str]:
    """Each refund or credit on a payment as the payer is told it: to come, sent (with the date), or made."""
    if payment is None:
        return []
    provider = provider_of(payment)
    lines = []
    for refund in payment.credits:
        if refund.status == RefundStatus.PENDING:
            lines.append(provider.refunded_words(payment, refund.amount_pence))
        elif refund.sent_on is not None:
            lines.append(
                f"{provider.sent_words(payment, refund.amount_pence)} It was sent on {format_date(refund.sent_on)}."
            )
        else:
            lines.append(provider.refunded_words(payment, refund.amount_pence))
    return lines


def owed_words(payment: Payment | None) -> str:
    """What the payer is told they still have to pay on a payment ('' when nothing is owed)."""
    owed = amount_owed(payment) if payment is not None else 0
    return provider_of(payment).owed_words(payment, owed) if owed else ""


def _lock(payment: Payment) -> None:
    """Lock the payment row and re-read it; pending changes are flushed first so the re-read cannot lose them."""
    db.session.flush()
    db.session.refresh(payment, with_for_update=True)


def _lock_for_change(payment: Payment):
    """The purpose's locks (returning its order), then the payment row's: each row locked once, in one order."""
    order = hooks.lock(payment)
    _lock(payment)
    return order


def _change(payment: Payment, status: PaymentStatus, **kwargs) -> bool:
    """change() for a payment, audited against the paying organisation."""
    return change(payment, PAYMENT_STATES, status, organisation=payment.payer_organisation, **kwargs)


def record_success(payment: Payment, *, provider_payment_reference: str | None = None, actor=None) -> bool:
    """Mark a payment succeeded (exactly once, even under concurrent webhooks) and tell its feature."""
    order = _lock_for_change(payment)
    if payment.is_paid:
        return False  # already paid (and perhaps refunded since): money arriving again changes nothing
    return _succeed(payment, order, provider_payment_reference=provider_payment_reference, actor=actor)


def _succeed(payment: Payment, order, *, provider_payment_reference: str | None = None, actor=None) -> bool:
    """The payment and its order are locked: record the money and tell the purpose."""
    values = {"paid_at": utcnow()}
    if provider_payment_reference:
        values["provider_payment_reference"] = provider_payment_reference
    if not _change(payment, PaymentStatus.SUCCEEDED, actor=actor, action="payment.succeeded", values=values):
        return False
    hooks.paid(payment, order)
    return True


def mark_invoice_paid(payment: Payment, actor) -> None:
    """A publisher's finance person records that an invoice was paid."""
    require(actor, "payee_finance", payment)
    if not provider_of(payment).marked_paid_by_hand:
        raise DomainError("Only invoices are marked paid by hand")
    order = _lock_for_change(payment)  # a double click or a concurrent cancellation waits here
    if payment.status != PaymentStatus.PENDING:
        cancelled = payment.status in (PaymentStatus.CANCELLED, PaymentStatus.FAILED)
        state = "has been cancelled" if cancelled else "has already been paid"
        raise DomainError(f"Invoice {payment.invoice_reference} {state}, so it cannot be marked paid")
    _succeed(payment, order, actor=actor)


def record_failure(payment: Payment, reason: str | None = None) -> bool:
    """A charge on a saved payment method failed: mark the payment failed (once) and tell its feature."""
    order = _lock_for_change(payment)
    details = {"reason": (reason or "")[:300]}
    if not _change(payment, PaymentStatus.FAILED, actor=None, action="payment.failed", **details):
        return False
    hooks.failed(payment, order)
    return True


def lock_for_change(payment: Payment):
    """Lock a payment for a status change (its purpose's rows first); its purpose's order, or None."""
    return _lock_for_change(payment)


def collect_later(payment: Payment) -> None:
    """Take a pending payment without the payer present, once this transaction commits: charged to the payer's
    saved method where the provider needs one (a queued job), or left as the invoice it already is."""
    if provider_of(payment).needs_saved_method:
        enqueue("marketplace.payments.saved_methods.collect_payment", payment.id)


def record_lapsed(payment: Payment) -> bool:
    """A checkout expired unpaid: cancel the payment (once) and tell its feature."""
    order = hooks.lock(payment)
    if not _change(payment, PaymentStatus.CANCELLED, actor=None, action="payment.lapsed"):
        return False
    hooks.lapsed(payment, order)
    return True


def cancel_unpaid(payment: Payment) -> None:
    """Stop a pending payment (the order was cancelled or its hold expired)."""
    if payment.status != PaymentStatus.PENDING:
        return
    provider_of(payment).cancel(payment)
    _change(payment, PaymentStatus.CANCELLED, actor=None)


def settle_cancelled_order(payment: Payment, amount_pence: int, reason: str) -> Refund | None:
    """An order was cancelled: stop an unpaid checkout, or give back amount_pence (a refund, or a credit)."""
    if is_unpaid_checkout(payment):
        cancel_unpaid(payment)
        return None
    return refund(payment, amount_pence, reason) if amount_pence else None


def refund(payment: Payment, amount_pence: int, reason: str, *, actor="current") -> Refund | None:
    """Return money on a payment: a refund if it was paid, a reduction of what is owed if not.

    The payment row is locked first, so concurrent refunds can never add up to more than was paid.
    """
    _lock(payment)
    amount_pence = min(amount_pence, payment.refundable_pence)
    if amount_pence <= 0:
        return None
    if is_unpaid_checkout(payment):
        cancel_unpaid(payment)
        return None
    provider = provider_of(payment)
    request = RefundRequest(amount_pence, f"{payment.idempotency_key}-refund-{len(payment.refunds) + 1}")
    try:
        result = provider.refund(payment, request)
    except ProviderError as error:
        log.warning("Could not refund payment %s: %s", payment.id, error)
        raise PaymentProviderUnavailable(
            "We could not reach the payment provider to make the refund. Try again in a few minutes"
        ) from error
    details = {"amount": amount_pence, "reason": reason, "needs_person": provider.refund_needs_person(payment)}
    row = Refund(
        payment=payment,
        amount_pence=amount_pence,
        reason=reason[:200],
        idempotency_key=request.idempotency_key,
        provider_reference=result.reference,
        status=result.status,
    )
    db.session.add(row)
    if row.status == RefundStatus.FAILED:
        audit.record("payment.refunded", obj=payment, organisation=payment.payer_organisation, actor=actor, **details)
    else:
        _count_refund(payment, amount_pence, actor=actor, **details)
    if row.status == RefundStatus.PENDING and details["needs_person"]:
        tell_finance(row)
    return row


def _count_refund(payment: Payment, amount_pence: int, *, actor, **details) -> None:
    """Add a refund to the payment's total; its status follows (audited once as payment.refunded)."""
    refunded = payment.refunded_pence + amount_pence
    if payment.status == PaymentStatus.PENDING:  # a credit on an unpaid invoice: nothing owed means cancelled
        status = PaymentStatus.CANCELLED if refunded >= payment.amount_pence else PaymentStatus.PENDING
    else:
        full = refunded >= payment.amount_pence
        status = PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED
    if status == payment.status:
        payment.refunded_pence = refunded
        audit.record("payment.refunded", obj=payment, organisation=payment.payer_organisation, actor=actor, **details)
        return
    advance(
        payment,
        PAYMENT_STATES,
        status,
        actor=actor,
        action="payment.refunded",
        organisation=payment.payer_organisation,
        values={"refunded_pence": refunded},
        **details,
    )


def record_provider_refund(
    payment: Payment, *, provider_reference: str, amount_pence: int, status: RefundStatus
) -> bool:
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
        status=status,
    )
    db.session.add(row)
    _count_refund(
        payment, min(amount_pence, payment.refundable_pence), actor=None, amount=amount_pence, reason="provider"
    )
    return True


def record_refund_outcome(provider_reference: str, status: RefundStatus) -> bool:
    """Settle a pending refund: succeeded stays counted; failed is taken back off the payment's refunded total."""
    row = db.session.scalar(select(Refund).where(Refund.provider_reference == provider_reference))
    if row is None or status == RefundStatus.PENDING:
        return False
    payment = row.payment
    _lock(payment)  # another event settling the same refund waits here; the change below is conditional anyway
    details = {"payment_id": payment.id, "amount": row.amount_pence}
    organisation = payment.payer_organisation
    action = f"payment.refund_{status}"
    if not change(row, REFUND_STATES, status, actor=None, action=action, organisation=organisation, **details):
        return False
    if status == RefundStatus.FAILED:
        _uncount_refund(payment, row)
    return True


def _uncount_refund(payment: Payment, row: Refund) -> None:
    """A counted refund failed at the provider: the money was not returned after all."""
    refunded = payment.refunded_pence - row.amount_pence
    status = PaymentStatus.PARTIALLY_REFUNDED if refunded else PaymentStatus.SUCCEEDED
    if status == payment.status:
        payment.refunded_pence = refunded
        return
    values = {"refunded_pence": refunded}
    details = {"refund_id": row.id, "amount": row.amount_pence}
    advance(payment, PAYMENT_STATES, status, actor=None, action="payment.refund_reversed", values=values, **details)


def amount_owed(payment: Payment) -> int:
    """What is still to be paid on a payment (an unpaid invoice, less credits)."""
    return payment.refundable_pence if payment.status == PaymentStatus.PENDING else 0


OVERDUE = "overdue"  # a filter, not a status: invoices awaiting payment past their due date


# Newest first, then by id so the order is total (keyset pagination).
INVOICES_ORDER = (Payment.created_at.desc(), Payment.id.desc())


def invoices_query(organisation, status: str | None = None):
    """An organisation's invoices, raised by it or to it, newest first; optionally of one status (or OVERDUE)."""
    invoicing = invoicing_provider_names()
    query = (
        select(Payment)
        .where(
            Payment.provider.in_(invoicing),
            (Payment.payee_organisation_id == organisation.id) | (Payment.payer_organisation_id == organisation.id),
        )
        .options(
            joinedload(Payment.payer_organisation),
            joinedload(Payment.payer_user),
            joinedload(Payment.payee_organisation),
            selectinload(Payment.refunds),  # its status says "Paid, refund due" while a refund is still to send
        )
        .order_by(*INVOICES_ORDER)
    )
    if status == OVERDUE:
        return query.where(Payment.is_overdue)
    return query.where(Payment.status == status) if status else query
