"""What training holds about a person (bookings they made, places naming them, waiting-list entries, training
records), and what closing their account does: the records are kept under the pseudonym, certificates still verify.

Bookings and their payments are kept as they are (they are financial records, and reconcile must still add up);
places already booked stay booked, so a person who will not attend cancels them before closing their account.
"""

from sqlalchemy import Text, cast, delete, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from . import waiting
from .certificates import records_of_person
from .models import Attendee, Booking, CalendarFeed, TrainingRecord, TrainingSession, WaitingListEntry, WaitStatus


def export(user) -> dict[str, list[dict]]:
    """Bookings the person made, places naming them, their waiting-list entries and their training records."""
    bookings = db.session.scalars(select(Booking).where(Booking.booker_id == user.id).order_by(Booking.id))
    places = db.session.scalars(
        select(Attendee).options(joinedload(Attendee.booking)).where(Attendee.email == user.email).order_by(Attendee.id)
    )
    entries = db.session.scalars(
        select(WaitingListEntry).where(WaitingListEntry.user_id == user.id).order_by(WaitingListEntry.id)
    )
    return {
        "bookings": [_booking_row(booking) for booking in bookings],
        "places_naming_you": [_place_row(place) for place in places],
        "waiting_list_entries": [_entry_row(entry, user) for entry in entries],
        "training_records": [_record_row(record) for record in db.session.scalars(records_of_person(user)).unique()],
    }


def _session_facts(session: TrainingSession) -> dict:
    return {
        "course": session.course.title,
        "provider": session.course.organisation.name,
        "starts_at": session.starts_at,
    }


def _booking_row(booking: Booking) -> dict:
    """A booking, without the names of the other people booked on it (their data, not the booker's)."""
    return {
        "booking": booking.id,
        **_session_facts(booking.session),
        "booked_for": booking.organisation.name if booking.organisation else "Yourself",
        "status": booking.status,
        "places": booking.seats,
        "price_band": booking.price_band,
        "total_pence": booking.total_pence,
        "booked_at": booking.created_at,
        "confirmed_at": booking.confirmed_at,
        "cancelled_at": booking.cancelled_at,
    }


def _place_row(place: Attendee) -> dict:
    return {
        "booking": place.booking_id,
        **_session_facts(place.booking.session),
        "name": place.name,
        "email": place.email,
        "status": place.status,
        "attendance_marked_at": place.marked_at,
    }


def _entry_row(entry: WaitingListEntry, user) -> dict:
    """A waiting-list entry, without the names of the others it asks places for."""
    return {
        **_session_facts(entry.session),
        "status": entry.status,
        "places": entry.seats,
        "joined_at": entry.created_at,
        "offered_at": entry.offered_at,
        "offer_expires_at": entry.offer_expires_at,
        "a_place_for_you": any(person.get("email") == user.email for person in entry.attendees),
    }


def _record_row(record: TrainingRecord) -> dict:
    return {
        "certificate_number": record.certificate_number,
        "name": record.person_name,
        "email": record.email,
        "course": record.course.title,
        "topic": record.topic.name,
        "provider": record.course.organisation.name,
        "completed_on": record.completed_on,
        "expires_on": record.expires_on,
    }


def anonymise(user, pseudonym) -> None:
    """Leave every waiting list; places and training records naming the person name the pseudonym instead (so a
    publisher's roster and a certificate check show it); their calendar feed address stops working."""
    live = (WaitStatus.WAITING, WaitStatus.OFFERED)
    for entry in db.session.scalars(
        select(WaitingListEntry).where(WaitingListEntry.user_id == user.id, WaitingListEntry.status.in_(live))
    ).all():
        waiting.withdraw(entry, user)
    _rename_in_waiting_lists(user.email, pseudonym)
    named = {"name": pseudonym.name, "email": pseudonym.email}
    db.session.execute(update(Attendee).where(Attendee.email == user.email).values(named))
    db.session.execute(
        update(TrainingRecord)
        .where((TrainingRecord.user_id == user.id) | (TrainingRecord.email == user.email))
        .values(person_name=pseudonym.name, email=pseudonym.email)
    )
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))


def _rename_in_waiting_lists(email: str, pseudonym) -> None:
    """Waiting-list entries (anyone's) asking a place for the person name the pseudonym in its place."""
    query = select(WaitingListEntry).where(cast(WaitingListEntry.attendees, Text).ilike(f"%{email}%"))
    for entry in db.session.scalars(query).all():
        entry.attendees = [
            {"name": pseudonym.name, "email": pseudonym.email} if person.get("email") == email else person
            for person in entry.attendees
        ]
