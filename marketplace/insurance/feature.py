"""Insurance plugs in: its pages and tables, the jobs that close enrolment, retry declined premiums and end
periods, navigation, and what it does when a premium is paid or declined."""

from ..core.features import DashboardLinks, DashboardTasks, Feature, Job, everyone, nav_link
from ..payments.hooks import PurposeHandlers
from ..payments.models import PaymentPurpose
from . import models, permissions  # noqa: F401  (permissions registers insurance's policies)
from .activation import (
    close_enrolment,
    expire_schemes,
    lock_enrolment,
    premium_failed,
    premium_paid,
    retry_failed_charges,
)
from .dashboard import insurance_links, insurance_tasks
from .views import bp

feature = Feature(
    "insurance",
    blueprints=(bp,),
    models=(models,),
    jobs=(
        Job(
            "close-insurance-enrolment",
            "Activate each open scheme whose enrolment has closed with enough pledges (charging every member the tier "
            "reached), or fail it (nobody charged)",
            close_enrolment,
        ),
        Job(
            "retry-insurance-premiums",
            "Charge declined insurance premiums again once a day; cancel the pledge after 7 days unpaid",
            retry_failed_charges,
        ),
        Job(
            "expire-insurance-schemes",
            "End schemes, and their members' cover, once the policy period is over",
            expire_schemes,
        ),
    ),
    dashboard_tasks=(DashboardTasks(14, insurance_tasks),),
    dashboard_links=(DashboardLinks(26, "Insurance", insurance_links),),
    navigation=(nav_link(55, "Insurance", "insurance.schemes_list", shown_to=everyone),),
    payment_purposes=(
        PurposeHandlers(
            PaymentPurpose.SCHEME_PREMIUM,
            lock_first=lock_enrolment,
            on_paid=premium_paid,
            on_failed=premium_failed,
            off_session=True,
        ),
    ),
)
