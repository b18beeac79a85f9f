"""A cover shift as a calendar file, for the worker who accepted it (times and area only: calendars are synced and
shared, so the private notes stay in the service)."""

from flask import Response, url_for
from icalendar import Calendar, Event

from ..core.clock import utcnow
from .models import CoverShift
from .statuses import ShiftStatus


def shift_ics(shift: CoverShift) -> bytes:
    """The .ics of one shift (the same UID each time, so a calendar updates the event)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Backstop//Relief cover//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"cover-shift-{shift.id}@backstop")
    event.add("summary", f"Cover shift for {shift.request.organisation.name}")
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add("dtstamp", utcnow())
    event.add("location", shift.request.area.name)
    event.add("url", url_for("cover.show_shift", shift_id=shift.id, _external=True))
    if shift.status == ShiftStatus.CANCELLED:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def shift_event(shift: CoverShift) -> Response:
    """The shift's .ics as a download."""
    disposition = f'attachment; filename="backstop-cover-shift-{shift.id}.ics"'
    return Response(shift_ics(shift), mimetype="text/calendar", headers={"Content-Disposition": disposition})
