"""Your data forms: ask for a copy of your data; close your account (with your password)."""

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput
from wtforms import PasswordField
from wtforms.validators import InputRequired

from ..core.forms import BaseForm, submit


class RequestExportForm(BaseForm):
    """Ask for everything held about you, as a ZIP file."""

    submit = submit("Request your data")


class CloseAccountForm(BaseForm):
    """Close your account: your password, entered again, confirms it is you."""

    password = PasswordField(
        "Password",
        description="Enter your password to confirm that you want to close your account.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password")],
        render_kw={"autocomplete": "current-password"},
    )
    submit = submit("Close my account")
