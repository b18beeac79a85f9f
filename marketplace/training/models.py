"""Training models; their statuses and tables of legal transitions are in statuses.py."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.clock import utcnow
from ..core.models import TimestampMixin
from ..core.states import HasStatus
from ..core.types import UTCDateTime
from ..extensions import db
from .statuses import (  # noqa: F401  (re-exported: callers import statuses with their models)
    ATTENDEE_STATES,
    BOOKING_STATES,
    COURSE_STATES,
    HOLDS_SEATS,
    SESSION_STATES,
    WAIT_STATES,
    AttendeeStatus,
    BookingStatus,
    CourseStatus,
    Delivery,
    PriceBand,
    SessionStatus,
    WaitStatus,
)


class Topic(TimestampMixin, db.Model):
    """A training topic from the managed list (admins add, rename and retire them)."""

    __tablename__ = "training_topics"
    # A name is taken whatever its case: add_topic relies on this, so two admins adding one topic at once get one.
    __table_args__ = (Index("uq_training_topics_lower_name", text("lower(name)"), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # not offered for new courses once set


course_areas = Table(
    "training_course_areas",
    db.Model.metadata,
    Column("course_id", ForeignKey("training_courses.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class Course(HasStatus, TimestampMixin, db.Model):
    """A course a publisher offers; sessions are its dates."""

    STATES = COURSE_STATES

    __tablename__ = "training_courses"
    __table_args__ = (
        CheckConstraint("full_price_pence >= 0 AND subsidised_price_pence >= 0", name="prices_not_negative"),
        CheckConstraint("subsidised_price_pence <= full_price_pence", name="subsidy_not_above_full"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    topic_id: Mapped[int] = mapped_column(ForeignKey("training_topics.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    delivery: Mapped[str] = mapped_column(String(20), default=Delivery.IN_PERSON)
    accreditation: Mapped[str | None] = mapped_column(String(160))
    cpd_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1), default=Decimal("0"))
    certificate_validity_months: Mapped[int | None] = mapped_column(Integer)
    full_price_pence: Mapped[int] = mapped_column(Integer, default=0)
    subsidised_price_pence: Mapped[int] = mapped_column(Integer, default=0)
    cancellation_cutoff_days: Mapped[int] = mapped_column(Integer, default=7)
    max_fte: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    status: Mapped[str] = mapped_column(String(20), default=CourseStatus.DRAFT, index=True)

    organisation = relationship("Organisation")
    topic = relationship("Topic")
    eligible_areas = relationship("Area", secondary=course_areas, order_by="Area.name")
    sessions = relationship("TrainingSession", back_populates="course", order_by="TrainingSession.starts_at")

    @property
    def delivery_label(self) -> str:
        return Delivery(self.delivery).label

    @property
    def can_publish(self) -> bool:
        """Draft and archived courses can be published."""
        return self.can_become(CourseStatus.PUBLISHED)

    @property
    def can_archive(self) -> bool:
        """Draft and published courses can be archived."""
        return self.can_become(CourseStatus.ARCHIVED)

    @property
    def can_add_sessions(self) -> bool:
        """An archived course takes no new sessions until it is published again."""
        return self.status != CourseStatus.ARCHIVED


class TrainingSession(HasStatus, TimestampMixin, db.Model):
    """One date of a course, with a fixed number of seats."""

    STATES = SESSION_STATES

    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"),
        CheckConstraint("capacity > 0", name="capacity_positive"),
        Index("ix_training_sessions_status_starts_at_id", "status", "starts_at", "id"),  # the catalogue's order
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    booking_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    venue_address: Mapped[str | None] = mapped_column(Text)
    online_link: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(Integer)
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=SessionStatus.SCHEDULED)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Goes up whenever booked people are told of a change: calendar apps replace an event with a higher SEQUENCE.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    course = relationship("Course", back_populates="sessions")

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)

    @property
    def has_started(self) -> bool:
        """The session's start time has passed (by the injectable clock)."""
        return utcnow() >= self.starts_at

    @property
    def can_change(self) -> bool:
        """Only a scheduled session that has not started can be changed or cancelled."""
        return self.can_become(SessionStatus.CANCELLED) and not self.has_started

    @property
    def takes_offers(self) -> bool:
        """Scheduled and before its booking deadline: places can still be booked or offered from the waiting list."""
        return self.status == SessionStatus.SCHEDULED and utcnow() < self.booking_deadline

    @property
    def booking_has_closed(self) -> bool:
        """A scheduled session whose booking deadline has passed."""
        return self.status == SessionStatus.SCHEDULED and not self.takes_offers

    @property
    def is_bookable(self) -> bool:
        """Open for booking now: it takes offers and its course is published."""
        return self.takes_offers and self.course.status == CourseStatus.PUBLISHED

    @property
    def can_complete(self) -> bool:
        """A scheduled session is completed once every attendee is marked."""
        return self.can_become(SessionStatus.COMPLETED)

    @property
    def phase(self) -> str:
        """The status to show: in_progress from start to end (even once marked), ended if over but unmarked."""
        if self.status == SessionStatus.CANCELLED or not self.has_started:
            return self.status
        if utcnow() < self.ends_at:
            return "in_progress"
        return "ended" if self.status == SessionStatus.SCHEDULED else self.status


