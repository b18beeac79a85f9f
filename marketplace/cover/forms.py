"""Relief cover's forms: a worker's profile, checks and availability; a pool's settings; decisions; cover requests."""

import re
from datetime import date, datetime, time, timedelta

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
)
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from ..core.clock import today, uk_moment
from ..core.date_input import DateInputField, TimeInputField
from ..core.forms import (
    BaseForm,
    WholeNumberField,
    area_checkboxes,
    area_select,
    pounds_field,
    submit,
    text_area,
    text_field,
    uk_phone,
)
from ..core.money import parse_pounds
from .pay import Region
from .statuses import WEEKDAYS, AbsenceCategory, DbsLevel, Skill

SHIFT_ROWS = 3


def span(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """Start and end in UTC of UK times typed for a day; an end at or before the start is the next morning."""
    return uk_moment(day, start), uk_moment(day + timedelta(days=1) if end <= start else day, end)


YES_NO = {"yes": "Yes", "no": "No"}


def _whole(label: str, invalid: str, low: int, high: int, *, required: str | None = None, hint: str | None = None):
    checks = [InputRequired(required)] if required else [Optional()]
    checks.append(NumberRange(min=low, max=high, message=f"{label} must be between {low:,} and {high:,}"))
    return WholeNumberField(label, invalid=invalid, description=hint, validators=checks)


def skill_checkboxes(label: str, hint: str) -> SelectMultipleField:
    """The kinds of support, any number of them."""
    return SelectMultipleField(
        label,
        description=hint,
        choices={skill.value: skill.label for skill in Skill},
        widget=GovCheckboxesInput(),
        validators=[Optional()],
    )


def topic_checkboxes(label: str, hint: str) -> SelectMultipleField:
    """Training topics, any number of them (the view sets the choices)."""
    return SelectMultipleField(
        label, description=hint, coerce=int, widget=GovCheckboxesInput(), validators=[Optional()]
    )


class ReliefProfileForm(BaseForm):
    """A relief worker's profile: where they live, how to reach them, what they can do and where."""

    area_id = area_select("Council area you live in")
    phone = text_field(
        "Phone number (optional)", None, max_length=30, validators=[uk_phone], autocomplete="tel", type="tel"
    )
    about = text_area(
        "About you (optional)",
        None,
        max_length=1000,
        hint="Your experience, in a few sentences. Enterprises see this when you accept their shift.",
        rows=4,
    )
    area_ids = area_checkboxes("Areas you can work in", hint="Choose every council area you can travel to for work")
    skills = skill_checkboxes("Support you can give", "Select all that apply")
    submit = submit("Save profile")


class ChecksForm(BaseForm):
    """A worker's DBS check (level, issue date, Update Service) and two referees: never the certificate itself."""

    dbs_level = RadioField(
        "Level of your DBS check",
        choices={level.value: level.label for level in DbsLevel},
        widget=GovRadioInput(),
        validators=[InputRequired("Select the level of your DBS check")],
    )
    dbs_issued_on = DateInputField(
        "Date your DBS certificate was issued", required="Enter the date it was issued", years_back=20, years_ahead=0
    )
    dbs_update_service = RadioField(
        "Are you on the DBS Update Service?",
        choices=YES_NO,
        widget=GovRadioInput(),
        validators=[InputRequired("Select yes if you are on the DBS Update Service")],
    )
    referee_1 = text_field(
        "First referee",
        "Enter your first referee's name and email or phone",
        max_length=200,
        hint="Name and email address or phone number",
    )
    referee_2 = text_field(
        "Second referee",
        "Enter your second referee's name and email or phone",
        max_length=200,
        hint="Name and email address or phone number",
    )
    submit = submit("Save checks")

    def validate_dbs_issued_on(self, field) -> None:
        if field.data and field.data > today():
            raise ValidationError("The date your DBS certificate was issued must be today or in the past")


_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]?([0-5]\d)$")


