"""Insurance's tables: schemes (their cover lines, price tiers, eligibility and underwriting questions) and each
enterprise's enrolment in one, with its answers."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin
from ..core.states import HasStatus
from ..core.types import UTCDateTime
from ..extensions import db
from .statuses import (
    ENROLMENT_STATES,
    SCHEME_STATES,
    Billing,
    CoverKind,
    EnrolmentStatus,
    QuestionKind,
    SchemeStatus,
    SubsidyKind,
)

scheme_areas = Table(
    "insurance_scheme_areas",
    db.Model.metadata,
    Column("scheme_id", ForeignKey("insurance_schemes.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id"), primary_key=True),
)


class Scheme(HasStatus, TimestampMixin, db.Model):
    """A group policy a publisher negotiated, open to eligible enterprises for one policy period.

    Prices are per member per year, in pence, by tier of member count; when the scheme activates the tier reached
    is locked (`locked_price_pence`) and nobody's price rises during the period.
    """

    STATES = SCHEME_STATES

    __tablename__ = "insurance_schemes"
    __table_args__ = (
        CheckConstraint("period_ends > period_starts", name="period_ends_after_start"),
        CheckConstraint("enrolment_closes >= enrolment_opens", name="enrolment_closes_after_opening"),
        CheckConstraint("threshold >= 1", name="threshold_positive"),
        CheckConstraint("max_members IS NULL OR max_members >= threshold", name="max_members_at_least_threshold"),
        CheckConstraint("subsidy_value >= 0", name="subsidy_not_negative"),
        Index("ix_insurance_schemes_status_enrolment_closes", "status", "enrolment_closes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=SchemeStatus.DRAFT, index=True)
    insurer_name: Mapped[str] = mapped_column(String(120))
    insurer_frn: Mapped[str] = mapped_column(String(7))  # FCA firm reference number: 6 or 7 digits
    broker_name: Mapped[str | None] = mapped_column(String(120))
    broker_frn: Mapped[str | None] = mapped_column(String(7))
    period_starts: Mapped[date] = mapped_column(Date)
    period_ends: Mapped[date] = mapped_column(Date)  # the last day of cover
    enrolment_opens: Mapped[date] = mapped_column(Date)
    enrolment_closes: Mapped[date] = mapped_column(Date)  # the last day to pledge before activation
    billing: Mapped[str] = mapped_column(String(10), default=Billing.ANNUAL)
    threshold: Mapped[int] = mapped_column(Integer)  # members needed for the scheme to go ahead
    max_members: Mapped[int | None] = mapped_column(Integer)
    subsidy_kind: Mapped[str] = mapped_column(String(10), default=SubsidyKind.NONE)
    subsidy_value: Mapped[int] = mapped_column(Integer, default=0)  # pence (fixed) or percent
    subsidy_budget_pence: Mapped[int | None] = mapped_column(Integer)  # the most the publisher pays in all
    max_fte: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    legal_forms: Mapped[str] = mapped_column(String(200), default="")  # comma-separated; empty: any
    wording_file: Mapped[str | None] = mapped_column(String(80))  # a random name under the uploads folder
    wording_name: Mapped[str | None] = mapped_column(String(200))  # what the publisher called it
    locked_price_pence: Mapped[int | None] = mapped_column(Integer)  # per member per year, once active
    locked_members: Mapped[int | None] = mapped_column(Integer)  # the pool size that reached it
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("insurance_schemes.id"))  # the period it follows

    organisation = relationship("Organisation")
    areas = relationship("Area", secondary=scheme_areas, order_by="Area.name")
    cover_lines = relationship("CoverLine", order_by="CoverLine.id", cascade="all, delete-orphan")
    tiers = relationship("PriceTier", order_by="PriceTier.min_members", cascade="all, delete-orphan")
    questions = relationship("Question", order_by="Question.position", cascade="all, delete-orphan")

    @property
    def legal_form_list(self) -> list[str]:
        return [form for form in self.legal_forms.split(",") if form]


class CoverLine(db.Model):
    """One kind of cover in a scheme, with its limit and excess."""

    __tablename__ = "insurance_cover_lines"
    __table_args__ = (
        UniqueConstraint("scheme_id", "kind"),
        CheckConstraint("limit_pence > 0 AND excess_pence >= 0", name="limit_and_excess"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("insurance_schemes.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    limit_pence: Mapped[int] = mapped_column(BigInteger)
    excess_pence: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def label(self) -> str:
        return CoverKind(self.kind).label


class PriceTier(db.Model):
    """From `min_members` members up (to the next tier), each member pays `annual_price_pence` a year."""

    __tablename__ = "insurance_price_tiers"
    __table_args__ = (
        UniqueConstraint("scheme_id", "min_members"),
        CheckConstraint("min_members >= 1 AND annual_price_pence > 0", name="tier_values"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("insurance_schemes.id", ondelete="CASCADE"), index=True)
    min_members: Mapped[int] = mapped_column(Integer)
    annual_price_pence: Mapped[int] = mapped_column(Integer)


class Question(db.Model):
    """An underwriting question: yes or no (one answer may decline the enterprise), or a short written answer."""

    __tablename__ = "insurance_questions"
    __table_args__ = (UniqueConstraint("scheme_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("insurance_schemes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10), default=QuestionKind.YES_NO)
    declining_answer: Mapped[str | None] = mapped_column(String(3))  # "yes" or "no": that answer declines


class Enrolment(HasStatus, TimestampMixin, db.Model):
    """An enterprise's place in a scheme: pledged (nobody charged), then active once its premium is taken.

    `annual_price_pence` is the tier price it pays (locked at activation, or the locked price for a later joiner),
    `subsidy_pence` what the publisher pays of it, `premium_pence` what the enterprise is charged for its period
    (pro rata for a later joiner).
    """

    STATES = ENROLMENT_STATES

    __tablename__ = "insurance_enrolments"
    __table_args__ = (
        UniqueConstraint("scheme_id", "organisation_id"),
        Index("ix_insurance_enrolments_scheme_status", "scheme_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("insurance_schemes.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=EnrolmentStatus.PLEDGED)
    member_number: Mapped[str] = mapped_column(String(20), unique=True)
    pledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    pledged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    invoice_mandate_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # agreed to pay by invoice
    annual_price_pence: Mapped[int | None] = mapped_column(Integer)
    subsidy_pence: Mapped[int | None] = mapped_column(Integer)
    premium_pence: Mapped[int | None] = mapped_column(Integer)
    cover_starts: Mapped[date | None] = mapped_column(Date)
    cover_ends: Mapped[date | None] = mapped_column(Date)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    charge_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the first failure of its charge
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_reason: Mapped[str | None] = mapped_column(String(30))
    proof_token: Mapped[str | None] = mapped_column(String(43), unique=True)  # the shareable proof-of-cover link

    scheme = relationship("Scheme")
    organisation = relationship("Organisation")
    payment = relationship("Payment")
    answers = relationship("Answer", cascade="all, delete-orphan")


class Answer(db.Model):
    """An enrolment's answer to one underwriting question, as given."""

    __tablename__ = "insurance_answers"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("insurance_enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("insurance_questions.id", ondelete="CASCADE"), primary_key=True)
    answer: Mapped[str] = mapped_column(String(500))
