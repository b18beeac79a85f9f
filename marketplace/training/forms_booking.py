"""Booker forms: who a booking is for and up to twelve named people (three rows at a time); the catalogue's filters."""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date

from flask import request
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput, GovSelect, GovTextInput
from wtforms import DateField, Form, RadioField, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length, Optional

from ..accounts.roles import is_relief_worker
from ..core import tokens
from ..core.forms import BaseForm, strip_text, submit, text_field
from ..core.long_lists import AutocompleteSelect
from ..core.urls import positive_id
from ..organisations.permissions import enterprise_memberships
from .booking import Person
from .catalogue import CatalogueFilters
from .models import Delivery

MAX_PLACES = 12
ROWS_AT_A_TIME = 3  # rows shown at first, and added by "Add more people"
FOR_MYSELF = "self"
_PERSON_FIELD = re.compile(r"(?:name|email)_(\d+)")
CHECKED, CHECKED_FOR_SECONDS = "training-booking-check", 60 * 60  # a check page can be confirmed for an hour


@dataclass(frozen=True)
class BookerOption:
    """One answer to 'who are you booking for': an enterprise, or yourself as a relief worker."""

    value: str
    label: str
    organisation: object | None


def booker_options(user) -> list[BookerOption]:
    """The person's enterprises, then themselves if they are a relief worker."""
    options = [
        BookerOption(str(m.organisation_id), m.organisation.name, m.organisation) for m in enterprise_memberships(user)
    ]
    if is_relief_worker(user):
        options.append(BookerOption(FOR_MYSELF, "Myself, as a relief worker", None))
    return options


class BookingForm(BaseForm):
    """Places on a session: for an enterprise's named people, or for yourself as a relief worker."""

    booker_for = RadioField(
        "Who are you booking for?",
        choices={},
        widget=GovRadioInput(),
        validators=[InputRequired("Select who you are booking for")],
        invalid_choice_message="Select who you are booking for from the list",
    )
    submit = submit("Continue")

    def rows(self) -> list[tuple]:
        """The (name field, email field) pairs, person 1 first."""
        return [(self[f"name_{n}"], self[f"email_{n}"]) for n in range(1, MAX_PLACES + 1) if f"name_{n}" in self]

    def for_myself(self) -> bool:
        """A relief worker booking their own place (no named people)."""
        return self.booker_for.data == FOR_MYSELF

    def validate(self, extra_validators=None) -> bool:
        """Field checks, then each row complete, at least one person named and none beyond the last row."""
        valid = super().validate(extra_validators)
        if not self.for_myself() and not self.rows():
            return False  # a relief worker's form has no rows: only a crafted post books for another (booker_for says)
        return (self.for_myself() or (self._rows_complete() and self._within_limit())) and valid

    def _within_limit(self) -> bool:
        """Nobody named beyond person MAX_PLACES (only a crafted post can name them: refuse, never drop them)."""
        if self.too_many:
            self.name_1.errors.append(f"Name up to {MAX_PLACES} people at a time")
        return not self.too_many

    def _rows_complete(self) -> bool:
        """Each named person has a name and a new email address; at least one is named."""
        complete, seen = True, {}
        for number, (name, email) in enumerate(self.rows(), start=1):
            named, address = (name.data or "").strip(), (email.data or "").lower()
            if not named and not address:
                continue
            if named and not address:
                email.errors.append(f"Enter the email address of person {number}")
            elif address and not named:
                name.errors.append(f"Enter the name of person {number}")
            elif address in seen:
                email.errors.append(f"Person {number} has the same email address as person {seen[address]}")
            else:
                seen[address] = number
                continue
            complete = False
        if complete and not seen:
            self.name_1.errors.append("Enter the name and email address of at least one person")
            complete = False
        return complete

    def people(self, user) -> list[Person]:
        """The people to book: the named rows, or the relief worker themselves."""
        if self.for_myself():
            return [Person(user.name, user.email)]
        return [Person(name.data.strip(), email.data) for name, email in self.rows() if (name.data or "").strip()]

    def option(self, options: list[BookerOption]) -> BookerOption:
        """The chosen option."""
        return next(option for option in options if option.value == self.booker_for.data)

    def places(self) -> int:
        """How many places the answers so far ask for (at least 1): the rows with a name, or the relief worker."""
        return 1 if self.for_myself() else max(1, sum(1 for name, _ in self.rows() if (name.data or "").strip()))


def answers(form: BookingForm, people: list[Person]) -> list[tuple[str, str]]:
    """The form's answers for these people as (field name, value) pairs: hidden fields on the check page, which
    post them back to the form to change them or on to confirm them (where the form checks them all again)."""
    fields = [("booker_for", form.booker_for.data)]
    if form.for_myself():
        return fields
    fields.append(("rows", str(max(ROWS_AT_A_TIME, len(people)))))
    for number, person in enumerate(people, start=1):
        fields += [(f"name_{number}", person.name), (f"email_{number}", person.email)]
    return fields


def _digest(facts: list) -> str:
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


def checked_seal(facts: list) -> str:
    """The check page's seal on the facts it shows (the session, who books, the price, the people), posted back
    as a hidden field by its confirm button."""
    return tokens.sign(CHECKED, _digest(facts))


def confirms_what_was_checked(formdata, facts: list) -> bool:
    """The posted seal is ours, under an hour old, and for exactly these facts (else: check the answers again)."""
    return tokens.unsign(CHECKED, formdata.get("checked", ""), CHECKED_FOR_SECONDS) == _digest(facts)