def clock_minutes(text: str) -> int | None:
    """'9:00', '09.30' or '1730' as minutes after midnight; '24:00' is midnight at the end of the day; None if not."""
    text = (text or "").strip()
    if text in ("24:00", "2400", "24.00"):
        return 24 * 60
    match = _CLOCK.match(text)
    return int(match.group(1)) * 60 + int(match.group(2)) if match else None


def _day_fields(cls):
    """A 'from' and 'to' box for each day of the week."""
    for index, day in enumerate(WEEKDAYS):
        setattr(
            cls,
            f"from_{index}",
            text_field(
                f"{day} from",
                None,
                max_length=5,
                hint=None,
                **{"class": "govuk-input--width-4", "inputmode": "numeric"},
            ),
        )
        setattr(
            cls,
            f"to_{index}",
            text_field(
                f"{day} to", None, max_length=5, hint=None, **{"class": "govuk-input--width-4", "inputmode": "numeric"}
            ),
        )
    return cls


@_day_fields
class AvailabilityForm(BaseForm):
    """When a worker can usually work each week (UK time, 24-hour clock), and dates they cannot."""

    days_off = text_area(
        "Dates you cannot work (optional)",
        None,
        max_length=2000,
        hint="One date a line, like 24/12/2026",
        rows=4,
    )
    submit = submit("Save availability")

    def slots(self) -> dict[int, tuple[int, int]]:
        """Weekday → (start minute, end minute; past 1440 when it runs overnight)."""
        found = {}
        for index in range(7):
            start, end = self[f"from_{index}"].data, self[f"to_{index}"].data
            if start and end:
                begin, finish = clock_minutes(start), clock_minutes(end)
                found[index] = (begin, finish if finish > begin else finish + 24 * 60)
        return found

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for index, day in enumerate(WEEKDAYS):
            start, end = self[f"from_{index}"], self[f"to_{index}"]
            if bool(start.data) != bool(end.data):
                (end if start.data else start).errors.append(f"Enter both times for {day}, or neither")
                ok = False
            for box in (start, end):
                if box.data and clock_minutes(box.data) is None:
                    box.errors.append(f"Enter the {day} {'start' if box is start else 'end'} time, like 9:00 or 17:30")
                    ok = False
        if self.dates_off() is None:
            self.days_off.errors.append("Enter each date you cannot work as day/month/year, like 24/12/2026")
            ok = False
        return ok

    def dates_off(self) -> list[date] | None:
        """The dates typed, or None if one is not a date."""
        found = []
        for line in (self.days_off.data or "").splitlines():
            if line.strip():
                try:
                    found.append(datetime.strptime(line.strip(), "%d/%m/%Y").date())
                except ValueError:
                    return None
        return found


def yes_no(label: str, message: str) -> RadioField:
    return RadioField(label, choices=YES_NO, widget=GovRadioInput(), validators=[InputRequired(message)])


