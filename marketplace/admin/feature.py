"""Platform admin plugs in: its pages, the approvals on the dashboard and the admin links."""

from ..core import permissions
from ..core.features import DashboardTasks, Feature, nav_link
from .dashboard import approval_tasks
from .views import bp

feature = Feature(
    "admin",
    blueprints=(bp,),
    dashboard_tasks=(DashboardTasks(20, approval_tasks),),
    navigation=(
        nav_link(60, "Admin", "admin.index", shown_to=permissions.is_admin),
        nav_link(61, "Audit log", "admin.audit", shown_to=permissions.is_admin),
    ),
)
