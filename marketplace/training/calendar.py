"""Calendar files: one .ics event per confirmed booking, and a private feed of a person's sessions."""

import secrets

from flask import url_for
from icalendar import Calendar, Event
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core.clock import utcnow
from ..extensions import db
from .models import Attendee, AttendeeStatus, Booking, BookingStatus, CalendarFeed, TrainingSession


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Backstop//Training//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Backstop training")
    return calendar


def session_event(session: TrainingSession) -> Event:
    """A calendar event for a session (venue or online link included: only confirmed attendees get it)."""
    course = session.course
    event = Event()
    event.add("uid", f"training-session-{session.id}@backstop")
    event.add("summary", course.title)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("dtstamp", utcnow())  # when this copy was made
    event.add("sequence", session.revision or 0)  # a higher SEQUENCE for the same UID replaces the older event
    event.add("location", session.online_link or session.venue_address or "")
    event.add("description", f"{course.organisation.name}. {course.topic.name}.")
    event.add("url", url_for("training.show_session", session_id=session.id, _external=True))
    if session.status == "cancelled":
        event.add("status", "CANCELLED")
    return event


def session_ics(session: TrainingSession) -> bytes:
    """The .ics file for one session, as it stands now (same UID as before, so calendars update the event)."""
    calendar = _calendar()
    calendar.add_component(session_event(session))
    return calendar.to_ical()


def booking_ics(booking: Booking) -> bytes:
    """The .ics file for one booking."""
    return session_ics(booking.session)


def stored_token(user_id: int) -> str | None:
    """The person's current feed token if they have created one (looking never creates one)."""
    return db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == user_id))


def _create_feed(user_id: int) -> str:
    """A new feed for the person; if another request created one meanwhile (user_id is unique), that one."""
    token = secrets.token_urlsafe(32)
    try:
        with db.session.begin_nested():
            db.session.add(CalendarFeed(user_id=user_id, token=token))
    except IntegrityError:
        return stored_token(user_id)
    return token


def feed_token(user, *, renew: bool = False) -> str:
    """The person's private feed token, created on first use; renew=True revokes the old address.

    Safe to call twice at once: both callers get the same, working token (one new address, never two).
    """
    current = stored_token(user.id)
    if current is None:
        return _create_feed(user.id)
    if not renew:
        return current
    token = secrets.token_urlsafe(32)
    replaced = db.session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.user_id == user.id, CalendarFeed.token == current)
        .values(token=token)
        .execution_options(synchronize_session=False)
    ).rowcount
    return token if replaced else stored_token(user.id)


def feed_ics(token: str) -> bytes | None:
    """Every confirmed session of the feed's owner (booked by them or naming them), or None for a bad token."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None:
        return None
    email = db.session.scalar(select(User.email).where(User.id == feed.user_id))
    sessions = db.session.scalars(
        select(TrainingSession)
        .join(Attendee, Attendee.session_id == TrainingSession.id)
        .join(Booking, Booking.id == Attendee.booking_id)
        .where(Booking.status == BookingStatus.CONFIRMED, Attendee.status != AttendeeStatus.CANCELLED)
        .where((Booking.booker_id == feed.user_id) | (Attendee.email == email))
        .distinct()
    ).all()
    calendar = _calendar()
    for session in sessions:
        calendar.add_component(session_event(session))
    return calendar.to_ical()
