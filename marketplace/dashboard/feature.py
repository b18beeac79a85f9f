"""The dashboard plugs in: the signed-in landing page, which shows every feature's registered tasks, sections and
links."""

from ..core.features import Feature, nav_link
from .views import bp

feature = Feature("dashboard", blueprints=(bp,), navigation=(nav_link(10, "Dashboard", "dashboard.index"),))
