"""Insurance's statuses, each with its table of legal transitions, and the fixed choices of its models."""

from enum import StrEnum

from ..core.states import StateMachine


class SchemeStatus(StrEnum):
    """draft → open → active → expired; open → failed (under the threshold when enrolment closes); cancelled."""

    DRAFT = "draft"
    OPEN = "open"
    ACTIVE = "active"
    EXPIRED = "expired"
    FAILED = "failed"
    CANCELLED = "cancelled"


SCHEME_STATES = StateMachine(
    SchemeStatus,
    {
        SchemeStatus.DRAFT: {SchemeStatus.OPEN, SchemeStatus.CANCELLED},
        SchemeStatus.OPEN: {SchemeStatus.ACTIVE, SchemeStatus.FAILED, SchemeStatus.CANCELLED},
        SchemeStatus.ACTIVE: {SchemeStatus.EXPIRED},
    },
    "insurance_scheme",
)


class EnrolmentStatus(StrEnum):
    """pledged → active → lapsed | cancelled | expired; a lapsed member who pays in the grace period is active
    again; a pledge is cancelled when the member withdraws, the scheme fails, or a charge has failed for 7 days."""

    PLEDGED = "pledged"
    ACTIVE = "active"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


ENROLMENT_STATES = StateMachine(
    EnrolmentStatus,
    {
        EnrolmentStatus.PLEDGED: {EnrolmentStatus.ACTIVE, EnrolmentStatus.CANCELLED},
        EnrolmentStatus.ACTIVE: {EnrolmentStatus.LAPSED, EnrolmentStatus.CANCELLED, EnrolmentStatus.EXPIRED},
        EnrolmentStatus.LAPSED: {EnrolmentStatus.ACTIVE, EnrolmentStatus.CANCELLED, EnrolmentStatus.EXPIRED},
        EnrolmentStatus.CANCELLED: {EnrolmentStatus.PLEDGED},  # pledging again while the scheme takes members
    },
    "insurance_enrolment",
)
HOLDS_PLACE = (EnrolmentStatus.PLEDGED, EnrolmentStatus.ACTIVE, EnrolmentStatus.LAPSED)  # counted under the maximum


class Billing(StrEnum):
    ANNUAL = "annual"
    MONTHLY = "monthly"

    @property
    def label(self) -> str:
        return {"annual": "Once a year", "monthly": "Monthly"}[self.value]


class SubsidyKind(StrEnum):
    NONE = "none"
    FIXED = "fixed"  # pence off each member's price
    PERCENT = "percent"  # a percentage of each member's price

    @property
    def label(self) -> str:
        return {"none": "No subsidy", "fixed": "A fixed amount per member", "percent": "A percentage per member"}[
            self.value
        ]


class CoverKind(StrEnum):
    PUBLIC_LIABILITY = "public_liability"
    EMPLOYERS_LIABILITY = "employers_liability"
    PROFESSIONAL_INDEMNITY = "professional_indemnity"
    PERSONAL_ACCIDENT = "personal_accident"
    LEGAL_EXPENSES = "legal_expenses"
    BUSINESS_EQUIPMENT = "business_equipment"

    @property
    def label(self) -> str:
        return COVER_LABELS[self]


COVER_LABELS = {
    CoverKind.PUBLIC_LIABILITY: "Public liability",
    CoverKind.EMPLOYERS_LIABILITY: "Employers' liability",
    CoverKind.PROFESSIONAL_INDEMNITY: "Professional indemnity",
    CoverKind.PERSONAL_ACCIDENT: "Personal accident",
    CoverKind.LEGAL_EXPENSES: "Legal expenses",
    CoverKind.BUSINESS_EQUIPMENT: "Business equipment",
}


class QuestionKind(StrEnum):
    YES_NO = "yes_no"
    SHORT = "short"  # a short written answer, for the insurer; it never declines
