"""Training's statuses, each with its table of legal transitions, and the other fixed choices of its models."""

from enum import StrEnum

from ..core.states import StateMachine


class CourseStatus(StrEnum):
    """draft → published → archived (archived courses can be published again)."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


COURSE_STATES = StateMachine(
    CourseStatus,
    {
        CourseStatus.DRAFT: {CourseStatus.PUBLISHED, CourseStatus.ARCHIVED},
        CourseStatus.PUBLISHED: {CourseStatus.ARCHIVED},
        CourseStatus.ARCHIVED: {CourseStatus.PUBLISHED},
    },
    "course",
)


class Delivery(StrEnum):
    """How a course is delivered."""

    IN_PERSON = "in_person"
    ONLINE = "online"

    @property
    def label(self) -> str:
        return "In person" if self is Delivery.IN_PERSON else "Online"


class SessionStatus(StrEnum):
    """scheduled → completed, or cancelled."""

    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


SESSION_STATES = StateMachine(
    SessionStatus, {SessionStatus.SCHEDULED: {SessionStatus.COMPLETED, SessionStatus.CANCELLED}}, "session"
)


class BookingStatus(StrEnum):
    """reserved (seats held while paying) → confirmed → cancelled; an unpaid hold expires."""

    RESERVED = "reserved"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


BOOKING_STATES = StateMachine(
    BookingStatus,
    {
        BookingStatus.RESERVED: {BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.EXPIRED},
        BookingStatus.CONFIRMED: {BookingStatus.CANCELLED},
        BookingStatus.EXPIRED: {BookingStatus.CONFIRMED},  # paid just after the hold lapsed, seats still free
    },
    "booking",
)
HOLDS_SEATS = (BookingStatus.RESERVED, BookingStatus.CONFIRMED)


class AttendeeStatus(StrEnum):
    """booked → attended | no_show; cancelled with the booking."""

    BOOKED = "booked"
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


ATTENDEE_STATES = StateMachine(
    AttendeeStatus,
    {
        AttendeeStatus.BOOKED: {AttendeeStatus.ATTENDED, AttendeeStatus.NO_SHOW, AttendeeStatus.CANCELLED},
        AttendeeStatus.ATTENDED: {AttendeeStatus.NO_SHOW},
        AttendeeStatus.NO_SHOW: {AttendeeStatus.ATTENDED},
        AttendeeStatus.CANCELLED: {AttendeeStatus.BOOKED},  # an expired hold paid for after all
    },
    "attendee",
)


class WaitStatus(StrEnum):
    """waiting → offered → booked | expired | withdrawn."""

    WAITING = "waiting"
    OFFERED = "offered"
    BOOKED = "booked"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


WAIT_STATES = StateMachine(
    WaitStatus,
    {
        WaitStatus.WAITING: {WaitStatus.OFFERED, WaitStatus.WITHDRAWN},
        WaitStatus.OFFERED: {WaitStatus.BOOKED, WaitStatus.EXPIRED, WaitStatus.WITHDRAWN},
    },
    "waiting_list",
)


class PriceBand(StrEnum):
    """Which price a booker pays."""

    FREE = "free"
    SUBSIDISED = "subsidised"
    FULL = "full"
