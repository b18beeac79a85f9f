"""Shared form pieces: GOV.UK widgets with plain-English validation messages."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length


def _strip(value):
    """Pasted email addresses often carry spaces at either end; they are not part of the address."""
    return value.strip() if isinstance(value, str) else value


def email_field(label: str = "Email address", hint: str | None = None) -> StringField:
    """An email address field with GOV.UK messages."""
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        filters=[_strip],
        validators=[
            InputRequired("Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.com", check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", "type": "email"},
    )


def text_field(
    label: str, required: str | None, *, max_length: int = 120, hint: str | None = None, **render_kw
) -> StringField:
    """A text input; `required` is the message when empty, or None for an optional field."""
    validators = [InputRequired(required)] if required else []
    validators.append(Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"))
    return StringField(
        label, description=hint, widget=GovTextInput(), validators=validators, render_kw=render_kw or None
    )


def submit(label: str) -> SubmitField:
    """The form's main button."""
    return SubmitField(label, widget=GovSubmitInput())


class BaseForm(FlaskForm):
    """Every form is CSRF-protected (FlaskForm)."""
