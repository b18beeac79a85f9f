"""Relief cover plugs in: the relief worker profile page and table, its dashboard task, section and link, and its
navigation link."""

from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core.features import DashboardLinks, DashboardSection, DashboardTasks, Feature, PersonalData, nav_link
from . import models, permissions, personal_data
from .dashboard import become_links, relief_section, setup_tasks
from .views import bp


def _relief_profile():
    """Every page's navigation asks whether the person is a relief worker."""
    return joinedload(User.relief_profile)


feature = Feature(
    "cover",
    blueprints=(bp,),
    models=(models,),
    dashboard_tasks=(DashboardTasks(11, setup_tasks),),
    dashboard_sections=(DashboardSection(60, "cover/_dashboard_relief.html", relief_section),),
    dashboard_links=(DashboardLinks(31, "Get started", become_links),),
    navigation=(nav_link(50, "Relief profile", "cover.relief_profile", shown_to=permissions.is_relief_worker),),
    personal_data=(PersonalData(30, export=personal_data.export, anonymise=personal_data.anonymise),),
    signed_in_loads=(_relief_profile,),
)
