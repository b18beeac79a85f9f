"""Payment, refund and webhook-event records."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin
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


PAYMENT_TRANSITIONS = {
    PaymentStatus.PENDING: {PaymentStatus.SUCCEEDED, PaymentStatus.FAILED, PaymentStatus.CANCELLED},
    PaymentStatus.CANCELLED: {PaymentStatus.SUCCEEDED},  # paid at the last moment after all
    PaymentStatus.SUCCEEDED: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED},
    PaymentStatus.PARTIALLY_REFUNDED: {PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED},
}


class RefundStatus(StrEnum):
    """pending → succeeded | failed."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Payment(TimestampMixin, db.Model):
    """One payment from a payer to a publisher, through a provider."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
        CheckConstraint("refunded_pence >= 0 AND refunded_pence <= amount_pence", name="refund_within_amount"),
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

    payer_organisation = relationship("Organisation", foreign_keys=[payer_organisation_id])
    payer_user = relationship("User")
    payee_organisation = relationship("Organisation", foreign_keys=[payee_organisation_id])
    refunds = relationship("Refund", back_populates="payment", order_by="Refund.id", lazy="selectin")

    @property
    def refundable_pence(self) -> int:
        return self.amount_pence - self.refunded_pence


class Refund(TimestampMixin, db.Model):
    """Money returned against a payment."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_pence: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=RefundStatus.PENDING)
    reason: Mapped[str] = mapped_column(String(200))
    provider_reference: Mapped[str | None] = mapped_column(String(120), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)

    payment = relationship("Payment", back_populates="refunds")


class WebhookEvent(db.Model):
    """A provider event, stored once by its id: a repeat delivery finds the row and changes nothing."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(120), unique=True)
    event_type: Mapped[str] = mapped_column(String(80))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
