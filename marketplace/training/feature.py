"""Training plugs in: its pages and tables, its periodic jobs, dashboard tasks, a publisher's courses and the
training links on the dashboard, the records on the account page, its navigation links, and the payments it takes."""

from ..core.features import (
    DashboardLinks,
    DashboardSection,
    DashboardTasks,
    Feature,
    Job,
    PersonalData,
    ProfileSection,
    everyone,
    nav_link,
)
from . import models, personal_data
from .booking import expire_holds
from .certificates import recent_records_of_person
from .dashboard import admin_links, booker_links, courses_section, training_tasks
from .payment_hooks import HANDLERS as PAYMENT_HANDLERS
from .reminders import send_session_reminders, warn_expiring_records
from .views import bp
from .waiting import expire_offers


def _records_section(user) -> dict:
    """The person's newest training records, for their account page."""
    records, more_records = recent_records_of_person(user)
    return {"records": records, "more_records": more_records}


feature = Feature(
    "training",
    blueprints=(bp,),
    models=(models,),
    jobs=(
        Job("expire-training-holds", "Release seats held 15 minutes for bookings not paid", expire_holds),
        Job(
            "expire-waiting-list-offers",
            "Pass waiting-list offers not taken in 24 hours to the next entry",
            expire_offers,
        ),
        Job("send-training-reminders", "Remind bookers and attendees 2 days before a session", send_session_reminders),
        Job("warn-expiring-training", "Warn people 30 days before a training record expires", warn_expiring_records),
    ),
    dashboard_tasks=(DashboardTasks(40, training_tasks),),
    profile_sections=(ProfileSection(10, "training/_profile_records.html", _records_section),),
    dashboard_sections=(DashboardSection(20, "training/_dashboard_courses.html", courses_section),),
    dashboard_links=(DashboardLinks(20, "Training", booker_links), DashboardLinks(61, "Platform admin", admin_links)),
    navigation=(
        nav_link(20, "Training", "training.catalogue", shown_to=everyone),
        nav_link(30, "Your bookings", "training.my_bookings"),
    ),
    payment_purposes=(PAYMENT_HANDLERS,),
    personal_data=(PersonalData(40, export=personal_data.export, anonymise=personal_data.anonymise),),
)
