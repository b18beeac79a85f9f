"""Payment forms: how a publisher is paid (its payee details)."""

from wtforms.validators import InputRequired, ValidationError

from ..core.forms import BaseForm, WholeNumberField, submit, text_area, text_field
from . import payee


def _checked(problem, *, normalise=None):
    """A field validator from one of payee's rules: the value is normalised (stored so), then checked."""

    def check(form, field) -> None:
        if normalise is not None:
            field.data = normalise(field.data)
        message = problem(field.data)
        if message:
            raise ValidationError(message)

    return check


_NUMBER = {"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}


class PayeeDetailsForm(BaseForm):
    """Who payers pay and how: bank details, a payment link or both; terms; VAT wording; the address on invoices."""

    payee_name = text_field(
        "Payee name",
        "Enter the payee name",
        max_length=120,
        hint="The account name payers pay to, as the bank knows it, like Leeds City Council",
    )
    sort_code = text_field(
        "Sort code",
        None,
        max_length=20,
        hint="Must be 6 digits long",
        validators=[_checked(payee.sort_code_problem, normalise=payee.digits_only)],
        **{**_NUMBER, "class": "govuk-input--width-5"},
    )
    account_number = text_field(
        "Account number",
        None,
        max_length=20,
        hint="Must be 8 digits long",
        validators=[_checked(payee.account_number_problem, normalise=payee.digits_only)],
        **{**_NUMBER, "class": "govuk-input--width-10"},
    )
    payment_link = text_field(
        "Payment link",
        None,
        max_length=500,
        hint="A page where payers pay online, starting https://",
        validators=[_checked(payee.link_problem)],
        spellcheck="false",
        autocomplete="url",
    )
    terms_days = WholeNumberField(
        "Payment terms, in days",
        description=f"How many days after the invoice date payment is due, from {payee.MIN_TERMS_DAYS} to "
        f"{payee.MAX_TERMS_DAYS}. Many councils give 30",
        invalid="Enter the payment terms as a whole number of days, like 30",
        validators=[InputRequired("Enter the payment terms in days"), _checked(payee.terms_problem)],
    )
    vat_wording = text_area(
        "VAT statement (optional)",
        None,
        max_length=300,
        rows=2,
        hint="Printed on invoices, like: No VAT is charged: the council is not VAT registered for this service",
    )
    address = text_area(
        "Postal address", "Enter the postal address", max_length=500, rows=4, hint="Printed on invoices"
    )
    submit = submit("Save payment details")

    def validate(self, extra_validators=None) -> bool:
        """Each field's own checks, then the rules across them (bank details whole, at least one way to pay)."""
        valid = super().validate(extra_validators)
        bank_fields = (self.sort_code, self.account_number, self.payment_link)
        if any(field.errors for field in bank_fields):
            return False
        for name, message in payee.way_to_pay_problems(*(field.data for field in bank_fields)).items():
            getattr(self, name).errors.append(message)
            valid = False
        return valid

    def values(self) -> dict:
        """What was entered, for payee.save_payee_details."""
        return {name: getattr(self, name).data for name in payee.FIELDS}