class Booking(HasStatus, TimestampMixin, db.Model):
    """Places on a session booked by one person, for themselves or their enterprise's staff."""

    STATES = BOOKING_STATES

    __tablename__ = "training_bookings"
    __table_args__ = (
        CheckConstraint("seats > 0", name="seats_positive"),
        Index("ix_training_bookings_status_hold", "status", "hold_expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    booker_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=BookingStatus.RESERVED)
    seats: Mapped[int] = mapped_column(Integer)
    price_band: Mapped[str] = mapped_column(String(20))
    unit_price_pence: Mapped[int] = mapped_column(Integer)
    total_pence: Mapped[int] = mapped_column(Integer)
    hold_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancellation_reason: Mapped[str | None] = mapped_column(String(200))

    session = relationship("TrainingSession")
    booker = relationship("User")
    organisation = relationship("Organisation")
    payment = relationship("Payment")
    attendees = relationship("Attendee", back_populates="booking", order_by="Attendee.id")

    @property
    def can_cancel(self) -> bool:
        """A live booking can be cancelled until its session starts."""
        return self.can_become(BookingStatus.CANCELLED) and not self.session.has_started


class Attendee(HasStatus, TimestampMixin, db.Model):
    """A named person with a seat; a person can hold only one live seat per session."""

    STATES = ATTENDEE_STATES

    __tablename__ = "training_attendees"
    __table_args__ = (
        Index(
            "uq_training_attendees_session_email_live",
            "session_id",
            "email",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("training_bookings.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), index=True)  # "Your bookings": places booked for this address
    status: Mapped[str] = mapped_column(String(20), default=AttendeeStatus.BOOKED)
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    booking = relationship("Booking", back_populates="attendees")
    record = relationship("TrainingRecord", back_populates="attendee", uselist=False)


class WaitingListEntry(HasStatus, TimestampMixin, db.Model):
    """A request for places on a full session, offered seats in turn as they free up."""

    STATES = WAIT_STATES

    __tablename__ = "training_waiting_list"
    __table_args__ = (Index("ix_training_waiting_list_session_status", "session_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    seats: Mapped[int] = mapped_column(Integer)
    attendees: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=WaitStatus.WAITING)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("training_bookings.id"))

    session = relationship("TrainingSession")
    user = relationship("User")
    organisation = relationship("Organisation")


class TrainingRecord(TimestampMixin, db.Model):
    """Proof that a person completed a course: what relief pools check; has a public certificate number."""

    __tablename__ = "training_records"
    __table_args__ = (
        # Relief cover's matching asks, per worker and topic, for a record valid on a shift's days (index only scans)
        Index(
            "ix_training_records_user_id_topic_id",
            "user_id",
            "topic_id",
            postgresql_include=["completed_on", "expires_on"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attendee_id: Mapped[int | None] = mapped_column(ForeignKey("training_attendees.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    person_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("training_topics.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id"), index=True)
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    certificate_number: Mapped[str] = mapped_column(String(20), unique=True)
    expiry_warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    attendee = relationship("Attendee", back_populates="record")
    topic = relationship("Topic")
    course = relationship("Course")


class CalendarFeed(TimestampMixin, db.Model):
    """A person's private calendar feed address (the token can be revoked by replacing it)."""

    __tablename__ = "training_calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
