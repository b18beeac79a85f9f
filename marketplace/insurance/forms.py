"""Insurance's forms: a scheme's settings (the publisher's), and joining one (an enterprise owner's)."""

import re
from decimal import Decimal, InvalidOperation

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovCheckboxInput, GovFileInput, GovRadioInput
from wtforms import BooleanField, RadioField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from ..core.date_input import DateInputField
from ..core.forms import (
    BaseForm,
    WholeNumberField,
    area_checkboxes,
    pounds_field,
    submit,
    text_area,
    text_field,
)
from ..core.money import format_pounds_field, parse_pounds
from ..organisations.models import LEGAL_FORM_LABELS
from .schemes import LineDetails, QuestionDetails
from .statuses import COVER_LABELS, QuestionKind, SubsidyKind

TIER_ROWS = 4
QUESTION_ROWS = 3
FRN = re.compile(r"^\d{6,7}$")
DECLINES = {"yes": "Yes declines", "no": "No declines", "": "Neither: a written answer"}


def _frn(form, field) -> None:
    if field.data and not FRN.match(field.data):
        raise ValidationError(f"{field.label.text.removesuffix(' (optional)')} must be 6 or 7 digits")


def _whole(label: str, low: int, high: int, *, required: str | None = None, hint: str | None = None):
    checks = [InputRequired(required)] if required else [Optional()]
    checks.append(
        NumberRange(
            min=low, max=high, message=f"{label.removesuffix(' (optional)')} must be between {low:,} and {high:,}"
        )
    )
    return WholeNumberField(
        label,
        invalid=f"Enter {label.lower().removesuffix(' (optional)')} as a whole number",
        description=hint,
        validators=checks,
    )


def _fte(form, field) -> None:
    if not field.data:
        return
    try:
        value = Decimal(field.data)
    except InvalidOperation:
        raise ValidationError("Most full-time staff must be a number, like 2.5") from None
    if not Decimal("0.1") <= value <= Decimal("50") or value != value.quantize(Decimal("0.1")):
        raise ValidationError("Most full-time staff must be between 0.1 and 50, to one decimal place")


