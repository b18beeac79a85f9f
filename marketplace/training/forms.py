"""Publisher forms: courses, sessions, cancelling a session, attendance, topics and certificate checks."""

from datetime import datetime
from decimal import Decimal

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextInput
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError

from ..core.clock import to_london, today, uk_moment
from ..core.date_input import DateInputField, TimeInputField
from ..core.forms import (
    BaseForm,
    WholeNumberField,
    area_checkboxes,
    micro_fte,
    pounds,
    required,
    strip_text,
    submit,
    text_area,
    text_field,
)
from ..core.money import format_pence, parse_pounds
from ..organisations.forms import FiniteDecimalField
from .courses import session_time_problems
from .models import AttendeeStatus, Delivery


class CourseForm(BaseForm):
    """A course's details."""

    title = text_field("Course title", "Enter a course title", max_length=160)
    topic_id = SelectField("Topic", coerce=int, widget=GovSelect(), validators=[InputRequired("Select the topic")])
    description = text_area(
        "Description",
        "Enter a description of the course",
        max_length=10000,
        hint="What people will learn and who it is for. You can use Markdown: **bold**, lists with -, links.",
        rows=8,
    )
    delivery = RadioField(
        "How it is delivered",
        choices={d.value: d.label for d in Delivery},
        default=Delivery.IN_PERSON.value,
        widget=GovRadioInput(),
        validators=[InputRequired("Select how the course is delivered")],
    )
    accreditation = text_field(
        "Accreditation (optional)", None, max_length=160, hint="For example, Skills for Care endorsed"
    )
    cpd_hours = FiniteDecimalField(
        "CPD hours",
        places=1,
        default=Decimal("0"),
        invalid_value_message="Enter CPD hours as a number, like 3 or 3.5",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the CPD hours, or 0 if none"),
            NumberRange(min=0, max=999, message="CPD hours must be between 0 and 999"),
        ],
        render_kw={"inputmode": "decimal", "class": "govuk-input--width-4"},
    )
    certificate_validity_months = WholeNumberField(
        "Certificate valid for (months, optional)",
        invalid="Enter how many months the certificate is valid for, like 12",
        description="Leave blank if the certificate does not expire",
        validators=[Optional(), NumberRange(min=1, max=120, message="Enter between 1 and 120 months")],
    )
    full_price = StringField(
        "Full price per place in pounds",
        description="What people outside your areas pay, like 40 or 12.50. Enter 0 for a free course.",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[required("Enter the full price, or 0 if the course is free"), pounds],
        render_kw={"inputmode": "decimal", "class": "govuk-input--width-5"},
    )
    subsidised_price = StringField(
        "Subsidised price per place in pounds",
        description="What people working in your areas pay (enterprises and relief workers). Enter 0 to make it free for them.",
        widget=GovTextInput(),
        filters=[strip_text],
        validators=[required("Enter the subsidised price, or 0 if it is free in your areas"), pounds],
        render_kw={"inputmode": "decimal", "class": "govuk-input--width-5"},
    )
    cancellation_cutoff_days = WholeNumberField(
        "Cancellation cut-off in days",
        invalid="Enter the cancellation cut-off as a whole number of days, like 7",
        description="Bookers who cancel at least this many days before the session get a full refund",
        default=7,
        validators=[
            InputRequired("Enter the cancellation cut-off in days"),
            NumberRange(min=0, max=90, message="The cancellation cut-off must be between 0 and 90 days"),
        ],
    )
    area_ids = area_checkboxes(
        "Who can book: areas (optional)",
        hint="Only people working in these areas can book. Choose none to let anyone book.",
    )
    max_fte = FiniteDecimalField(
        "Largest enterprise that can book, in full-time equivalent staff (optional)",
        places=1,
        invalid_value_message="Enter the largest enterprise that can book as a number, like 5",
        description="Up to 5, as Backstop is for micro-enterprises. Leave blank for no limit.",
        widget=GovTextInput(),
        validators=[Optional(), micro_fte("Largest enterprise that can book")],
        render_kw={"inputmode": "decimal", "class": "govuk-input--width-4"},
    )
    submit = submit("Save course")

    def validate_subsidised_price(self, field) -> None:
        full, subsidised = parse_pounds(self.full_price.data), parse_pounds(field.data)
        if full is not None and subsidised is not None and subsidised > full:
            raise ValidationError(f"The subsidised price must be no more than the full price ({format_pence(full)})")

    def details(self) -> dict:
        """The cleaned values, as the course services take them."""
        return {
            "title": self.title.data.strip(),
            "topic_id": self.topic_id.data,
            "description": self.description.data.strip(),
            "delivery": self.delivery.data,
            "accreditation": (self.accreditation.data or "").strip() or None,
            "cpd_hours": self.cpd_hours.data,
            "certificate_validity_months": self.certificate_validity_months.data,
            "full_price_pence": parse_pounds(self.full_price.data),
            "subsidised_price_pence": parse_pounds(self.subsidised_price.data),
            "cancellation_cutoff_days": self.cancellation_cutoff_days.data,
            "area_ids": list(self.area_ids.data or []),
            "max_fte": self.max_fte.data,
        }


