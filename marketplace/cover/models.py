"""Relief cover's tables: worker profiles and their checks, relief pools, who is in them, cover requests, shifts
and who was alerted to each."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import to_london
from ..core.models import TimestampMixin
from ..core.states import HasStatus
from ..core.types import UTCDateTime
from ..extensions import db
from .statuses import (
    HOLDS_WORKER,
    POOL_MEMBER_STATES,
    POOL_STATES,
    POOL_WORKER_STATES,
    REQUEST_STATES,
    SHIFT_STATES,
    TIMESHEET_STATES,
    WEEKDAYS,
    AbsenceCategory,
    DbsLevel,
    MemberStatus,
    PoolStatus,
    RequestStatus,
    ShiftStatus,
    Skill,
    TimesheetStatus,
    WorkerStatus,
)

worker_areas = Table(
    "relief_worker_areas",
    db.Model.metadata,
    Column("profile_id", ForeignKey("relief_worker_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id"), primary_key=True, index=True),
)
pool_areas = Table(
    "relief_pool_areas",
    db.Model.metadata,
    Column("pool_id", ForeignKey("relief_pools.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id"), primary_key=True),
)
pool_topics = Table(
    "relief_pool_topics",
    db.Model.metadata,
    Column("pool_id", ForeignKey("relief_pools.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("training_topics.id"), primary_key=True),
)
request_topics = Table(
    "cover_request_topics",
    db.Model.metadata,
    Column("request_id", ForeignKey("cover_requests.id", ondelete="CASCADE"), primary_key=True),
    Column("topic_id", ForeignKey("training_topics.id"), primary_key=True),
)


class ReliefWorkerProfile(TimestampMixin, db.Model):
    """A person's profile as a relief worker: about them, skills, areas, availability, checks and referees.

    We store a DBS check's level, issue date and Update Service flag, never the certificate's contents.
    """

    __tablename__ = "relief_worker_profiles"
    __table_args__ = (
        Index(  # matching reads each worker's checks by person (an index-only scan)
            "ix_relief_worker_profiles_user_id_checks",
            "user_id",
            postgresql_include=["id", "dbs_level", "dbs_issued_on", "dbs_update_service"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    about: Mapped[str | None] = mapped_column(Text)
    dbs_level: Mapped[str | None] = mapped_column(String(20))
    dbs_issued_on: Mapped[date | None] = mapped_column(Date)
    dbs_update_service: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    referee_1: Mapped[str | None] = mapped_column(String(200))
    referee_2: Mapped[str | None] = mapped_column(String(200))

    user = relationship("User", back_populates="relief_profile")
    area = relationship("Area")
    areas_covered = relationship("Area", secondary=worker_areas, order_by="Area.name")
    skills = relationship("WorkerSkill", cascade="all, delete-orphan", order_by="WorkerSkill.skill")
    availability = relationship(
        "WorkerAvailability", cascade="all, delete-orphan", order_by="WorkerAvailability.weekday"
    )
    days_off = relationship("WorkerDayOff", cascade="all, delete-orphan", order_by="WorkerDayOff.day")

    @property
    def dbs_level_label(self) -> str:
        return DbsLevel(self.dbs_level).label if self.dbs_level else "Not given"

    @property
    def skill_labels(self) -> list[str]:
        return [Skill(row.skill).label for row in self.skills]


class WorkerSkill(db.Model):
    """One kind of support a relief worker can give."""

    __tablename__ = "relief_worker_skills"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("relief_worker_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    skill: Mapped[str] = mapped_column(String(30), primary_key=True)


class WorkerAvailability(db.Model):
    """When a relief worker can usually work on one day of the week, as minutes after that day's midnight (UK time);
    an end past 1440 runs into the next morning (overnight)."""

    __tablename__ = "relief_worker_availability"
    __table_args__ = (
        CheckConstraint("starts_minute >= 0 AND starts_minute < 1440", name="starts_within_day"),
        CheckConstraint("ends_minute > starts_minute AND ends_minute <= 2880", name="ends_after_start"),
    )

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("relief_worker_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    weekday: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # Monday is 0
    starts_minute: Mapped[int] = mapped_column(Integer)
    ends_minute: Mapped[int] = mapped_column(Integer)

    @property
    def day_name(self) -> str:
        return WEEKDAYS[self.weekday]


class WorkerDayOff(db.Model):
    """A date a relief worker cannot work, whatever their weekly pattern says."""

    __tablename__ = "relief_worker_days_off"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("relief_worker_profiles.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class ReliefPool(HasStatus, TimestampMixin, db.Model):
    """A council or NHS body's pool of vetted relief workers, with its checks, training, pay, charge and funding."""

    STATES = POOL_STATES
    __tablename__ = "relief_pools"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=PoolStatus.DRAFT, index=True)
    region: Mapped[str] = mapped_column(String(30))  # pay.Region: whose bank holidays carry the weekend uplift
    dbs_level: Mapped[str] = mapped_column(String(20), default=DbsLevel.ENHANCED)
    dbs_max_age_months: Mapped[int | None] = mapped_column(Integer)  # None: any age; Update Service: always current
    right_to_work_required: Mapped[bool] = mapped_column(Boolean, default=True)
    hourly_rate_pence: Mapped[int] = mapped_column(Integer)
    night_uplift_percent: Mapped[int] = mapped_column(Integer, default=0)
    weekend_uplift_percent: Mapped[int] = mapped_column(Integer, default=0)
    hourly_charge_pence: Mapped[int] = mapped_column(Integer)
    funded_hours_per_year: Mapped[int] = mapped_column(Integer, default=0)
    min_notice_hours: Mapped[int] = mapped_column(Integer, default=0)

    organisation = relationship("Organisation")
    areas = relationship("Area", secondary=pool_areas, order_by="Area.name")
    required_topics = relationship("Topic", secondary=pool_topics, order_by="Topic.name")

    @property
    def is_open(self) -> bool:
        return self.status == PoolStatus.OPEN

    @property
    def dbs_level_label(self) -> str:
        return DbsLevel(self.dbs_level).label


