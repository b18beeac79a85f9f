"""Emails about a booking beyond the booker's own confirmation: the people named on it, the invoice, and changes
to a session's time or place (everyone booked is told, with a calendar file that replaces the old one)."""

from dataclasses import dataclass
from datetime import datetime

from flask import url_for

from ..core.mail import send_email
from ..core.money import format_pence
from ..core.notifications import notify
from ..core.template_helpers import format_datetime
from ..payments.payee import how_to_pay
from .calendar import session_ics
from .models import AttendeeStatus, Booking, BookingStatus, TrainingSession

ICS_NAME = "backstop-training.ics"


def _calendar_attachment(session: TrainingSession) -> tuple:
    return ((ICS_NAME, session_ics(session), "text/calendar"),)


def booking_message_id(booking: Booking, what: str) -> str:
    """The fixed Message-ID of one email about a booking (its delivery sends a Message-ID once: a job that runs
    again sends nothing twice); the booking's creation time keeps it unique beyond this database's ids."""
    return f"<training-booking-{booking.id}-{booking.created_at:%Y%m%d%H%M%S%f}-{what}@backstop.example>"


def _booked(booking: Booking) -> list:
    return [attendee for attendee in booking.attendees if attendee.status == AttendeeStatus.BOOKED]


def email_attendees(booking: Booking) -> int:
    """A confirmed booking: each named person other than the booker gets the course, times (UK), the venue or
    joining link and a calendar file. Returns how many were emailed (the booker has their own confirmation)."""
    if booking.status != BookingStatus.CONFIRMED:
        return 0
    session = booking.session
    booker_email = booking.booker.email.lower()
    others = [a for a in _booked(booking) if a.email.lower() != booker_email]
    if not others:
        return 0
    attachments = _calendar_attachment(session)
    for attendee in others:
        send_email(
            attendee.email,
            "training_place_booked",
            message_id=booking_message_id(booking, f"place-{attendee.id}"),
            name=attendee.name,
            booking=booking,
            session=session,
            course=session.course,
            attachments=attachments,
        )
    return len(others)


def email_invoice(booking: Booking) -> bool:
    """An invoice was raised for a booking: email the booker its reference, amount, due date, how to pay (the
    publisher's payment details) and its page."""
    payment = booking.payment
    if payment is None or not payment.invoice_reference:
        return False
    course = booking.session.course
    send_email(
        booking.booker.email,
        "training_invoice",
        message_id=booking_message_id(booking, f"invoice-{payment.id}"),
        name=booking.booker.name,
        booking=booking,
        session=booking.session,
        course=course,
        reference=payment.invoice_reference,
        amount=format_pence(payment.amount_pence, free_word="£0"),
        how=how_to_pay(payment),
        invoice_link=url_for("payments.show_invoice", payment_id=payment.id, _external=True),
        booking_link=url_for("training.show_booking", booking_id=booking.id, _external=True),
    )
    return True


# --- a session's time or place changed ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionDetails:
    """What people booked on a session rely on: when and where."""

    starts_at: datetime
    ends_at: datetime
    venue_address: str | None
    online_link: str | None

    @classmethod
    def of(cls, session: TrainingSession) -> "SessionDetails":
        return cls(session.starts_at, session.ends_at, session.venue_address, session.online_link)

    def changes_to(self, after: "SessionDetails") -> list[str]:
        """What changed, in words: 'time', 'venue', 'joining link' (empty when nothing people rely on changed)."""
        changes = []
        if (self.starts_at, self.ends_at) != (after.starts_at, after.ends_at):
            changes.append("time")
        if (self.venue_address or "") != (after.venue_address or ""):
            changes.append("venue")
        if (self.online_link or "") != (after.online_link or ""):
            changes.append("joining link")
        return changes


def _in_words(changes: list[str]) -> str:
    """'time', 'time and venue', 'time, venue and joining link'."""
    return changes[0] if len(changes) == 1 else f"{', '.join(changes[:-1])} and {changes[-1]}"


def _place_line(session: TrainingSession) -> str:
    if session.online_link:
        return f"Join online: {session.online_link}."
    return f"Venue: {session.venue_address}." if session.venue_address else ""


def announce_session_change(
    session: TrainingSession, bookings: list[Booking], before: SessionDetails, changes: list[str]
) -> int:
    """Tell each live booking's booker (notification and email) and email each person on a confirmed booking the
    new details with a new calendar file. Reserved bookings are not yet told the place (only confirmed places
    see it). Returns how many bookings were told."""
    if not changes:
        return 0
    course = session.course
    what = _in_words(changes)
    when = f"It now starts {format_datetime(session.starts_at)} and ends {format_datetime(session.ends_at)}."
    attachments = _calendar_attachment(session)
    for booking in bookings:
        confirmed = booking.status == BookingStatus.CONFIRMED
        place = _place_line(session) if confirmed else "You will see where it happens once your booking is confirmed."
        notify(
            booking.booker,
            "session_changed",
            title=f"{course.organisation.name} has changed the {what} of {course.title}",
            body=f"{when} {place}".strip(),
            link=url_for("training.show_booking", booking_id=booking.id, _external=True),
            attachments=attachments if confirmed else (),
        )
        if not confirmed:
            continue
        for attendee in _booked(booking):
            if attendee.email == booking.booker.email:
                continue  # the booker's notification above already carries the news and the calendar file
            send_email(
                attendee.email,
                "training_session_changed",
                name=attendee.name,
                session=session,
                course=course,
                before=before,
                what=what,
                changes=changes,
                attachments=attachments,
            )
    return len(bookings)
