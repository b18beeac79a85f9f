"""Cover's part of the dashboard: a relief worker still to create their profile, their profile once made, and the
link to become one."""

from flask import url_for

from ..accounts.models import IntendedRole
from ..core.features import NavLink, Task
from ..core.permissions import is_admin
from .permissions import is_relief_worker


def setup_tasks(user) -> list[Task]:
    """Ask someone who registered as a relief worker to create their profile."""
    if is_admin(user) or is_relief_worker(user):
        return []
    if user.intended_role != IntendedRole.RELIEF_WORKER:
        return []
    return [Task("Create your relief worker profile", url_for("cover.relief_profile"))]


def relief_section(user) -> dict | None:
    """The person's relief worker profile, summarised (none: no section)."""
    profile = user.relief_profile
    return {"profile": profile} if profile is not None else None


def become_links(user) -> list[NavLink]:
    """Become a relief worker, for anyone who is not one (platform admins aside)."""
    if is_admin(user) or is_relief_worker(user):
        return []
    return [NavLink("Become a relief worker", "cover.relief_profile")]