for _n in range(1, MAX_PLACES + 1):
    setattr(
        BookingForm,
        f"name_{_n}",
        text_field(f"Full name of person {_n}", None, max_length=120, autocomplete="off", spellcheck="false"),
    )
    setattr(
        BookingForm,
        f"email_{_n}",
        StringField(
            f"Email address of person {_n}",
            widget=GovTextInput(),
            filters=[strip_text],
            validators=[
                Optional(),
                Length(max=254, message="Email address must be 254 characters or fewer"),
                Email(
                    "Enter an email address in the correct format, like name@example.com", check_deliverability=False
                ),
            ],
            render_kw={"autocomplete": "off", "spellcheck": "false", "type": "email"},
        ),
    )


def rows_to_show(formdata) -> int:
    """How many person rows: as many as were shown (and any filled in), 3 more if asked; 3 to 12."""
    shown = _int(formdata.get("rows")) or ROWS_AT_A_TIME
    filled = [n for n in range(1, MAX_PLACES + 1) if formdata.get(f"name_{n}") or formdata.get(f"email_{n}")]
    shown = max(shown, *filled) if filled else shown
    if formdata.get("add_people"):
        shown += ROWS_AT_A_TIME
    return max(ROWS_AT_A_TIME, min(MAX_PLACES, shown))


def _names_beyond_the_last_row(formdata) -> bool:
    """A person numbered above MAX_PLACES was posted with a name or email address."""
    numbered = (_PERSON_FIELD.fullmatch(key) for key, value in formdata.items(multi=True) if value.strip())
    return any(match and int(match.group(1)) > MAX_PLACES for match in numbered)


def booking_form(options: list[BookerOption], user, *, label: str = "Continue") -> BookingForm:
    """The booking form for these options: named rows only when an enterprise can be chosen (three at first,
    person 1 filled in with the booker's own details, which they can change); a relief worker books only themselves.
    `form.editing` is true when the person asked for more rows or came back from the check page to change an
    answer (show the form again; check and book nothing)."""
    form = BookingForm()
    form.booker_for.choices = {option.value: option.label for option in options}
    form.submit.label.text = label
    submitted = form.is_submitted()
    form.editing = submitted and bool(request.form.get("add_people") or request.form.get("change"))
    form.too_many = submitted and _names_beyond_the_last_row(request.form)
    if len(options) == 1 and not form.booker_for.data:
        form.booker_for.data = options[0].value
    shown = 0 if all(option.value == FOR_MYSELF for option in options) else rows_to_show(request.form)
    for number in range(shown + 1, MAX_PLACES + 1):
        del form[f"name_{number}"], form[f"email_{number}"]
    if shown and not submitted:
        form.name_1.data, form.email_1.data = user.name, user.email
    form.can_add_rows = 0 < shown < MAX_PLACES
    return form


# --- catalogue filters -----------------------------------------------------------------------------------------


class FilterDateField(DateField):
    """A GOV.UK day/month/year date that may be left blank, with a plain-English error."""

    def process_formdata(self, valuelist):
        """Day, month and year make a date; blank or missing parts are no date; an impossible date is an error."""
        if len(valuelist) != 3:
            self.raw_data = None  # absent (or not a day, month, year triple): no date
        elif any(part.strip() for part in valuelist):
            try:
                super().process_formdata(valuelist)
            except ValueError as error:
                raise ValueError(f"{self.label.text} must be a real date, like 27 3 2026") from error


PRICE_CHOICES = {"any": "Any price", "free": "Free for me", "subsidised": "Subsidised in my area"}


class CatalogueFilterForm(Form):
    """The catalogue's filters, read from the query string (a GET form changes nothing, so no CSRF token)."""

    q = StringField("Search by title or description", widget=GovTextInput(), filters=[strip_text])
    topic = SelectField("Topic", choices={}, default="", widget=GovSelect())
    area = SelectField("Area", choices={}, default="", widget=AutocompleteSelect())
    starts_from = FilterDateField("Starting from", format="%d %m %Y", widget=GovDateInput())
    starts_to = FilterDateField("Starting by", format="%d %m %Y", widget=GovDateInput())
    price = RadioField("Price", choices=PRICE_CHOICES, default="any", widget=GovRadioInput())
    delivery = RadioField(
        "How it is delivered",
        choices={"": "Any", **{d.value: d.label for d in Delivery}},
        default="",
        widget=GovRadioInput(),
    )

    def validate_starts_to(self, field) -> None:
        """The end of the range is not before its start."""
        if field.data and self.starts_from.data and field.data < self.starts_from.data:
            field.errors.append("'Starting by' must be the same as or after 'Starting from'")

    def filters(self) -> CatalogueFilters:
        """The filters to apply (invalid parts are ignored)."""
        return CatalogueFilters(
            text=self.q.data or None,
            topic_id=_int(self.topic.data),
            area_id=_int(self.area.data),
            starts_from=_day(self.starts_from),
            starts_to=_day(self.starts_to),
            price=self.price.data if self.price.data in PRICE_CHOICES else "any",
            delivery=self.delivery.data or None,
        )


def _int(value) -> int | None:
    """A whole number from the query string or form (an id, or how many rows), or None (also when too big)."""
    return positive_id(value)


def _day(field) -> date | None:
    """A date field's value if it parsed."""
    return field.data if not field.errors else None


def catalogue_filter_form(args, topics, areas) -> CatalogueFilterForm:
    """The filter form from the query string, with topic and area choices."""
    form = CatalogueFilterForm(args)
    form.topic.choices = {"": "Any topic", **{str(t.id): t.name for t in topics}}
    form.area.choices = {"": "Any area", **{str(a.id): a.name for a in areas}}
    return form
