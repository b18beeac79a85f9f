"""Cover's part of the dashboard: a relief worker still to create their profile."""

from flask import url_for

from ..accounts.models import IntendedRole
from ..core.features import Task
from ..core.permissions import is_admin
from .permissions import is_relief_worker


def setup_tasks(user) -> list[Task]:
    """Ask someone who registered as a relief worker to create their profile."""
    if is_admin(user) or is_relief_worker(user):
        return []
    if user.intended_role != IntendedRole.RELIEF_WORKER:
        return []
    return [Task("Create your relief worker profile", url_for("cover.relief_profile"))]
