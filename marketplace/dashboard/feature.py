"""The dashboard plugs in: the signed-in landing page, which lists every feature's registered tasks."""

from ..core.features import Feature, nav_link
from .views import bp

feature = Feature("dashboard", blueprints=(bp,), navigation=(nav_link(10, "Dashboard", "dashboard.index"),))
