"""Payments plug in: invoice pages, the provider webhooks and the payment tables."""

from ..core.features import Feature
from . import models
from .views import bp
from .webhooks import bp as webhooks_bp

feature = Feature("payments", blueprints=(bp, webhooks_bp), models=(models,))
