"""Organisations plug in: their pages and tables, the invitation clean-up, dashboard tasks and a link to each."""

from ..core.features import DashboardTasks, Feature, Job, NavItem, NavLink
from . import models, permissions
from .dashboard import invitation_tasks, organisation_tasks, setup_tasks
from .services import purge_expired_invitations
from .views import bp


def _organisation_links(user) -> list[NavLink]:
    """A link to each organisation the person belongs to."""
    return [
        NavLink(m.organisation.name, "organisations.show", {"org_id": m.organisation_id})
        for m in permissions.active_memberships(user)
    ]


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
    navigation=(NavItem(40, _organisation_links),),
)