class SessionForm(BaseForm):
    """A session's date, times, place and capacity (times in UK time, typed in GOV.UK date and time boxes)."""

    starts_on = DateInputField("Date of the session", required="Enter the date of the session")
    start_time = TimeInputField("Start time", required="Enter the start time")
    end_time = TimeInputField("End time", required="Enter the end time")
    deadline_on = DateInputField("Date booking closes", required="Enter the date booking closes")
    deadline_time = TimeInputField("Time booking closes", required="Enter the time booking closes")
    venue_address = text_area(
        "Venue address",
        "Enter the venue address",
        max_length=500,
        hint="Only people with a confirmed place see it",
        rows=4,
    )
    online_link = text_field(
        "Online joining link",
        "Enter the online joining link",
        max_length=500,
        hint="Only people with a confirmed place see it",
        validators=[Regexp(r"^https://\S+$", message="Enter an online joining link that starts with https://")],
        spellcheck="false",
    )
    capacity = WholeNumberField(
        "Places",
        invalid="Enter the number of places as a whole number, like 12",
        validators=[
            InputRequired("Enter the number of places"),
            NumberRange(min=1, max=1000, message="The number of places must be between 1 and 1,000"),
        ],
    )
    submit = submit("Save session")

    def for_delivery(self, delivery: str) -> "SessionForm":
        """Drop the location field the course's delivery does not use."""
        del self[("online_link" if delivery == Delivery.IN_PERSON else "venue_address")]
        return self

    def times(self) -> tuple[datetime, datetime, datetime]:
        """Start, end and booking deadline as UTC."""
        starts = uk_moment(self.starts_on.data, self.start_time.data)
        ends = uk_moment(self.starts_on.data, self.end_time.data)
        return starts, ends, uk_moment(self.deadline_on.data, self.deadline_time.data)

    def validate(self, extra_validators=None) -> bool:
        """Each box's own checks, then the session's rules on its times (training/courses.py), each message on the
        field to change: a start in the past on the date (or, today, the start time), a deadline on its date (or,
        on the session's day, its time)."""
        if not super().validate(extra_validators):
            return False
        problems = session_time_problems(*self.times())
        if "starts" in problems:
            past_day = self.starts_on.data < today()
            (self.starts_on if past_day else self.start_time).add_error(problems["starts"])
        if "ends" in problems:
            self.end_time.add_error(problems["ends"])
        if "deadline" in problems:
            later_day = self.deadline_on.data > self.starts_on.data
            (self.deadline_on if later_day else self.deadline_time).add_error(problems["deadline"])
        return not problems

    def details(self) -> dict:
        """The cleaned values, as the session services take them."""
        starts, ends, deadline = self.times()
        place = self.venue_address if "venue_address" in self else self.online_link
        return {
            "starts_at": starts,
            "ends_at": ends,
            "booking_deadline": deadline,
            "place": place.data.strip(),
            "capacity": self.capacity.data,
        }


def session_form_data(session) -> dict:
    """A session's stored values as the form shows them (UK time, split into the date and time boxes)."""
    starts, ends, deadline = (to_london(t) for t in (session.starts_at, session.ends_at, session.booking_deadline))
    return {
        "starts_on": starts.date(),
        "start_time": starts.time(),
        "end_time": ends.time(),
        "deadline_on": deadline.date(),
        "deadline_time": deadline.time(),
        "venue_address": session.venue_address,
        "online_link": session.online_link,
        "capacity": session.capacity,
    }


def cancellation_reason(what: str, told: str) -> TextAreaField:
    """Why something is cancelled: required, short, and sent to the people told."""
    return text_area(
        "Reason",
        f"Enter a reason for cancelling the {what}",
        max_length=200,
        hint=f"We send this to {told}, with the news that they get a full refund",
        rows=3,
    )


class CancelSessionForm(BaseForm):
    """Why a session is cancelled (told to everyone booked)."""

    reason = cancellation_reason("session", "everyone booked")
    submit = submit("Cancel session and refund everyone")

    def for_bookings(self, count: int) -> "CancelSessionForm":
        """With nobody booked there is no one to refund or tell: the button and hint say so."""
        if count == 0:
            self.submit.label.text = "Cancel session"
            self.reason.description = "Nobody is booked, so we send this to no one; it is kept with the session"
        return self


MARKS = {AttendeeStatus.ATTENDED.value: "Attended", AttendeeStatus.NO_SHOW.value: "Did not attend"}


def attendance_form(attendees) -> FlaskForm:
    """A form with one attended / did-not-attend question per attendee (unanswered ones stay unmarked)."""

    class AttendanceForm(BaseForm):
        submit = submit("Save attendance")

    for attendee in attendees:
        field = RadioField(
            attendee.name,
            description=attendee.email,
            choices=MARKS,
            default=attendee.status if attendee.status in MARKS else None,
            widget=GovRadioInput(),
            validators=[Optional()],
        )
        setattr(AttendanceForm, f"attendee_{attendee.id}", field)
    return AttendanceForm()


def marks_from(form) -> dict[int, str]:
    """Attendee id -> mark, for the questions answered."""
    return {
        int(field.name.removeprefix("attendee_")): field.data
        for field in form
        if field.name.startswith("attendee_") and field.data in MARKS
    }


class TopicForm(BaseForm):
    """A new training topic (admins)."""

    name = text_field("Topic name", "Enter the topic name", max_length=80)
    submit = submit("Add topic")


class RenameTopicForm(TopicForm):
    """A topic's new name (admins)."""

    name = text_field("New name", "Enter the new name for the topic", max_length=80)
    submit = submit("Rename topic")


class VerifyCertificateForm(FlaskForm):
    """A certificate number to check: a GET form that changes nothing (so no CSRF token), looked up as typed."""

    class Meta:
        csrf = False

    number = StringField(
        "Certificate number",
        description="It is on the certificate, like BSC-7K2M9QXP",
        widget=GovTextInput(),
        filters=[strip_text],
        render_kw={"spellcheck": "false", "autocomplete": "off", "class": "govuk-input--width-10"},
    )


class CancelBookingForm(CancelSessionForm):
    """Why a publisher cancels one booking (told to the booker, who is refunded in full)."""

    reason = cancellation_reason("booking", "the person who booked")
