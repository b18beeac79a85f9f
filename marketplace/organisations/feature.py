"""Organisations plug in: their pages and tables, the invitation clean-up, dashboard tasks and one navigation link."""

from ..core.features import DashboardTasks, Feature, Job, nav_link
from . import models, permissions
from .dashboard import invitation_tasks, organisation_tasks, setup_tasks
from .services import purge_expired_invitations
from .views import bp


def _belongs_to_one(user) -> bool:
    """Shown once the person is an active member of at least one organisation."""
    return bool(permissions.active_memberships(user))


feature = Feature(
    "organisations",
    blueprints=(bp,),
    models=(models,),
    jobs=(Job("purge-invitations", "Delete used, revoked and expired invitations", purge_expired_invitations),),
    dashboard_tasks=(
        DashboardTasks(10, setup_tasks),
        DashboardTasks(30, invitation_tasks),
        DashboardTasks(50, organisation_tasks),
    ),
    navigation=(nav_link(40, "Your organisations", "organisations.index", shown_to=_belongs_to_one),),
)
