"""Relief cover plugs in: the relief worker profile page and table, its dashboard task and navigation link."""

from ..core.features import DashboardTasks, Feature, nav_link
from . import models, permissions
from .dashboard import setup_tasks
from .views import bp

feature = Feature(
    "cover",
    blueprints=(bp,),
    models=(models,),
    dashboard_tasks=(DashboardTasks(11, setup_tasks),),
    navigation=(nav_link(50, "Relief profile", "cover.relief_profile", shown_to=permissions.is_relief_worker),),
)
