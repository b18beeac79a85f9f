"""Payment, refund and webhook-event records, and how each publisher is paid (payee details)."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import today
from ..core.models import TimestampMixin
from ..core.states import HasStatus, StateMachine
from ..core.types import UTCDateTime
from ..extensions import db


class PaymentPurpose(StrEnum):
    """What a payment is for."""

    TRAINING_BOOKING = "training_booking"
    SCHEME_PREMIUM = "scheme_premium"
    COVER_CHARGE = "cover_charge"


class PaymentStatus(StrEnum):
    """pending → succeeded | failed | cancelled; then refunded / partially_refunded."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"

    @property
    def label(self) -> str:
        """The status in words, the same on every page, list and PDF."""
        return _PAYMENT_WORDS[self]

    @property
    def paid(self) -> bool:
        """The money arrived (whatever has been refunded since)."""
        return self in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED)


OVERDUE_WORD = "Overdue"

_PAYMENT_WORDS = {
    PaymentStatus.PENDING: "Awaiting payment",
    PaymentStatus.SUCCEEDED: "Paid",
    PaymentStatus.FAILED: "Failed",
    PaymentStatus.CANCELLED: "Cancelled",
    PaymentStatus.PARTIALLY_REFUNDED: "Paid, partly refunded",
    PaymentStatus.REFUNDED: "Refunded",
}

# SUCCEEDED can be reached from several states (a late payment, a failed refund taken back), so the conditional
# UPDATE alone does not make "paid" happen once: record_success also locks the row and returns if it is already
# paid (payments/services.py), and a failed refund moves back only from a refunded state.
PAYMENT_STATES = StateMachine(
    PaymentStatus,
    {
        PaymentStatus.PENDING: {PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELLED},
        PaymentStatus.CANCELLED: {PaymentStatus.SUCCEEDED},  # paid at the last moment after all
        PaymentStatus.FAILED: {PaymentStatus.SUCCEEDED},  # an off-session charge the payer's bank let through later
        PaymentStatus.SUCCEEDED: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED},
        # Back to fewer refunds when a refund fails at the provider after it was counted:
        PaymentStatus.PARTIALLY_REFUNDED: {PaymentStatus.REFUNDED, PaymentStatus.SUCCEEDED},
        PaymentStatus.REFUNDED: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.SUCCEEDED},
    },
    "payment",
)


REFUND_DUE_WORD = "Paid, refund due"


class RefundStatus(StrEnum):
    """pending → succeeded | failed."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


_REFUND_WORDS = {
    RefundStatus.PENDING: "To be sent",
    RefundStatus.SUCCEEDED: "Refunded",
    RefundStatus.FAILED: "Failed",
}

REFUND_STATES = StateMachine(
    RefundStatus, {RefundStatus.PENDING: {RefundStatus.SUCCEEDED, RefundStatus.FAILED}}, "refund"
)


class Payment(HasStatus, TimestampMixin, db.Model):
    """One payment from a payer to a publisher, through a provider."""

    STATES = PAYMENT_STATES

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
        CheckConstraint("refunded_pence >= 0 AND refunded_pence <= amount_pence", name="refund_within_amount"),
        # Each side's invoices awaiting payment, oldest due first (the dashboards' overdue tasks seek these).
        Index("ix_payments_payer_user_status_due", "payer_user_id", "status", "due_on", "id"),
        Index("ix_payments_payer_org_status_due", "payer_organisation_id", "status", "due_on", "id"),
        Index("ix_payments_payee_org_status_due", "payee_organisation_id", "status", "due_on", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30), index=True)
    payer_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    payer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    payee_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    description: Mapped[str] = mapped_column(String(300))
    amount_pence: Mapped[int] = mapped_column(Integer)
    refunded_pence: Mapped[int] = mapped_column(Integer, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    status: Mapped[str] = mapped_column(String(30), default=PaymentStatus.PENDING, index=True)
    provider: Mapped[str] = mapped_column(String(20))
    provider_reference: Mapped[str | None] = mapped_column(String(120), unique=True)
    provider_payment_reference: Mapped[str | None] = mapped_column(String(120), index=True)
    invoice_reference: Mapped[str | None] = mapped_column(String(30), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_on: Mapped[date | None] = mapped_column(Date, index=True)  # an invoice: issue date plus the payee's terms

    payer_organisation = relationship("Organisation", foreign_keys=[payer_organisation_id])
    payer_user = relationship("User")
    payee_organisation = relationship("Organisation", foreign_keys=[payee_organisation_id])
    refunds = relationship("Refund", back_populates="payment", order_by="Refund.id")

    @property
    def refundable_pence(self) -> int:
        """What has been paid (or is owed) and not yet given back."""
        return self.amount_pence - self.refunded_pence

    @property
    def payer_name(self) -> str:
        """Who pays: the organisation, or the person."""
        if self.payer_organisation is not None:
            return self.payer_organisation.name
        return self.payer_user.name if self.payer_user is not None else ""

    @hybrid_property
    def is_overdue(self) -> bool:
        """Still awaiting payment after its due date (UK calendar, injected clock). Shown and queried, never
        stored as a status: an overdue invoice is still pending, and paying it late is paying it."""
        return self.status == PaymentStatus.PENDING and self.due_on is not None and self.due_on < today()

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls):
        """The same rule in SQL, for lists and dashboard tasks."""
        return and_(cls.status == PaymentStatus.PENDING, cls.due_on.is_not(None), cls.due_on < today())

    @property
    def status_label(self) -> str:
        """The status in words ("Overdue" for an invoice awaiting payment past its due date; "Paid, refund due"
        while money counted as refunded has not been sent back yet)."""
        if self.is_overdue:
            return OVERDUE_WORD
        if self.paid_at is not None and any(refund.status == RefundStatus.PENDING for refund in self.refunds):
            return REFUND_DUE_WORD
        return PaymentStatus(self.status).label

    @property
    def is_paid(self) -> bool:
        """The money arrived (whatever has been refunded since)."""
        return PaymentStatus(self.status).paid

    @property
    def credits(self) -> list:
        """Refunds and credits that count (a refund the provider refused does not)."""
        return [refund for refund in self.refunds if refund.status != RefundStatus.FAILED]


class Refund(HasStatus, TimestampMixin, db.Model):
    """Money returned against a payment."""

    STATES = REFUND_STATES

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=RefundStatus.PENDING)
    reason: Mapped[str] = mapped_column(String(200))
    provider_reference: Mapped[str | None] = mapped_column(String(120), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_reference: Mapped[str | None] = mapped_column(String(60))

    payment = relationship("Payment", back_populates="refunds")

    @property
    def status_label(self) -> str:
        """The refund's state in words."""
        return _REFUND_WORDS[RefundStatus(self.status)]


