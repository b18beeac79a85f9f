"""Organisation forms."""

import re

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from wtforms import DecimalField, RadioField, SelectField
from wtforms.validators import InputRequired, ValidationError

from ..core.forms import (
    BaseForm,
    area_checkboxes,
    area_select,
    charity_number,
    company_number,
    email_field,
    micro_fte,
    submit,
    text_field,
    uk_postcode,
)
from .models import LEGAL_FORM_LABELS, LegalForm, MemberRole, OrgKind

# The legal forms whose registration number has a set format, and the check that applies.
REGISTRATION_FORMATS = {
    LegalForm.LIMITED_COMPANY.value: company_number,
    LegalForm.CIC.value: company_number,
    LegalForm.CHARITY.value: charity_number,
}


class FiniteDecimalField(DecimalField):
    """A decimal field that treats NaN and infinity like any other non-number (NumberRange cannot compare them)."""

    def process_formdata(self, valuelist) -> None:
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.invalid_value_message)


class EnterpriseForm(BaseForm):
    """An enterprise's profile."""

    name = text_field(
        "Trading name", "Enter your trading name", max_length=160, hint="The name your clients know you by"
    )
    legal_form = RadioField(
        "Legal form",
        choices={form.value: label for form, label in LEGAL_FORM_LABELS.items()},
        widget=GovRadioInput(),
        validators=[InputRequired("Select your legal form")],
    )
    fte = FiniteDecimalField(
        "Full-time equivalent staff, including you",
        description="For example, 1.5 for you full time and one person half time. A micro-enterprise has 5 or fewer.",
        places=1,
        invalid_value_message="Enter your full-time equivalent staff as a number, like 1.5",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter your full-time equivalent staff, like 1.5"),
            micro_fte("Full-time equivalent staff"),
        ],
        render_kw={"inputmode": "decimal", "class": "govuk-input--width-4"},
    )
    area_id = area_select("Council area you work in")
    postcode = text_field(
        "Postcode", "Enter your postcode", max_length=10, validators=[uk_postcode], autocomplete="postal-code"
    )
    registration_number = text_field(
        "Registration number (optional)",
        None,
        max_length=30,
        hint="Company number (like 12345678 or SC123456) or charity number (like 1234567 or SC012345), if you have one",
    )
    submit = submit("Save enterprise")

    def validate_registration_number(self, field) -> None:
        """Companies and CICs give a company number, charities a charity number; other legal forms any text."""
        check = REGISTRATION_FORMATS.get(self.legal_form.data)
        if field.data and check:
            field.data = check(field.data)


# Made before the details form's fields, so "Type of organisation" comes first on the registration form.
_PUBLISHER_KIND = RadioField(
    "Type of organisation",
    choices={OrgKind.COUNCIL.value: "Council", OrgKind.NHS.value: "NHS body"},
    widget=GovRadioInput(),
    validators=[InputRequired("Select the type of organisation")],
)


class PublisherDetailsForm(BaseForm):
    """A council's or NHS body's name and the areas it serves (owners change these later)."""

    name = text_field("Organisation name", "Enter the organisation name", max_length=160)
    area_ids = area_checkboxes("Areas you serve", validators=[InputRequired("Select at least one area you serve")])
    submit = submit("Save details")


class PublisherForm(PublisherDetailsForm):
    """A new council or NHS body."""

    kind = _PUBLISHER_KIND
    submit = submit("Ask for approval")


class JoinPublisherForm(BaseForm):
    """Ask to join a council or NHS body already on Backstop."""

    organisation_id = SelectField(
        "Organisation", coerce=int, widget=GovSelect(), validators=[InputRequired("Select your organisation")]
    )
    submit = submit("Ask to join")


ROLE_LABELS = {
    MemberRole.MEMBER.value: "Member",
    MemberRole.OWNER.value: "Owner: can also manage members and details",
    MemberRole.FINANCE.value: "Finance: marks invoices paid",
}


def roles_offered(organisation) -> dict[str, str]:
    """The roles an invitation can give: finance people only at a publisher (enterprises have no invoices to mark)."""
    return {
        role: label
        for role, label in ROLE_LABELS.items()
        if role != MemberRole.FINANCE.value or organisation.is_publisher
    }


class InviteForm(BaseForm):
    """Invite a person by email to an organisation (pass it, so the roles fit the organisation)."""

    email = email_field(
        "Their email address",
        hint="We will email them a link that works once, for 7 days",
        required_message="Enter their email address",
    )
    role = RadioField(
        "Role",
        choices=ROLE_LABELS,
        default=MemberRole.MEMBER.value,
        validate_choice=False,
        widget=GovRadioInput(),
        validators=[InputRequired("Select a role")],
    )
    submit = submit("Send invitation")

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            self.role.choices = roles_offered(organisation)

    def validate_role(self, field) -> None:
        if field.data not in dict(field.choices):
            raise ValidationError("Select a role from the list")


class AreaForm(BaseForm):
    """An area's name and GSS code (admin)."""

    name = text_field("Name", "Enter the area's name")
    gss_code = text_field("GSS code", "Enter the area's GSS code", max_length=12, hint="For example, E10000016")
    nation = SelectField(
        "Nation",
        choices={n: n for n in ("England", "Wales", "Scotland", "Northern Ireland")},
        widget=GovSelect(),
        validators=[InputRequired("Select the nation")],
    )
    submit = submit("Save area")

    def validate_gss_code(self, field) -> None:
        field.data = (field.data or "").strip().upper()
        if not re.fullmatch(r"[A-Z0-9]{6,12}", field.data):
            raise ValidationError("Enter a GSS code of 6 to 12 letters and numbers, like E10000016")
