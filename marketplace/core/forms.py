"""Shared form pieces: GOV.UK widgets with plain-English validation messages.

Every text field goes through `strip_text` (spaces at either end are not part of what was typed) and, when it must
be answered, `required(message)` (which refuses empty and whitespace-only answers with a message naming the field).
Optional text fields also go through `blank_to_none`, so whitespace alone is no answer at all.
"""

import re
from decimal import Decimal

import phonenumbers
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import Choice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from .long_lists import AutocompleteSelect, PickManyCheckboxes
from .money import pounds_problem


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


# Characters that are never part of a typed answer: control characters (a text area keeps its line breaks and
# tabs) and the invisible direction overrides that make "Ann<RLO>gnp.exe" display as something else.
_DIRECTION_MARKS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_HIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_DIRECTION_MARKS}]")
_HIDDEN_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_DIRECTION_MARKS}]")


class PlainText:
    """Refuse control characters and text-direction overrides, with a message naming the field."""

    def __init__(self, name: str, *, multiline: bool = False):
        self.message = f"{name} must not include hidden formatting characters: type or paste it again"
        self.pattern = _HIDDEN if multiline else _HIDDEN_ONE_LINE

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and self.pattern.search(field.data):
            raise StopValidation(self.message)


def _text_validators(
    label: str, required_message: str | None, max_length: int, extra: list | None, *, multiline: bool = False
) -> list:
    """Required (if it is), plain text, at most `max_length` characters, then any field-specific checks."""
    validators = [required(required_message)] if required_message else []
    name = label.removesuffix(" (optional)")
    validators.append(PlainText(name, multiline=multiline))
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
        validators=_text_validators(label, required, max_length, validators, multiline=True),
        render_kw={"params": {"rows": rows}},  # the GOV.UK macro sets rows itself (an attribute would repeat it)
    )


def submit(label: str) -> SubmitField:
    """The form's main button."""
    return SubmitField(label, widget=GovSubmitInput())


class BaseForm(FlaskForm):
    """Every form is CSRF-protected (FlaskForm)."""


class WholeNumberField(IntegerField):
    """A whole number with a GOV.UK message when it is not one."""

    def __init__(self, label: str, *, invalid: str, **kwargs):
        self.invalid = invalid
        kwargs.setdefault("widget", GovTextInput())
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "class": "govuk-input--width-4"})
        super().__init__(label, **kwargs)

    def process_formdata(self, valuelist) -> None:
        text = valuelist[0].strip() if valuelist else ""
        self.data = None
        if text:
            try:
                self.data = int(text)
            except ValueError as error:
                raise ValueError(self.invalid) from error


# --- No silent defaults: choices start unchosen, and what people type is checked and stored in one form. ---


def _int_or_none(value) -> int | None:
    """A select's value as a whole number; the prompt's empty value is no answer."""
    return None if value in ("", None) else int(value)


class PromptSelectField(SelectField):
    """A select whose first option is a prompt with an empty value, so nothing is chosen for the person."""

    def __init__(self, label: str, *, prompt: str, message: str, **kwargs):
        self.prompt, self.message = prompt, message
        kwargs.setdefault("coerce", _int_or_none)
        kwargs.setdefault("widget", GovSelect())
        kwargs.setdefault("invalid_value_message", f"{message} from the list")
        kwargs.setdefault("invalid_choice_message", f"{message} from the list")
        super().__init__(label, **kwargs)

    def iter_choices(self):
        """The prompt first (chosen only while nothing else is), then the real choices."""
        prompt = Choice(value="", label=self.prompt, selected=self.data is None, render_kw=None)
        return [prompt, *super().iter_choices()]

    def process_formdata(self, valuelist) -> None:
        """The prompt's empty value (or a missing field) is no answer, not an error of its own."""
        if valuelist and valuelist[0] not in ("", None):
            super().process_formdata(valuelist)
        else:
            self.data = None

    def pre_validate(self, form) -> None:
        """No answer gets the field's own message; an answer must be one of the real choices."""
        if self.data is None and not self.process_errors:
            raise StopValidation(self.message)
        super().pre_validate(form)


