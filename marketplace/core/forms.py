"""Shared form pieces: GOV.UK widgets with plain-English validation messages.

Every text field goes through `strip_text` (spaces at either end are not part of what was typed) and, when it must
be answered, `required(message)` (which refuses empty and whitespace-only answers with a message naming the field).
Optional text fields also go through `blank_to_none`, so whitespace alone is no answer at all.
"""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length


def strip_text(value):
    """Typed and pasted text often carries spaces at either end; they are not part of the answer."""
    return value.strip() if isinstance(value, str) else value


def blank_to_none(value):
    """An optional answer that is empty (or was only spaces) is no answer."""
    return value if value not in ("", None) else None


def required(message: str) -> DataRequired:
    """Refuse a text answer that is empty or only spaces, with a GOV.UK message naming the field."""
    return DataRequired(message)


def text_filters(optional: bool) -> list:
    """The filters every text field uses: stripped, and an empty optional answer becomes None."""
    return [strip_text, blank_to_none] if optional else [strip_text]


def email_field(label: str = "Email address", hint: str | None = None, required_message: str | None = None):
    """An email address field with GOV.UK messages."""
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[
            required(required_message or "Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email("Enter an email address in the correct format, like name@example.com", check_deliverability=False),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false", "type": "email"},
    )


def _text_validators(label: str, required_message: str | None, max_length: int, extra: list | None) -> list:
    """Required (if it is), at most `max_length` characters, then any field-specific checks."""
    validators = [required(required_message)] if required_message else []
    name = label.removesuffix(" (optional)")
    validators.append(Length(max=max_length, message=f"{name} must be {max_length:,} characters or fewer"))
    return validators + list(extra or [])


def text_field(
    label: str,
    required: str | None,
    *,
    max_length: int = 120,
    hint: str | None = None,
    validators: list | None = None,
    **render_kw,
) -> StringField:
    """A text input; `required` is the message when empty or only spaces, or None for an optional field."""
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        filters=text_filters(required is None),
        validators=_text_validators(label, required, max_length, validators),
        render_kw=render_kw or None,
    )


def text_area(
    label: str,
    required: str | None,
    *,
    max_length: int = 500,
    hint: str | None = None,
    rows: int = 5,
    validators: list | None = None,
) -> TextAreaField:
    """A textarea; `required` is the message when empty or only spaces, or None for an optional field."""
    return TextAreaField(
        label,
        description=hint,
        widget=GovTextArea(),
        filters=text_filters(required is None),
        validators=_text_validators(label, required, max_length, validators),
        render_kw={"rows": rows},
    )


def submit(label: str) -> SubmitField:
    """The form's main button."""
    return SubmitField(label, widget=GovSubmitInput())


class BaseForm(FlaskForm):
    """Every form is CSRF-protected (FlaskForm)."""
