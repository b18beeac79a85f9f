"""Your data plugs in: the export and closure pages, the export table, the one job that applies every feature's
retention schedule, the exports' own retention and personal data, and the "Your data" section of the account page."""

from ..core.features import Feature, Job, PersonalData, ProfileSection, Retention
from . import models
from .exports import EXPORT_HOURS, forget_exports, latest_export, purge_expired_exports
from .forms import RequestExportForm
from .retention import apply_retention
from .views import bp


def _your_data_section(user) -> dict:
    """Download your data (and whether a copy is on its way), and close your account."""
    return {"form": RequestExportForm(formdata=None), "export": latest_export(user), "email": user.email}


feature = Feature(
    "privacy",
    blueprints=(bp,),
    models=(models,),
    jobs=(Job("apply-retention", "Apply the retention schedule of the privacy notice", apply_retention),),
    profile_sections=(ProfileSection(90, "privacy/_profile_your_data.html", _your_data_section),),
    personal_data=(PersonalData(90, anonymise=forget_exports),),
    retention=(Retention(50, "Copies of your data you asked for", f"{EXPORT_HOURS} hours", purge_expired_exports),),
)
