"""Account forms."""

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovPasswordInput, GovRadioInput
from wtforms import BooleanField, PasswordField, RadioField
from wtforms.validators import InputRequired, ValidationError

from ..core import sms
from ..core.forms import BaseForm, email_field, submit, text_field
from ..core.notifications import EmailChoice
from .models import IntendedRole
from .passwords import MIN_LENGTH, password_problem

ROLE_CHOICES = {
    IntendedRole.ENTREPRENEUR.value: "I run a care or support micro-enterprise",
    IntendedRole.PUBLISHER.value: "I work for a council or NHS body",
    IntendedRole.RELIEF_WORKER.value: "I am a relief worker",
}


def new_password_field(label: str = "Password") -> PasswordField:
    """A password that must meet the password rules."""

    def check(form, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    return PasswordField(
        label,
        description=f"Must be at least {MIN_LENGTH} characters. Three random words together work well.",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter a password"), check],
        render_kw={"autocomplete": "new-password"},
    )


class RegisterForm(BaseForm):
    """Create an account."""

    name = text_field("Full name", "Enter your full name", autocomplete="name")
    email = email_field(hint="We will send you a link to confirm it")
    password = new_password_field("Create a password")
    intended_role = RadioField(
        "What describes you?",
        choices=ROLE_CHOICES,
        widget=GovRadioInput(),
        validators=[InputRequired("Select what describes you")],
    )
    submit = submit("Create account")


class SignInForm(BaseForm):
    """Sign in."""

    email = email_field()
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password")],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me signed in on this device for 30 days", widget=GovCheckboxInput())
    submit = submit("Sign in")


class EmailOnlyForm(BaseForm):
    """Ask for an email address (forgotten password, resend confirmation link)."""

    email = email_field()
    submit = submit("Send link")


class ResetPasswordForm(BaseForm):
    """Choose a new password from a reset link."""

    password = new_password_field("New password")
    submit = submit("Save new password")


class ChangePasswordForm(BaseForm):
    """Change a password while signed in."""

    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field("New password")
    submit = submit("Change password")


def uk_mobile_number(form, field) -> None:
    """A UK mobile number (07… or +447…), stored as +447…."""
    if field.data in ("", None):
        return
    number = sms.uk_mobile(field.data)
    if number is None:
        raise ValidationError(sms.MOBILE_MESSAGE)  # the typed text stays in the box, to correct
    field.data = number


class ProfileForm(BaseForm):
    """Edit the person's own details."""

    name = text_field("Full name", "Enter your full name", autocomplete="name")
    mobile = text_field(
        "Mobile number (optional)",
        None,
        max_length=30,
        hint="A UK mobile, for text messages about urgent things such as a cover shift you could take",
        validators=[uk_mobile_number],
        autocomplete="tel",
        type="tel",
    )
    sms_alerts = BooleanField(
        "Text me urgent alerts",
        description="A short text with a link to Backstop: never private details",
        widget=GovCheckboxInput(),
    )
    submit = submit("Save changes")

    def validate_sms_alerts(self, field) -> None:
        """Text alerts need a number to go to."""
        if field.data and not self.mobile.data:
            raise ValidationError("Enter your mobile number to get text message alerts")


EMAIL_CHOICES = {
    EmailChoice.EACH.value: "An email for each notification",
    EmailChoice.DAILY.value: "One email a day, listing the day's notifications",
    EmailChoice.NONE.value: "No emails: I will read my notifications on Backstop",
}
EMAIL_CHOICE_MESSAGE = "Select how we should email you about your notifications"


class NotificationEmailForm(BaseForm):
    """How the person wants their notifications emailed."""

    notification_email = RadioField(
        "How should we email you about your notifications?",
        choices=EMAIL_CHOICES,
        description="Booking confirmations, invoices and emails about your account are always sent.",
        widget=GovRadioInput(),
        validators=[InputRequired(EMAIL_CHOICE_MESSAGE)],
        invalid_choice_message=EMAIL_CHOICE_MESSAGE,
    )
    submit = submit("Save email choice")