class PoolMember(HasStatus, TimestampMixin, db.Model):
    """An enterprise's membership of a relief pool: it may post cover requests once approved."""

    STATES = POOL_MEMBER_STATES
    __tablename__ = "relief_pool_members"
    __table_args__ = (UniqueConstraint("pool_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("relief_pools.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=MemberStatus.PENDING)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    pool = relationship("ReliefPool")
    organisation = relationship("Organisation")

    @property
    def is_approved(self) -> bool:
        return self.status == MemberStatus.APPROVED


class AllowanceEntry(TimestampMixin, db.Model):
    """One change to an enterprise's funded hours in a pool year: granted (+) or used (-), in minutes.

    The ledger is the rows: what is left is their sum, never a stored total (every change is a row).
    """

    __tablename__ = "relief_allowance_entries"
    __table_args__ = (
        Index("ix_relief_allowance_entries_member_year", "member_id", "year"),
        UniqueConstraint("member_id", "year", "reason", "source_key"),  # a grant or a use is written once
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("relief_pool_members.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20))  # "granted" or "used"
    source_key: Mapped[str] = mapped_column(String(40))  # what the row is for ("year", "shift:12")


class PoolWorker(HasStatus, TimestampMixin, db.Model):
    """A relief worker's membership of a pool, with the pool manager's record of the checks they saw (the DBS
    outcome and the right-to-work check: on what date, by whom)."""

    STATES = POOL_WORKER_STATES
    __tablename__ = "relief_pool_workers"
    __table_args__ = (
        UniqueConstraint("pool_id", "user_id"),
        Index(  # matching starts from a pool's approved workers, with their checks (an index-only scan)
            "ix_relief_pool_workers_pool_status",
            "pool_id",
            "status",
            postgresql_include=["user_id", "id", "dbs_verified", "right_to_work_checked_on"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("relief_pools.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=WorkerStatus.APPLIED)
    dbs_verified: Mapped[bool] = mapped_column(Boolean, default=False)  # the manager saw the certificate or update
    right_to_work_checked_on: Mapped[date | None] = mapped_column(Date)  # by the manager who decided
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    pool = relationship("ReliefPool")
    user = relationship("User", foreign_keys=[user_id])


class WorkerBlock(TimestampMixin, db.Model):
    """An enterprise will not be offered this worker again."""

    __tablename__ = "relief_worker_blocks"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class CoverRequest(HasStatus, TimestampMixin, db.Model):
    """An enterprise's request for someone to cover its work: one or more shifts in one area.

    private_notes (addresses, key safe, the client's needs) are shown only to the enterprise and to the worker who
    accepts a shift; absence is a category, never health details. Both are erased 90 days after the request ends.
    """

    STATES = REQUEST_STATES
    __tablename__ = "cover_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("relief_pools.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    description: Mapped[str] = mapped_column(Text)
    private_notes: Mapped[str | None] = mapped_column(Text)
    absence_category: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default=RequestStatus.OPEN, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # its last shift's end
    private_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    pool = relationship("ReliefPool")
    organisation = relationship("Organisation")
    area = relationship("Area")
    skills = relationship("RequestSkill", cascade="all, delete-orphan", order_by="RequestSkill.skill")
    extra_topics = relationship("Topic", secondary=request_topics, order_by="Topic.name")
    shifts = relationship("CoverShift", back_populates="request", order_by="CoverShift.starts_at")

    @property
    def status_label(self) -> str:
        return RequestStatus(self.status).label

    @property
    def absence_label(self) -> str:
        return AbsenceCategory(self.absence_category).label if self.absence_category else ""

    @property
    def skill_labels(self) -> list[str]:
        return [Skill(row.skill).label for row in self.skills]


class RequestSkill(db.Model):
    """One kind of support a cover request needs."""

    __tablename__ = "cover_request_skills"

    request_id: Mapped[int] = mapped_column(ForeignKey("cover_requests.id", ondelete="CASCADE"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(30), primary_key=True)


class CoverShift(HasStatus, TimestampMixin, db.Model):
    """One shift of a cover request; accepted by exactly one worker.

    Matching compares columns, not Python values: the shift's UK date, weekday and minutes (start_minute after its
    day's midnight, end_minute possibly past 1440 for an overnight shift) and the oldest DBS issue date the pool
    accepts on that date are stored with it, so one query finds workers for a shift or shifts for a worker.
    """

    STATES = SHIFT_STATES
    __tablename__ = "cover_shifts"
    __table_args__ = (
        Index("ix_cover_shifts_status_starts_at", "status", "starts_at"),
        Index("ix_cover_shifts_worker_id_starts_at", "worker_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("cover_requests.id", ondelete="CASCADE"), index=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("relief_pools.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)  # UK date it starts
    last_day: Mapped[date] = mapped_column(Date)  # UK date it ends (checks and training must be valid until then)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    dbs_issued_after: Mapped[date | None] = mapped_column(Date)  # None: the pool accepts a check of any age
    status: Mapped[str] = mapped_column(String(20), default=ShiftStatus.OPEN)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    alerted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the best matches were told
    widened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # every eligible worker was told

    request = relationship("CoverRequest", back_populates="shifts")
    worker = relationship("User", foreign_keys=[worker_id])
    timesheet = relationship("Timesheet", back_populates="shift", uselist=False)

    @property
    def status_label(self) -> str:
        return ShiftStatus(self.status).label

    @property
    def holds_worker(self) -> bool:
        """Accepted or completed: the worker has (or had) it."""
        return self.status in HOLDS_WORKER

    @property
    def local_start(self) -> datetime:
        return to_london(self.starts_at)

    @property
    def local_end(self) -> datetime:
        return to_london(self.ends_at)


class ShiftAlert(db.Model):
    """A worker told about an open shift, and when: the request's page lists them."""

    __tablename__ = "cover_shift_alerts"

    shift_id: Mapped[int] = mapped_column(ForeignKey("cover_shifts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    alerted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rank: Mapped[int] = mapped_column(Integer)  # 1 is the best match when alerted
    widened: Mapped[bool] = mapped_column(Boolean, default=False)  # told when the shift went to everyone eligible

    user = relationship("User")


class ShiftRating(TimestampMixin, db.Model):
    """One side's rating of the other after a completed shift: the enterprise rates the worker, and back."""

    __tablename__ = "cover_shift_ratings"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 5", name="score_1_to_5"),)

    shift_id: Mapped[int] = mapped_column(ForeignKey("cover_shifts.id", ondelete="CASCADE"), primary_key=True)
    by_enterprise: Mapped[bool] = mapped_column(Boolean, primary_key=True)  # False: the worker rated the enterprise
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(String(500))


class Strike(TimestampMixin, db.Model):
    """A late cancellation (under 24 hours' notice) or a no-show, against a worker or an enterprise's membership.

    Three in 90 days suspend the worker (or the membership) until the pool manager reviews them.
    """

    __tablename__ = "cover_strikes"
    __table_args__ = (
        Index("ix_cover_strikes_user_id_created_at", "user_id", "created_at"),
        Index("ix_cover_strikes_member_id_created_at", "member_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("relief_pools.id", ondelete="CASCADE"), index=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("cover_shifts.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))  # the worker's strike
    member_id: Mapped[int | None] = mapped_column(ForeignKey("relief_pool_members.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(20))  # "late_cancellation" or "no_show"
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")
    member = relationship("PoolMember")

    @property
    def reason_label(self) -> str:
        return "Late cancellation" if self.reason == "late_cancellation" else "No-show"


class Timesheet(HasStatus, TimestampMixin, db.Model):
    """What the worker says they worked on a shift, and what came of it once approved: the minutes worked, how many
    the enterprise's funded hours covered, the rest charged at the pool's charge, and the worker's pay with uplifts.

    One per shift. Approved: the shift is completed and the money is written once (the keys of the payment, the
    payout and the allowance row come from this record).
    """

    STATES = TIMESHEET_STATES
    __tablename__ = "cover_timesheets"
    __table_args__ = (
        CheckConstraint("ended_at > started_at", name="ends_after_start"),
        CheckConstraint("break_minutes >= 0", name="break_not_negative"),
        Index("ix_cover_timesheets_status_submitted_at", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("cover_shifts.id", ondelete="CASCADE"), unique=True)
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    break_minutes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=TimesheetStatus.SUBMITTED)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    dispute_reason: Mapped[str | None] = mapped_column(String(500))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    auto_approved: Mapped[bool] = mapped_column(Boolean, default=False)
    worked_minutes: Mapped[int | None] = mapped_column(Integer)
    funded_minutes: Mapped[int | None] = mapped_column(Integer)
    charged_pence: Mapped[int | None] = mapped_column(Integer)
    pay_pence: Mapped[int | None] = mapped_column(Integer)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payouts.id"))

    shift = relationship("CoverShift", back_populates="timesheet")
    worker = relationship("User", foreign_keys=[worker_id])
    payout = relationship("Payout")
    payment = relationship("Payment")

    @property
    def worked(self) -> int:
        """Minutes worked as submitted: the span less the break."""
        return int((self.ended_at - self.started_at).total_seconds() // 60) - self.break_minutes
