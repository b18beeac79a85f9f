"""A relief worker's own record: profile, skills and areas, DBS check and referees, availability. Callers commit."""

from datetime import date

from sqlalchemy import select

from ..core import audit
from ..core.errors import DomainError
from ..extensions import db
from ..organisations.models import Area
from .models import ReliefWorkerProfile, WorkerAvailability, WorkerDayOff, WorkerSkill
from .permissions import require
from .statuses import Skill


def save_relief_profile(
    user,
    *,
    area_id: int,
    phone: str | None,
    about: str | None = None,
    area_ids: list[int] | None = None,
    skills: list[str] | None = None,
) -> ReliefWorkerProfile:
    """Create or update the person's relief worker profile (the areas they cover include where they live)."""
    profile = user.relief_profile
    created = profile is None
    if created:
        profile = ReliefWorkerProfile(user_id=user.id)
        db.session.add(profile)
    profile.area_id, profile.about = area_id, (about or "").strip() or None
    profile.phone = (phone or "").strip() or None
    covered = set(area_ids or []) | {area_id}
    profile.areas_covered = list(db.session.scalars(select(Area).where(Area.id.in_(covered))))
    known = {skill.value for skill in Skill}
    profile.skills = [WorkerSkill(skill=skill) for skill in dict.fromkeys(skills or []) if skill in known]
    db.session.flush()
    audit.record("relief_profile.created" if created else "relief_profile.updated", obj=profile, actor=user)
    return profile


def save_checks(
    user, *, dbs_level: str, dbs_issued_on: date, dbs_update_service: bool, referee_1: str, referee_2: str
) -> None:
    """The worker's DBS check (level, issue date, Update Service) and referees; pool managers verify them."""
    require(user, "relief_worker")
    profile = user.relief_profile
    profile.dbs_level, profile.dbs_issued_on, profile.dbs_update_service = dbs_level, dbs_issued_on, dbs_update_service
    profile.referee_1, profile.referee_2 = referee_1, referee_2
    db.session.flush()
    audit.record("relief_profile.checks_updated", obj=profile, actor=user)


def save_availability(user, *, slots: dict[int, tuple[int, int]], days_off: list[date]) -> None:
    """Replace the worker's weekly pattern and dates off."""
    require(user, "relief_worker")
    profile = user.relief_profile
    if any(not 0 <= start < 1440 or not start < end <= 2880 for start, end in slots.values()):
        raise DomainError("Each day's times must start before they end")
    profile.availability = [
        WorkerAvailability(weekday=day, starts_minute=start, ends_minute=end)
        for day, (start, end) in sorted(slots.items())
    ]
    profile.days_off = [WorkerDayOff(day=day) for day in sorted(set(days_off))]
    db.session.flush()
    audit.record("relief_profile.availability_updated", obj=profile, actor=user, days=len(slots))
