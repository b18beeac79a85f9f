"""Relief worker rules (profile only, for now). Callers commit."""

from ..core import audit
from ..extensions import db
from .models import ReliefWorkerProfile


def save_relief_profile(user, *, area_id: int, phone: str | None) -> ReliefWorkerProfile:
    """Create or update the person's relief worker profile."""
    profile = user.relief_profile
    created = profile is None
    if created:
        profile = ReliefWorkerProfile(user_id=user.id)
        db.session.add(profile)
    profile.area_id = area_id
    profile.phone = (phone or "").strip() or None
    db.session.flush()
    audit.record("relief_profile.created" if created else "relief_profile.updated", obj=profile, actor=user)
    return profile
