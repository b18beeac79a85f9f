"""What core holds about a person: their notifications and the audit events by or about them; what closing their
account does to those; and how long notifications are kept."""

from datetime import datetime

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, or_, select, update

from ..extensions import db
from . import audit
from .notifications import Notification

NOTIFICATIONS_KEPT_YEARS = 2


def export(person) -> dict[str, list[dict]]:
    """The person's notifications, and the audit events by or about them (the details only of events about them:
    an event of theirs about someone else's record would show that person's details)."""
    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == person.id).order_by(Notification.created_at)
    )
    return {
        "notifications": [
            {"at": n.created_at, "title": n.title, "body": n.body, "link": n.link, "read_at": n.read_at} for n in notes
        ],
        "audit_events": [_event_row(event, person) for event in audit.events_about(person)],
    }


def _event_row(event: audit.AuditEvent, person) -> dict:
    """One audit event as the person sees it in their export."""
    about_them = event.object_id == person.id and event.object_type == type(person).__name__
    about_them = about_them or event.details.get("user_id") == person.id
    return {
        "at": event.at,
        "action": event.action,
        "by_you": event.actor_id == person.id,
        "object": f"{event.object_type} {event.object_id}" if event.object_type else "",
        "details": event.details if about_them else {},
        "ip_address": event.ip if event.actor_id == person.id else None,
    }


def anonymise(person, pseudonym) -> None:
    """The person's notifications are deleted. In audit events their email is replaced wherever it appears (it is
    theirs alone), their name only in the events by or about them or naming their email (another person may share
    the name); other people's notifications that name them get the pseudonym for the email and the exact full name.
    The events themselves are kept, pointing at the anonymised account."""
    db.session.execute(delete(Notification).where(Notification.user_id == person.id))
    theirs = {event.id for event in audit.events_about(person)} | set(audit.event_ids_mentioning(person.email))
    audit.redact({person.email: pseudonym.email})
    audit.redact({person.name: pseudonym.name}, within=theirs)
    _redact_notifications({person.email: pseudonym.email, person.name: pseudonym.name})


def _redact_notifications(replacements: dict[str, str]) -> None:
    """Other people's notifications that name the person ("Jo Bloggs asked to join ...") name the pseudonym. A
    name is matched exactly as written and whole ("Will Jones", never "you will get"); a notification names no
    person by id, so someone else with exactly the same full name would be renamed too (rare, and only words in a
    notification, never a record)."""
    swap = audit.replacer(replacements)
    columns = (Notification.title, Notification.body)
    found = or_(*(column.contains(old) for old in replacements if old for column in columns))
    for note_id, title, body in db.session.execute(select(Notification.id, *columns).where(found)).all():
        new_title, new_body = swap(title), swap(body)
        if (new_title, new_body) != (title, body):
            changed = update(Notification).where(Notification.id == note_id)
            db.session.execute(changed.values(title=new_title, body=new_body))


def forget_old_notifications(now: datetime) -> int:
    """Retention: delete notifications NOTIFICATIONS_KEPT_YEARS old or older; how many."""
    cutoff = now - relativedelta(years=NOTIFICATIONS_KEPT_YEARS)
    return db.session.execute(delete(Notification).where(Notification.created_at <= cutoff)).rowcount or 0