class PoolForm(BaseForm):
    """A relief pool's settings."""

    name = text_field("Pool name", "Enter the pool name", max_length=160, hint="For example, Leeds relief care pool")
    description = text_area(
        "Description", "Enter a description of the pool", max_length=5000, hint="Who it is for and how it works", rows=5
    )
    area_ids = area_checkboxes("Areas the pool serves", hint="Enterprises and workers in these areas can join")
    region = RadioField(
        "Bank holidays",
        description="Whose bank holidays are paid at the weekend rate",
        choices={region.value: region.label for region in Region},
        widget=GovRadioInput(),
        validators=[InputRequired("Select whose bank holidays the pool follows")],
    )
    dbs_level = RadioField(
        "DBS check needed",
        choices={level.value: level.label for level in DbsLevel},
        widget=GovRadioInput(),
        validators=[InputRequired("Select the DBS check workers need")],
    )
    dbs_max_age_months = _whole(
        "Oldest DBS certificate accepted, in months (optional)",
        "Enter the age in whole months, like 36",
        1,
        240,
        hint="Workers on the Update Service are always accepted. Leave blank for any age.",
    )
    right_to_work_required = yes_no(
        "Must workers' right to work be checked?", "Select yes if right to work must be checked"
    )
    topic_ids = topic_checkboxes(
        "Training every worker needs", "Workers need a valid record of each, booked and attended here"
    )
    hourly_rate = pounds_field("Worker's hourly rate in pounds", "Enter the worker's hourly rate", "For example, 14.50")
    night_uplift_percent = _whole(
        "Night uplift, per cent",
        "Enter the night uplift as a whole number, like 20",
        0,
        200,
        required="Enter the night uplift, or 0",
        hint="Added to the rate from 10pm to 7am",
    )
    weekend_uplift_percent = _whole(
        "Weekend and bank holiday uplift, per cent",
        "Enter the weekend uplift as a whole number, like 25",
        0,
        200,
        required="Enter the weekend uplift, or 0",
    )
    hourly_charge = pounds_field(
        "Hourly charge to enterprises in pounds",
        "Enter the hourly charge to enterprises",
        "What an enterprise pays for each hour beyond its funded hours",
    )
    funded_hours_per_year = _whole(
        "Funded hours per enterprise per year",
        "Enter the funded hours as a whole number",
        0,
        2000,
        required="Enter the funded hours, or 0",
    )
    min_notice_hours = _whole(
        "Minimum notice, in hours",
        "Enter the minimum notice as a whole number of hours",
        0,
        168,
        required="Enter the minimum notice, or 0",
        hint="How soon a shift may start after it is asked for",
    )
    submit = submit("Save pool")

    def details(self) -> dict:
        """The cleaned values, as the pool services take them."""
        return {
            "name": self.name.data,
            "description": self.description.data,
            "area_ids": list(self.area_ids.data or []),
            "topic_ids": list(self.topic_ids.data or []),
            "region": self.region.data,
            "dbs_level": self.dbs_level.data,
            "dbs_max_age_months": self.dbs_max_age_months.data,
            "right_to_work_required": self.right_to_work_required.data == "yes",
            "hourly_rate_pence": parse_pounds(self.hourly_rate.data),
            "night_uplift_percent": self.night_uplift_percent.data,
            "weekend_uplift_percent": self.weekend_uplift_percent.data,
            "hourly_charge_pence": parse_pounds(self.hourly_charge.data),
            "funded_hours_per_year": self.funded_hours_per_year.data,
            "min_notice_hours": self.min_notice_hours.data,
        }


class DecisionForm(BaseForm):
    """Approve or decline."""

    decision = RadioField(
        "Your decision",
        choices={"approve": "Approve", "decline": "Decline"},
        widget=GovRadioInput(),
        validators=[InputRequired("Select approve or decline")],
    )
    submit = submit("Save decision")


class WorkerDecisionForm(DecisionForm):
    """The checks the pool manager saw, then approve or decline."""

    dbs_verified = BooleanField(
        "I have seen the DBS certificate or its Update Service status, and it is clear", widget=GovCheckboxInput()
    )
    right_to_work = BooleanField("I have checked the worker's right to work in the UK", widget=GovCheckboxInput())


class JoinPoolForm(BaseForm):
    """Which of the person's enterprises joins."""

    organisation_id = SelectField(
        "Enterprise", coerce=int, widget=GovSelect(), validators=[InputRequired("Select the enterprise")]
    )
    submit = submit("Ask to join")


def _shift_rows(cls):
    for row in range(1, SHIFT_ROWS + 1):
        first = row == 1
        setattr(
            cls,
            f"day_{row}",
            DateInputField(f"Shift {row} date", required="Enter the date of the shift" if first else None),
        )
        setattr(
            cls,
            f"start_{row}",
            TimeInputField(f"Shift {row} start time", required="Enter the start time" if first else None),
        )
        setattr(
            cls, f"end_{row}", TimeInputField(f"Shift {row} end time", required="Enter the end time" if first else None)
        )
    return cls


