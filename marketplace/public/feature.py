"""The public pages plug in: home, accessibility, privacy and cookies."""

from ..core.features import Feature
from .views import bp

feature = Feature("public", blueprints=(bp,))