class SchemeForm(BaseForm):
    """A scheme's settings: the policy, its dates, prices, subsidy, who may join and the insurer's questions."""

    name = text_field("Scheme name", "Enter the scheme name", hint="For example, Leeds care providers' insurance 2027")
    summary = text_area(
        "What the scheme is",
        "Enter what the scheme is",
        max_length=3000,
        hint="Who it is for and what it covers, in plain words",
    )
    insurer_name = text_field("Insurer", "Enter the insurer's name")
    insurer_frn = text_field(
        "Insurer's FCA firm reference number",
        "Enter the insurer's FCA firm reference number",
        max_length=7,
        validators=[_frn],
        inputmode="numeric",
    )
    broker_name = text_field("Broker (optional)", None)
    broker_frn = text_field(
        "Broker's FCA firm reference number (optional)", None, max_length=7, validators=[_frn], inputmode="numeric"
    )
    period_starts = DateInputField("Cover starts", required="Enter the date cover starts")
    period_ends = DateInputField(
        "Cover ends", required="Enter the last day of cover", description="The last day members are covered"
    )
    enrolment_opens = DateInputField("Enrolment opens", required="Enter the date enrolment opens")
    enrolment_closes = DateInputField(
        "Enrolment closes",
        required="Enter the last day to join before the scheme starts",
        description="The scheme goes ahead the next day if enough have joined",
    )
    threshold = _whole(
        "Members needed to go ahead",
        1,
        100_000,
        required="Enter how many members the scheme needs",
        hint="If fewer join by the close, it does not go ahead and nobody pays",
    )
    max_members = _whole("Most members (optional)", 1, 1_000_000)
    subsidy_kind = RadioField(
        "Subsidy from your organisation",
        choices={kind.value: kind.label for kind in SubsidyKind},
        widget=GovRadioInput(),
        validators=[InputRequired("Select whether you pay part of each member's price")],
    )
    subsidy_pounds = pounds_field("Fixed subsidy per member a year, in pounds (optional)", None)
    subsidy_percent = _whole("Subsidy as a percentage of the price (optional)", 1, 100)
    subsidy_budget = pounds_field("Most your organisation pays in subsidy in all, in pounds (optional)", None, width=10)
    area_ids = area_checkboxes("Areas the scheme is for (optional)", hint="Leave empty for enterprises anywhere")
    legal_forms = SelectMultipleField(
        "Kinds of business that may join (optional)",
        choices={form.value: label for form, label in LEGAL_FORM_LABELS.items()},
        widget=GovCheckboxesInput(),
        description="Leave empty for any kind",
        validate_choice=True,
    )
    max_fte = text_field(
        "Most full-time staff (optional)",
        None,
        max_length=6,
        validators=[_fte],
        hint="Leave empty for any size",
        inputmode="decimal",
        **{"class": "govuk-input--width-5"},
    )

    for _kind, _label in COVER_LABELS.items():
        locals()[f"{_kind.value}_limit"] = pounds_field(
            f"{_label}: limit in pounds (optional)", None, "Leave empty if the scheme does not include it", width=10
        )
        locals()[f"{_kind.value}_excess"] = pounds_field(f"{_label}: excess in pounds (optional)", None, width=10)
    for _row in range(1, TIER_ROWS + 1):
        if _row > 1:
            locals()[f"tier_{_row}_members"] = _whole(
                f"Price tier {_row}: from this many members (optional)", 2, 1_000_000
            )
        locals()[f"tier_{_row}_price"] = (
            pounds_field(
                "Price a year for each member, from 1 member, in pounds",
                "Enter the price a year from 1 member",
                width=10,
            )
            if _row == 1
            else pounds_field(f"Price tier {_row}: price a year for each member, in pounds (optional)", None, width=10)
        )
    for _row in range(1, QUESTION_ROWS + 1):
        locals()[f"question_{_row}"] = text_field(f"Underwriting question {_row} (optional)", None, max_length=300)
        locals()[f"question_{_row}_declines"] = RadioField(
            f"Underwriting question {_row}: the answer that declines",
            choices=DECLINES,
            default="",
            widget=GovRadioInput(),
            validators=[Optional()],
        )
    del _kind, _label, _row
    submit = submit("Save scheme")

    def validate_broker_frn(self, field) -> None:
        if self.broker_name.data and not field.data:
            raise ValidationError("Enter the broker's FCA firm reference number")

    def validate_subsidy_kind(self, field) -> None:
        if field.data == SubsidyKind.FIXED and not self.subsidy_pounds.data:
            raise ValidationError("Enter the fixed subsidy per member")
        if field.data == SubsidyKind.PERCENT and not self.subsidy_percent.data:
            raise ValidationError("Enter the subsidy as a percentage")

    def validate_tier_1_price(self, field) -> None:
        for row in range(2, TIER_ROWS + 1):
            members, price = self[f"tier_{row}_members"], self[f"tier_{row}_price"]
            if bool(members.data) != bool(price.data):
                raise ValidationError(f"Enter both the members and the price of tier {row}, or neither")

    def lines(self) -> list[LineDetails]:
        lines = []
        for kind in COVER_LABELS:
            limit = parse_pounds(self[f"{kind.value}_limit"].data)
            if limit:
                lines.append(LineDetails(kind.value, limit, parse_pounds(self[f"{kind.value}_excess"].data) or 0))
        return lines

    def tiers(self) -> list[tuple[int, int]]:
        tiers = [(1, parse_pounds(self.tier_1_price.data))]
        for row in range(2, TIER_ROWS + 1):
            members, price = self[f"tier_{row}_members"].data, self[f"tier_{row}_price"].data
            if members and price:
                tiers.append((members, parse_pounds(price)))
        return tiers

    def questions(self) -> list[QuestionDetails]:
        asked = []
        for row in range(1, QUESTION_ROWS + 1):
            text = self[f"question_{row}"].data
            if text:
                declines = self[f"question_{row}_declines"].data or None
                asked.append(QuestionDetails(text, QuestionKind.YES_NO if declines else QuestionKind.SHORT, declines))
        return asked

    def details(self) -> dict:
        kind = self.subsidy_kind.data
        value = (
            parse_pounds(self.subsidy_pounds.data)
            if kind == SubsidyKind.FIXED
            else self.subsidy_percent.data
            if kind == SubsidyKind.PERCENT
            else 0
        )
        return {
            "name": self.name.data,
            "summary": self.summary.data,
            "insurer_name": self.insurer_name.data,
            "insurer_frn": self.insurer_frn.data,
            "broker_name": self.broker_name.data,
            "broker_frn": self.broker_frn.data,
            "period_starts": self.period_starts.data,
            "period_ends": self.period_ends.data,
            "enrolment_opens": self.enrolment_opens.data,
            "enrolment_closes": self.enrolment_closes.data,
            "threshold": self.threshold.data,
            "max_members": self.max_members.data,
            "subsidy_kind": kind,
            "subsidy_value": value or 0,
            "subsidy_budget_pence": parse_pounds(self.subsidy_budget.data) if self.subsidy_budget.data else None,
            "area_ids": list(self.area_ids.data or []),
            "legal_forms": ",".join(self.legal_forms.data or []),
            "max_fte": Decimal(self.max_fte.data) if self.max_fte.data else None,
            "lines": self.lines(),
            "tiers": self.tiers(),
            "questions": self.questions(),
        }


