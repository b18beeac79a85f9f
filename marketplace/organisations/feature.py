"""Organisations plug in: their pages and tables, how long invitations are kept, what they hold about a person,
dashboard tasks, sections and links, and one navigation link."""

from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core.features import DashboardLinks, DashboardSection, DashboardTasks, Feature, PersonalData, Retention, nav_link
from . import models, permissions, personal_data
from .dashboard import (
    invitation_links,
    invitation_tasks,
    organisation_tasks,
    organisations_section,
    setup_links,
    setup_tasks,
)
from .services import purge_expired_invitations
from .views import bp


def _memberships_with_organisations():
    """Every page's permission checks and navigation read the person's memberships and their organisations."""
    return joinedload(User.memberships).joinedload(models.Membership.organisation)


def _belongs_to_one(user) -> bool:
    """Shown once the person is an active member of at least one organisation."""
    return bool(permissions.active_memberships(user))


feature = Feature(
    "organisations",
    blueprints=(bp,),
    models=(models,),
    retention=(
        Retention(
            40,
            "Invitations to join an organisation (the email address invited)",
            "Until accepted or cancelled, or {INVITATION_MAX_AGE_DAYS} days",
            purge_expired_invitations,
        ),
    ),
    personal_data=(
        PersonalData(
            20, export=personal_data.export, anonymise=personal_data.anonymise, blockers=personal_data.blockers
        ),
    ),
    dashboard_tasks=(
        DashboardTasks(10, setup_tasks),
        DashboardTasks(30, invitation_tasks),
        DashboardTasks(50, organisation_tasks),
    ),
    dashboard_sections=(DashboardSection(50, "organisations/_dashboard_organisations.html", organisations_section),),
    dashboard_links=(
        DashboardLinks(30, "Get started", setup_links),
        DashboardLinks(32, "Get started", invitation_links),
    ),
    navigation=(nav_link(40, "Your organisations", "organisations.index", shown_to=_belongs_to_one),),
    signed_in_loads=(_memberships_with_organisations,),
)
