"""What relief cover holds about a person (their relief worker profile), and what closing their account does to it."""

from ..core import audit
from ..extensions import db


def export(user) -> dict[str, list[dict]]:
    """The person's relief worker profile, if they made one."""
    profile = user.relief_profile
    if profile is None:
        return {"relief_worker_profile": []}
    row = {"area": profile.area.name, "phone": profile.phone, "about": profile.about, "created_at": profile.created_at}
    return {"relief_worker_profile": [row]}


def anonymise(user, pseudonym) -> None:
    """The profile is deleted: nothing in it needs keeping once the person has gone."""
    profile = user.relief_profile
    if profile is not None:
        audit.record("relief_profile.deleted", obj=profile, actor=user)
        db.session.delete(profile)
