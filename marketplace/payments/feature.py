"""Payments plug in: invoice and payment-details pages, the provider webhooks, the payment tables, and tasks for
payment details not given, overdue invoices and refunds to send, and a publisher's invoices on the dashboard."""

from ..core.features import DashboardSection, DashboardTasks, Feature, PersonalData
from . import models, personal_data
from .dashboard import invoices_section
from .refunds_to_send import refund_tasks
from .tasks import overdue_tasks, payee_details_tasks
from .views import bp
from .webhooks import bp as webhooks_bp

feature = Feature(
    "payments",
    blueprints=(bp, webhooks_bp),
    models=(models,),
    dashboard_tasks=(
        DashboardTasks(12, payee_details_tasks),  # set up before invoices go out
        DashboardTasks(30, overdue_tasks),
        DashboardTasks(30, refund_tasks),
    ),
    dashboard_sections=(DashboardSection(30, "payments/_dashboard_invoices.html", invoices_section),),
    personal_data=(PersonalData(50, export=personal_data.export),),  # kept as they are when an account closes
)