class WebhookEvent(db.Model):
    """A provider event, stored once by its id: a repeat delivery finds the row and changes nothing."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(120), unique=True)
    event_type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PayeeDetails(TimestampMixin, db.Model):
    """How a publisher is paid, printed on its invoices: bank details and/or a payment link, terms, VAT, address.

    Sort code (6 digits) and account number (8 digits) are stored without spaces or dashes; both or neither.
    """

    __tablename__ = "payee_details"
    __table_args__ = (
        CheckConstraint("terms_days >= 1 AND terms_days <= 120", name="terms_in_range"),
        CheckConstraint("(sort_code IS NULL) = (account_number IS NULL)", name="bank_details_whole"),
        CheckConstraint("sort_code IS NOT NULL OR payment_link IS NOT NULL", name="a_way_to_pay"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    payee_name: Mapped[str] = mapped_column(String(120))
    sort_code: Mapped[str | None] = mapped_column(String(6))
    account_number: Mapped[str | None] = mapped_column(String(8))
    payment_link: Mapped[str | None] = mapped_column(String(500))
    terms_days: Mapped[int] = mapped_column(Integer)
    vat_wording: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation = relationship("Organisation")

    @property
    def sort_code_shown(self) -> str:
        """'12-34-56', as banks print it."""
        code = self.sort_code or ""
        return "-".join(code[i : i + 2] for i in range(0, len(code), 2))

    @property
    def address_lines(self) -> list[str]:
        """The address, one line each (blank lines dropped)."""
        return [line.strip() for line in self.address.splitlines() if line.strip()]


class PayoutStatus(StrEnum):
    """pending → paid | failed; pending → waiting_for_account → paid | failed."""

    PENDING = "pending"
    WAITING_FOR_ACCOUNT = "waiting_for_account"
    PAID = "paid"
    FAILED = "failed"

    @property
    def label(self) -> str:
        """The status in words."""
        return _PAYOUT_WORDS[self]


_PAYOUT_WORDS = {
    PayoutStatus.PENDING: "To be paid",
    PayoutStatus.WAITING_FOR_ACCOUNT: "Waiting for payout details",
    PayoutStatus.PAID: "Paid",
    PayoutStatus.FAILED: "Failed",
}

PAYOUT_STATES = StateMachine(
    PayoutStatus,
    {
        PayoutStatus.PENDING: {PayoutStatus.WAITING_FOR_ACCOUNT, PayoutStatus.PAID, PayoutStatus.FAILED},
        PayoutStatus.WAITING_FOR_ACCOUNT: {PayoutStatus.PAID, PayoutStatus.FAILED},
    },
    "payout",
)


class Payout(HasStatus, TimestampMixin, db.Model):
    """Money paid to a person (a relief worker) on behalf of the organisation that owes it, through a provider."""

    STATES = PAYOUT_STATES

    __tablename__ = "payouts"
    __table_args__ = (
        CheckConstraint("amount_pence > 0", name="amount_positive"),
        # A publisher's payroll (its payouts awaiting payment, oldest first) and a worker's payouts by status.
        Index("ix_payouts_payer_status_created", "payer_organisation_id", "status", "created_at", "id"),
        Index("ix_payouts_payee_status", "payee_user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(30))
    amount_pence: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    payee_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    payer_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    description: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(30), default=PayoutStatus.PENDING)
    provider: Mapped[str] = mapped_column(String(20))
    provider_reference: Mapped[str | None] = mapped_column(String(120), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    payee_user = relationship("User")
    payer_organisation = relationship("Organisation")

    @property
    def reference(self) -> str:
        """Our reference for the payout, as a payroll line or a bank statement shows it."""
        return f"BSP-PO-{self.id:06d}"

    @property
    def status_label(self) -> str:
        """The payout's state in words."""
        return PayoutStatus(self.status).label


class ConnectedAccount(TimestampMixin, db.Model):
    """A person's account at a provider that pays them (a Stripe Connect Express account), as last read from it."""

    __tablename__ = "connected_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(20))
    provider_account_id: Mapped[str] = mapped_column(String(120), unique=True)
    payouts_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    details_submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")


class SavedPaymentMethod(TimestampMixin, db.Model):
    """An organisation's customer record at a provider and the payment method it saved for charges made later."""

    __tablename__ = "saved_payment_methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(20))
    provider_customer_id: Mapped[str] = mapped_column(String(120), unique=True)
    setup_reference: Mapped[str | None] = mapped_column(String(120))  # the latest setup checkout started
    setups_started: Mapped[int] = mapped_column(Integer, default=0)
    payment_method_reference: Mapped[str | None] = mapped_column(String(120))
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when the provider set the method up
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation = relationship("Organisation")
