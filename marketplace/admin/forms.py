"""Admin forms."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Optional

from ..core.date_input import DateInputField
from ..core.forms import blank_to_none, strip_text

TEXT = [strip_text, blank_to_none]  # filters are typed text: whitespace alone filters nothing


class AuditFilterForm(FlaskForm):
    """Filters for the audit log, read from the query string (a GET form changes nothing, so no CSRF)."""

    class Meta:
        csrf = False

    action = StringField(
        "Action",
        widget=GovTextInput(),
        filters=TEXT,
        validators=[Optional()],
        description="For example, account.sign_in_failed",
    )
    actor = StringField("Person's email", widget=GovTextInput(), filters=TEXT, validators=[Optional()])
    organisation = StringField("Organisation name", widget=GovTextInput(), filters=TEXT, validators=[Optional()])
    # GOV.UK date inputs (no browser picker), optional; the log goes back years, never forward.
    date_from = DateInputField("Date from", required=None, years_back=10, years_ahead=0)
    date_to = DateInputField("Date to", required=None, years_back=10, years_ahead=0)
    submit = SubmitField("Filter", widget=GovSubmitInput())