def area_select(label: str) -> PromptSelectField:
    """A council area select that starts on "Select an area" and refuses to be left there (an autocomplete with
    JavaScript: 212 areas are too many to scroll through)."""
    return PromptSelectField(label, prompt="Select an area", message="Select an area", widget=AutocompleteSelect())


def area_checkboxes(label: str, *, hint: str | None = None, validators: list | None = None) -> SelectMultipleField:
    """Council areas to choose any number of (area ids): a short scrolling box of checkboxes, with JavaScript an
    autocomplete to add an area and the chosen ones listed with Remove buttons. The view sets the choices."""
    return SelectMultipleField(
        label,
        description=hint,
        coerce=int,
        widget=PickManyCheckboxes(add_label="Add an area", none_chosen="No areas chosen"),
        validators=validators or [Optional()],
    )


UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}$")


def normalise_postcode(value: str | None) -> str:
    """Upper case with one space before the inward code, e.g. 'ls11ur' -> 'LS1 1UR'."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def uk_postcode(form, field) -> None:
    """A real UK postcode shape, stored normalised (the field's data is replaced)."""
    if field.data in ("", None):
        return
    field.data = normalise_postcode(field.data)
    if not UK_POSTCODE.match(field.data.replace(" ", "")):
        raise ValidationError("Enter a real postcode, like LS1 1UR")


PHONE_MESSAGE = "Enter a UK phone number, like 0113 496 0000 or +44 113 496 0000"


def uk_phone(form, field) -> None:
    """A UK phone number checked with `phonenumbers`, stored in national format, e.g. '0113 496 0000'."""
    if field.data in ("", None):
        return
    try:
        number = phonenumbers.parse(field.data, "GB")
    except phonenumbers.NumberParseException as error:
        raise ValidationError(PHONE_MESSAGE) from error
    if number.country_code != 44 or not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_MESSAGE)
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


COMPANY_NUMBER = re.compile(r"^(?:[0-9]{2}|[A-Z]{2}|R[0-9])[0-9]{6}$")
CHARITY_NUMBER = re.compile(r"^(?:[0-9]{6,7}|SC[0-9]{6}|NIC[0-9]{6})$")


def _compact(value: str) -> str:
    """Upper case with no spaces: registers print these numbers both ways."""
    return re.sub(r"\s+", "", value.upper())


def company_number(value: str) -> str:
    """A Companies House number (8 characters, like 12345678 or SC123456), normalised, or ValidationError."""
    compact = _compact(value)
    if not COMPANY_NUMBER.match(compact):
        raise ValidationError("Enter a company number of 8 characters, like 12345678 or SC123456")
    return compact


def charity_number(value: str) -> str:
    """A charity number (England and Wales, Scotland SC…, Northern Ireland NIC…), normalised, or ValidationError."""
    compact = _compact(value)
    if not CHARITY_NUMBER.match(compact):
        raise ValidationError("Enter a charity number, like 1234567, SC012345 or NIC100123")
    return compact


MAX_MICRO_FTE = Decimal("5")


def micro_fte(name: str) -> NumberRange:
    """Full-time equivalent staff from 0.1 to 5 (a micro-enterprise), with a message naming the field."""
    return NumberRange(min=Decimal("0.1"), max=MAX_MICRO_FTE, message=f"{name} must be between 0.1 and 5")


def pounds(form, field) -> None:
    """An amount of money typed in pounds (like 12.50), with a message naming the field when it is not one."""
    problem = pounds_problem(field.data, field.label.text)
    if problem:
        raise ValidationError(problem)


def pounds_field(label: str, required: str | None, hint: str | None = None, *, width: int = 5) -> StringField:
    """An amount of money typed in pounds, like 12.50; `required` is the message when empty, or None if optional."""
    return StringField(
        label,
        description=hint,
        widget=GovTextInput(),
        filters=[strip_text] if required else [strip_text, blank_to_none],
        validators=[InputRequired(required), pounds] if required else [Optional(), pounds],
        render_kw={"inputmode": "decimal", "class": f"govuk-input--width-{width}"},
    )
