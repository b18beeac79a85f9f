"""Platform admin plugs in: its pages, the approvals on the dashboard and the admin links."""

from ..core import permissions
from ..core.features import DashboardLinks, DashboardTasks, Feature, nav_link
from .dashboard import admin_links, approval_tasks
from .views import bp

feature = Feature(
    "admin",
    blueprints=(bp,),
    dashboard_tasks=(DashboardTasks(20, approval_tasks),),
    dashboard_links=(DashboardLinks(60, "Platform admin", admin_links),),
    navigation=(
        nav_link(60, "Admin", "admin.index", shown_to=permissions.is_admin),
        nav_link(61, "Audit log", "admin.audit", shown_to=permissions.is_admin),
    ),
)
