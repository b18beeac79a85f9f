"""Relief cover's statuses, each with its table of legal transitions, and the fixed choices of its models."""

from enum import StrEnum

from ..core.states import StateMachine


class PoolStatus(StrEnum):
    """draft → open → closed (a closed pool can open again)."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


POOL_STATES = StateMachine(
    PoolStatus,
    {PoolStatus.DRAFT: {PoolStatus.OPEN}, PoolStatus.OPEN: {PoolStatus.CLOSED}, PoolStatus.CLOSED: {PoolStatus.OPEN}},
    "relief_pool",
)


class MemberStatus(StrEnum):
    """An enterprise in a pool: pending → approved | declined, later suspended | left."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    SUSPENDED = "suspended"
    LEFT = "left"


POOL_MEMBER_STATES = StateMachine(
    MemberStatus,
    {
        MemberStatus.PENDING: {MemberStatus.APPROVED, MemberStatus.DECLINED, MemberStatus.LEFT},
        MemberStatus.APPROVED: {MemberStatus.SUSPENDED, MemberStatus.LEFT},
        MemberStatus.SUSPENDED: {MemberStatus.APPROVED, MemberStatus.LEFT},
        MemberStatus.DECLINED: {MemberStatus.PENDING},  # applying again
        MemberStatus.LEFT: {MemberStatus.PENDING},
    },
    "pool_member",
)


class WorkerStatus(StrEnum):
    """A relief worker in a pool: applied → approved | declined, later suspended."""

    APPLIED = "applied"
    APPROVED = "approved"
    DECLINED = "declined"
    SUSPENDED = "suspended"


POOL_WORKER_STATES = StateMachine(
    WorkerStatus,
    {
        WorkerStatus.APPLIED: {WorkerStatus.APPROVED, WorkerStatus.DECLINED},
        WorkerStatus.APPROVED: {WorkerStatus.SUSPENDED},
        WorkerStatus.SUSPENDED: {WorkerStatus.APPROVED},
        WorkerStatus.DECLINED: {WorkerStatus.APPLIED},  # applying again
    },
    "pool_worker",
)


class RequestStatus(StrEnum):
    """open → partly filled → filled → completed, or cancelled."""

    OPEN = "open"
    PARTLY_FILLED = "partly_filled"
    FILLED = "filled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


REQUEST_STATES = StateMachine(
    RequestStatus,
    {
        RequestStatus.OPEN: {RequestStatus.PARTLY_FILLED, RequestStatus.FILLED, RequestStatus.CANCELLED},
        RequestStatus.PARTLY_FILLED: {
            RequestStatus.OPEN,
            RequestStatus.FILLED,
            RequestStatus.COMPLETED,
            RequestStatus.CANCELLED,
        },
        RequestStatus.FILLED: {
            RequestStatus.PARTLY_FILLED,
            RequestStatus.OPEN,
            RequestStatus.COMPLETED,
            RequestStatus.CANCELLED,
        },
    },
    "cover_request",
)


class ShiftStatus(StrEnum):
    """open → accepted → completed, or cancelled, no_show; an accepted shift cancelled by either side reopens."""

    OPEN = "open"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return "No-show" if self is ShiftStatus.NO_SHOW else self.value.capitalize()


SHIFT_STATES = StateMachine(
    ShiftStatus,
    {
        ShiftStatus.OPEN: {ShiftStatus.ACCEPTED, ShiftStatus.CANCELLED},
        ShiftStatus.ACCEPTED: {ShiftStatus.OPEN, ShiftStatus.COMPLETED, ShiftStatus.CANCELLED, ShiftStatus.NO_SHOW},
    },
    "cover_shift",
)
HOLDS_WORKER = (ShiftStatus.ACCEPTED, ShiftStatus.COMPLETED)  # shifts that take a worker's time


class DbsLevel(StrEnum):
    """Disclosure and Barring Service check levels, lowest first."""

    BASIC = "basic"
    STANDARD = "standard"
    ENHANCED = "enhanced"
    ENHANCED_BARRED = "enhanced_barred"

    @property
    def label(self) -> str:
        return {
            "basic": "Basic",
            "standard": "Standard",
            "enhanced": "Enhanced",
            "enhanced_barred": "Enhanced with barred lists",
        }[self.value]

    @classmethod
    def at_least(cls, level: str) -> tuple["DbsLevel", ...]:
        """This level and every higher one."""
        order = list(cls)
        return tuple(order[order.index(cls(level)) :])


class Skill(StrEnum):
    """What support a relief worker can give (and a cover request needs)."""

    PERSONAL_CARE = "personal_care"
    MEDICATION = "medication"
    DEMENTIA = "dementia"
    LEARNING_DISABILITY = "learning_disability"
    AUTISM = "autism"
    MENTAL_HEALTH = "mental_health"
    MOVING_HANDLING = "moving_handling"
    DRIVER = "driver"
    MEAL_PREPARATION = "meal_preparation"
    END_OF_LIFE = "end_of_life"

    @property
    def label(self) -> str:
        return {
            "personal_care": "Personal care",
            "medication": "Medication support",
            "dementia": "Dementia",
            "learning_disability": "Learning disability",
            "autism": "Autism",
            "mental_health": "Mental health",
            "moving_handling": "Moving and handling",
            "driver": "Driver with a car",
            "meal_preparation": "Meal preparation",
            "end_of_life": "End of life care",
        }[self.value]


class AbsenceCategory(StrEnum):
    """Why cover is needed: a category only, never health details."""

    SICKNESS = "sickness"
    INJURY = "injury"
    BEREAVEMENT = "bereavement"
    CARING_EMERGENCY = "caring_emergency"
    PLANNED = "planned"

    @property
    def label(self) -> str:
        return {
            "sickness": "Sickness",
            "injury": "Injury",
            "bereavement": "Bereavement",
            "caring_emergency": "Caring emergency",
            "planned": "Planned absence",
        }[self.value]


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class TimesheetStatus(StrEnum):
    """submitted → approved | disputed; a disputed one is amended (submitted again) or settled (approved)."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    DISPUTED = "disputed"


TIMESHEET_STATES = StateMachine(
    TimesheetStatus,
    {
        TimesheetStatus.SUBMITTED: {TimesheetStatus.APPROVED, TimesheetStatus.DISPUTED},
        TimesheetStatus.DISPUTED: {TimesheetStatus.SUBMITTED, TimesheetStatus.APPROVED},
    },
    "timesheet",
)