@_shift_rows
class CoverRequestForm(BaseForm):
    """A request for cover: where, what support, the shifts, and what only the accepted worker sees."""

    area_id = SelectField("Area", coerce=int, widget=GovSelect(), validators=[InputRequired("Select the area")])
    absence_category = RadioField(
        "Why you need cover",
        description="A category only. Do not give health details.",
        choices={category.value: category.label for category in AbsenceCategory},
        widget=GovRadioInput(),
        validators=[InputRequired("Select why you need cover")],
    )
    description = text_area(
        "Description of the work",
        "Enter a description of the work",
        max_length=2000,
        hint="Workers see this before they accept. Do not name the people you support.",
        rows=4,
    )
    skills = skill_checkboxes("Support needed", "Select all that apply")
    topic_ids = topic_checkboxes("Extra training needed (optional)", "On top of the pool's own training rules")
    private_notes = text_area(
        "Private notes (optional)",
        None,
        max_length=4000,
        hint="Addresses, key safe, the care needed. Only the worker who accepts a shift sees them.",
        rows=5,
    )
    submit = submit("Ask for cover")

    def shift_times(self) -> list[tuple[datetime, datetime]]:
        """Each filled row as (start, end) in UTC; an end at or before the start is the next morning."""
        found = []
        for row in range(1, SHIFT_ROWS + 1):
            day, start, end = self[f"day_{row}"].data, self[f"start_{row}"].data, self[f"end_{row}"].data
            if day and start and end:
                found.append(span(day, start, end))
        return found

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for row in range(2, SHIFT_ROWS + 1):
            boxes = [self[f"day_{row}"], self[f"start_{row}"], self[f"end_{row}"]]
            if any(box.data for box in boxes) and not all(box.data for box in boxes):
                for box in boxes:
                    if not box.data and not box.errors:
                        box.errors.append(f"Enter the {box.label.text.lower()}, or leave shift {row} empty")
                ok = False
        return ok

    def details(self) -> dict:
        """The cleaned values, as post_request takes them."""
        return {
            "area_id": self.area_id.data,
            "absence_category": self.absence_category.data,
            "description": self.description.data,
            "private_notes": self.private_notes.data,
            "skills": list(self.skills.data or []),
            "topic_ids": list(self.topic_ids.data or []),
            "shifts": self.shift_times(),
        }


class TimesheetForm(BaseForm):
    """What was worked: the day it started, start and end times (UK time; an end before the start is the next
    morning) and the unpaid break."""

    day = DateInputField("Date you started", required="Enter the date you started", years_back=1, years_ahead=0)
    start = TimeInputField("Start time", required="Enter the start time")
    end = TimeInputField("End time", required="Enter the end time")
    break_minutes = _whole(
        "Unpaid break in minutes",
        "Enter the break as a whole number of minutes, like 30",
        0,
        600,
        required="Enter the unpaid break in minutes, or 0",
    )
    submit = submit("Send timesheet")

    def times(self) -> dict:
        """started_at, ended_at (UTC) and break_minutes, as the timesheet services take them."""
        day, start, end = self.day.data, self.start.data, self.end.data
        started_at, ended_at = span(day, start, end)
        return {"started_at": started_at, "ended_at": ended_at, "break_minutes": self.break_minutes.data}


class DisputeForm(BaseForm):
    """Why the enterprise disagrees with a timesheet."""

    reason = text_area(
        "What is wrong with the timesheet",
        "Enter what is wrong with the timesheet",
        max_length=500,
        hint="For example, the worker left at 3pm, not 5pm",
        rows=3,
    )
    submit = submit("Dispute timesheet")


class RatingForm(BaseForm):
    """One side's rating of the other after a shift."""

    score = RadioField(
        "Rating",
        choices={str(n): f"{n} out of 5" for n in range(5, 0, -1)},
        widget=GovRadioInput(),
        validators=[InputRequired("Select a rating from 1 to 5")],
    )
    comment = text_area("Comment (optional)", None, max_length=500, rows=3)
    submit = submit("Save rating")