def scheme_data(scheme) -> dict:
    """A scheme's settings as the form shows them (for changing a draft)."""
    data = {
        "area_ids": [area.id for area in scheme.areas],
        "legal_forms": scheme.legal_form_list,
        "max_fte": format(scheme.max_fte.normalize(), "f") if scheme.max_fte is not None else "",
        "subsidy_pounds": format_pounds_field(scheme.subsidy_value) if scheme.subsidy_kind == SubsidyKind.FIXED else "",
        "subsidy_percent": scheme.subsidy_value if scheme.subsidy_kind == SubsidyKind.PERCENT else None,
        "subsidy_budget": format_pounds_field(scheme.subsidy_budget_pence) if scheme.subsidy_budget_pence else "",
    }
    for line in scheme.cover_lines:
        data[f"{line.kind}_limit"] = format_pounds_field(int(line.limit_pence))
        data[f"{line.kind}_excess"] = format_pounds_field(line.excess_pence) if line.excess_pence else ""
    for row, tier in enumerate(scheme.tiers[:TIER_ROWS], start=1):
        if row > 1:
            data[f"tier_{row}_members"] = tier.min_members
        data[f"tier_{row}_price"] = format_pounds_field(tier.annual_price_pence)
    for row, question in enumerate(scheme.questions[:QUESTION_ROWS], start=1):
        data[f"question_{row}"] = question.text
        data[f"question_{row}_declines"] = question.declining_answer or ""
    return data


def join_form(scheme, *, invoice: bool):
    """The joining form for one scheme: a field for each underwriting question, and the invoice agreement where
    premiums are invoiced."""

    class JoinForm(BaseForm):
        pass

    for question in scheme.questions:
        if question.kind == QuestionKind.YES_NO:
            field = RadioField(
                question.text,
                choices={"yes": "Yes", "no": "No"},
                widget=GovRadioInput(),
                validators=[InputRequired(f"Answer yes or no: {question.text}")],
            )
        else:
            field = text_field(question.text, f"Answer the question: {question.text}", max_length=500)
        setattr(JoinForm, f"q{question.id}", field)
    if invoice:
        JoinForm.mandate = BooleanField(
            "I agree to pay the premium by invoice within the payment terms",
            widget=GovCheckboxInput(),
            validators=[InputRequired("Agree to pay the premium by invoice")],
        )
    JoinForm.submit = submit("Join the scheme")
    return JoinForm()


def answers_of(form, scheme) -> dict[int, str]:
    return {question.id: form[f"q{question.id}"].data or "" for question in scheme.questions}


class WordingForm(BaseForm):
    """The policy wording, as a PDF."""

    wording = FileField(
        "Policy wording (PDF)",
        description="The insurer's policy wording, up to 5 MB. Only signed-in people the scheme is for can read it.",
        widget=GovFileInput(),
        validators=[FileRequired("Select the policy wording")],
    )
    submit = submit("Upload")
