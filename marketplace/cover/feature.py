"""Relief cover plugs in: its pages and tables, the job that widens shift alerts, dashboard tasks, sections and
links, navigation, and what it holds about people."""

from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..core.features import (
    DashboardLinks,
    DashboardSection,
    DashboardTasks,
    Feature,
    Job,
    PersonalData,
    Retention,
    nav_link,
)
from ..payments.hooks import PurposeHandlers
from ..payments.models import PaymentPurpose
from . import models, permissions, personal_data, warnings
from .compliance import warn_expiring
from .dashboard import become_links, cover_links, cover_tasks, relief_section, setup_tasks, worker_tasks
from .erasure import erase_private_details
from .money import charge_failed
from .requests import widen_alerts
from .strikes import suspend_struck
from .timesheets import auto_approve
from .views import bp


def _relief_profile():
    """Every page's navigation asks whether the person is a relief worker."""
    return joinedload(User.relief_profile)


feature = Feature(
    "cover",
    blueprints=(bp,),
    models=(models, warnings),
    jobs=(
        Job(
            "widen-cover-alerts",
            "Tell every eligible worker about shifts still open 30 minutes after the best matches were told "
            "(10 minutes for shifts starting within 12 hours)",
            widen_alerts,
        ),
        Job(
            "suspend-after-strikes",
            "Suspend relief workers and enterprises' memberships with three unreviewed strikes in 90 days, pending "
            "the pool manager's review",
            suspend_struck,
        ),
        Job("auto-approve-timesheets", "Approve timesheets left undisputed for 72 hours", auto_approve),
        Job(
            "warn-expiring-cover-compliance",
            "Tell relief workers and their pool managers 30 days before a DBS check or required training stops "
            "being valid for the pool",
            warn_expiring,
        ),
    ),
    retention=(
        Retention(
            45,
            "Private notes and absence reasons of cover requests",
            "90 days after the request ends",
            erase_private_details,
        ),
        Retention(
            46,
            "Records of warnings sent to relief workers that a DBS check or training is expiring",
            "Until the check or training expires",
            warnings.forget_past_warnings,
        ),
    ),
    dashboard_tasks=(
        DashboardTasks(11, setup_tasks),
        DashboardTasks(12, worker_tasks),
        DashboardTasks(13, cover_tasks),
    ),
    dashboard_sections=(DashboardSection(60, "cover/_dashboard_relief.html", relief_section),),
    dashboard_links=(DashboardLinks(31, "Get started", become_links), DashboardLinks(25, "Relief cover", cover_links)),
    navigation=(nav_link(50, "Cover shifts", "cover.open_shifts", shown_to=permissions.is_relief_worker),),
    personal_data=(PersonalData(30, export=personal_data.export, anonymise=personal_data.anonymise),),
    signed_in_loads=(_relief_profile,),
    payment_purposes=(PurposeHandlers(PaymentPurpose.COVER_CHARGE, on_failed=charge_failed, off_session=True),),
)
