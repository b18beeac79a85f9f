"""Waiting-list offers: when seats free up, the first entry that fits is offered them for 24 hours."""

from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from ..core.clock import utcnow
from ..core.notifications import notify
from ..core.states import change
from ..core.template_helpers import format_datetime
from ..extensions import db
from .models import WAIT_STATES, WaitingListEntry, WaitStatus
from .seats import give_back_seats, lock_session, take_seats

OFFER_HOURS = 24


def offer_seats(session_id: int) -> int:
    """Offer free seats to waiting entries in order, each the first that fits; returns offers made."""
    session = lock_session(session_id)
    if not session.takes_offers:
        return 0  # too late to offer: nobody could book the seats now
    offers = 0
    for entry in _waiting(session_id):
        if entry.seats <= session.capacity - session.seats_taken and take_seats(session_id, entry.seats):
            if _offer(entry):
                offers += 1
            else:
                give_back_seats(session_id, entry.seats)
            db.session.refresh(session)
    return offers


def _waiting(session_id: int) -> list[WaitingListEntry]:
    query = select(WaitingListEntry).where(
        WaitingListEntry.session_id == session_id, WaitingListEntry.status == WaitStatus.WAITING
    )
    return list(db.session.scalars(query.order_by(WaitingListEntry.created_at, WaitingListEntry.id)))


def _offer(entry: WaitingListEntry) -> bool:
    """Offer the entry its seats (already taken for it) and tell the person; False if it stopped waiting."""
    now = utcnow()
    # 24 hours, but never past the booking deadline (after it nobody could book the places).
    until = min(now + timedelta(hours=OFFER_HOURS), entry.session.booking_deadline)
    values = {"offered_at": now, "offer_expires_at": until}
    if not change(entry, WAIT_STATES, WaitStatus.OFFERED, actor=None, values=values, seats=entry.seats):
        return False
    course = entry.session.course
    notify(
        entry.user,
        "waiting_list_offer",
        title=f"{entry.seats} place{'s' if entry.seats > 1 else ''} on {course.title} are yours if you want them",
        body=f"Accept by {format_datetime(until)}, or the places go to the next person waiting.",
        link=url_for("training.waiting_list_entry", entry_id=entry.id, _external=True),
    )
    return True
