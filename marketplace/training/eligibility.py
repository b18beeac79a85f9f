"""Who may book a course, and at what price."""

from ..core.errors import DomainError
from .models import Course, PriceBand


class NotEligible(DomainError):
    """The booker does not meet the course's eligibility rules."""


def booker_area_id(user, organisation) -> int | None:
    """The area that decides eligibility: the enterprise's, or a relief worker's own."""
    if organisation is not None:
        return organisation.area_id
    profile = user.relief_profile
    return profile.area_id if profile else None


def check_eligible(course: Course, user, organisation) -> None:
    """Raise NotEligible with a plain reason if the booker may not take this course."""
    area_id = booker_area_id(user, organisation)
    allowed = {area.id for area in course.eligible_areas}
    if allowed and area_id not in allowed:
        names = ", ".join(area.name for area in course.eligible_areas)
        raise NotEligible(f"This course is only for people working in {names}")
    if course.max_fte is not None and organisation is not None and organisation.fte is not None:
        if organisation.fte > course.max_fte:
            raise NotEligible(f"This course is only for enterprises with {course.max_fte} full-time staff or fewer")


def price_for(course: Course, user, organisation) -> tuple[PriceBand, int]:
    """Free, subsidised (in the publisher's areas) or full price, per place."""
    if course.full_price_pence == 0:
        return PriceBand.FREE, 0
    served = {area.id for area in course.organisation.served_areas}
    if booker_area_id(user, organisation) in served:
        band = PriceBand.FREE if course.subsidised_price_pence == 0 else PriceBand.SUBSIDISED
        return band, course.subsidised_price_pence
    return PriceBand.FULL, course.full_price_pence
