"""A publisher changes a session's time or place: everyone booked is told, with a calendar file that replaces the
old one; changes nobody relies on (places, booking deadline) send nothing."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from icalendar import Calendar

from marketplace.core.notifications import Notification
from marketplace.extensions import db
from marketplace.training import courses
from tests import factories
from tests.database import count, fresh, notifications_for
from tests.pages import text
from tests.training.session_boxes import boxes

STARTS = datetime(2026, 12, 10, 9, 30, tzinfo=UTC)  # 9:30am in London (winter)


def form(**changes) -> dict:
    """The edit form as the session stands: 10 December 2026, 09:30 to 12:30, booking closes 8 December 17:00."""
    data = {
        "starts_on": "2026-12-10",
        "start_time": "09:30",
        "end_time": "12:30",
        "deadline_on": "2026-12-08",
        "deadline_time": "17:00",
        "venue_address": "Civic Hall, Leeds LS1 1UR",
        "capacity": "10",
    }
    return boxes({**data, **changes})


@pytest.fixture
def world(ctx, clock):
    """A Leeds council session with a confirmed booking (the booker going, plus two staff) and a reserved one."""
    officer = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council")
    course = factories.course(council, title="Emergency First Aid")
    session = factories.training_session(
        course,
        starts_at=STARTS,
        ends_at=STARTS.replace(hour=12, minute=30),
        booking_deadline=datetime(2026, 12, 8, 17, 0, tzinfo=UTC),
        venue_address="Civic Hall, Leeds LS1 1UR",
    )
    booker = factories.user(name="Erin Owner", email="erin@example.com")
    enterprise = factories.enterprise(booker)
    confirmed = factories.booking(
        session,
        booker,
        enterprise,
        people=[("Erin Owner", "erin@example.com"), ("Ann Able", "ann@example.com"), ("Bob Baker", "bob@example.com")],
    )
    holder = factories.user(name="Hal Holder", email="hal@example.com")
    reserved = factories.booking(
        session, holder, factories.enterprise(holder), people=[("Rae Reserved", "rae@example.com")], status="reserved"
    )
    db.session.commit()
    return SimpleNamespace(
        officer=officer, session=session, booker=booker, holder=holder, confirmed=confirmed, reserved=reserved
    )


def edit(client, login_as, world, **changes):
    login_as(world.officer)
    response = client.post(f"/training/manage/sessions/{world.session.id}/edit", data=form(**changes))
    assert response.status_code == 302, text(response)
    return response


def changed_emails(outbox, address: str) -> list:
    return [m for m in outbox.to(address) if m["Subject"].startswith("Changed: Emergency First Aid")]


def ics_event(message):
    """The VEVENT of the .ics attached to an email."""
    (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_filename() == "backstop-training.ics"
    return next(iter(Calendar.from_ical(part.get_content()).walk("VEVENT")))


def test_new_time_is_announced_to_the_booker_and_emailed_to_every_attendee(client, login_as, world, outbox):
    """Moved an hour later: the booker is notified; each person on the confirmed booking gets the new times in UK
    time, the venue and an .ics with the new start; the publisher is told how many bookings were told."""
    response = edit(client, login_as, world, start_time="10:30", end_time="13:30")
    assert "Everyone on 2 bookings has been told." in text(client.get(response.headers["Location"]))
    fresh()
    (note,) = notifications_for(world.booker, "session_changed")
    assert note.title == "Leeds City Council has changed the time of Emergency First Aid"
    assert "It now starts 10 December 2026 at 10:30am and ends 10 December 2026 at 1:30pm." in note.body
    assert "Civic Hall" in note.body
    assert changed_emails(outbox, "erin@example.com") == [], "the booker is not sent a second copy"
    for address in ("ann@example.com", "bob@example.com"):
        (message,) = changed_emails(outbox, address)
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "Starts: 10 December 2026 at 10:30am (UK time)" in body and "Venue: Civic Hall, Leeds LS1 1UR" in body
        assert "It was going to start 10 December 2026 at 9:30am." in body
        event = ics_event(message)
        assert event.decoded("dtstart") == datetime(2026, 12, 10, 10, 30, tzinfo=UTC)
        assert str(event["uid"]) == f"training-session-{world.session.id}@backstop"
    booker_copy = [m for m in outbox.to("erin@example.com") if "has changed the time" in m["Subject"]]
    assert len(booker_copy) == 1 and ics_event(booker_copy[0]).decoded("dtend").hour == 13


def test_a_reserved_booking_is_told_the_time_but_not_the_place(client, login_as, world, outbox):
    """An unpaid hold's booker is notified without the venue; its attendee is not emailed the venue."""
    edit(client, login_as, world, venue_address="Leeds Central Library, Calverley Street")
    fresh()
    (note,) = notifications_for(world.holder, "session_changed")
    assert note.title == "Leeds City Council has changed the venue of Emergency First Aid"
    assert "Library" not in note.body and "once your booking is confirmed" in note.body
    (email,) = outbox.to("hal@example.com")
    assert "Library" not in email.get_body(preferencelist=("plain",)).get_content()
    assert not list(email.iter_attachments())
    assert outbox.to("rae@example.com") == []
    (message,) = changed_emails(outbox, "ann@example.com")
    assert "Venue: Leeds Central Library, Calverley Street" in message.get_body(preferencelist=("plain",)).get_content()
    assert "It was going to start" not in message.get_body(preferencelist=("plain",)).get_content()
    assert ics_event(message)["location"] == "Leeds Central Library, Calverley Street"


def test_a_new_joining_link_is_announced(ctx, clock, outbox):
    """Online sessions: a new link is a change (service level)."""
    course = factories.course(delivery="online", title="Online safeguarding")
    session = factories.training_session(course, venue_address=None, online_link="https://meet.example.com/old")
    booker = factories.user(email="olly@example.com")
    factories.booking(session, booker, people=[("Olly", "olly@example.com"), ("Pat", "pat@example.com")])
    db.session.commit()
    told = courses.update_session(
        session,
        course.organisation.memberships[0].user,
        capacity=session.capacity,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        booking_deadline=session.booking_deadline,
        place="https://meet.example.com/new",
    )
    db.session.commit()
    assert told == 1
    (message,) = [m for m in outbox.to("pat@example.com") if m["Subject"].startswith("Changed:")]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Join online: https://meet.example.com/new" in body and "joining link" in body


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"capacity": "12"},
        {"deadline_on": "2026-12-07", "deadline_time": "12:00"},
        {"venue_address": " Civic Hall, Leeds LS1 1UR "},
    ],
    ids=["nothing", "places", "deadline", "same-venue-with-spaces"],
)
def test_changes_nobody_relies_on_send_nothing(client, login_as, world, outbox, changes):
    """Places, the booking deadline or re-saving the same details: no notification, no email."""
    before = len(outbox.messages())
    response = edit(client, login_as, world, **changes)
    assert "has been told" not in text(client.get(response.headers["Location"]))
    fresh()
    assert count(Notification, Notification.kind == "session_changed") == 0
    assert len(outbox.messages()) == before


def test_the_edit_page_says_people_will_be_told(client, login_as, world):
    """The publisher knows before saving that a new time or place reaches everyone booked."""
    login_as(world.officer)
    page = text(client.get(f"/training/manage/sessions/{world.session.id}/edit"))
    assert "If you change the time or place, everyone booked is told by email." in page
