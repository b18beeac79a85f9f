"""Payments plug in: invoice pages, the provider webhooks and the payment tables."""

from ..core.features import DashboardTasks, Feature
from . import models
from .refunds_to_send import refund_tasks
from .views import bp
from .webhooks import bp as webhooks_bp

feature = Feature(
    "payments",
    blueprints=(bp, webhooks_bp),
    models=(models,),
    dashboard_tasks=(DashboardTasks(30, refund_tasks),),
)
