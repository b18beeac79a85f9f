"""Waiting lists: join, accept or withdraw; offers that lapse pass to the next entry (offers.py makes them)."""

from datetime import datetime

from sqlalchemy import func, select

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.notifications import notify
from ..core.states import change
from ..extensions import db
from . import publisher_notices
from .booking import Person, check_people, create_booking, normalise_people
from .eligibility import check_eligible
from .models import WAIT_STATES, TrainingSession, WaitingListEntry, WaitStatus
from .offers import offer_seats
from .permissions import require
from .seats import give_back_seats, lock_session


def join_waiting_list(session: TrainingSession, user, organisation, people: list[Person]) -> WaitingListEntry:
    """Queue for places on a session that cannot take them now."""
    require(user, "books_for", organisation)
    people = normalise_people(people)
    session = lock_session(session.id)  # two joins at once cannot both pass the checks below, nor a cancellation
    if not session.takes_offers:
        raise DomainError("This session is not open for booking")
    existing = live_entry_id(session.id, user.id)
    if existing is not None:
        raise AlreadyWaiting("You are already on the waiting list for this session. You cannot join it twice", existing)
    if not people or len(people) > session.capacity:
        raise DomainError(f"Ask for between 1 and {session.capacity} places")
    check_people(session, people, user, organisation, only_own=True)
    check_eligible(session.course, user, organisation)
    entry = WaitingListEntry(
        session=session,
        user=user,
        organisation=organisation,
        seats=len(people),
        attendees=[{"name": p.name, "email": p.email} for p in people],
    )
    db.session.add(entry)
    db.session.flush()
    audit.record("waiting_list.joined", obj=entry, organisation=organisation, seats=entry.seats)
    publisher_notices.waiting_list_joined(entry)
    offer_seats(session.id)
    return entry


class AlreadyWaiting(DomainError):
    """The person already has a waiting or offered entry for the session (entry_id: that entry)."""

    def __init__(self, message: str, entry_id: int):
        super().__init__(message)
        self.entry_id = entry_id


def live_entry_id(session_id: int, user_id: int) -> int | None:
    """The person's waiting or offered entry for the session, if any."""
    query = select(WaitingListEntry.id).where(
        WaitingListEntry.session_id == session_id,
        WaitingListEntry.user_id == user_id,
        WaitingListEntry.status.in_((WaitStatus.WAITING, WaitStatus.OFFERED)),
    )
    return db.session.scalar(query.limit(1))


def accept_offer(entry: WaitingListEntry, user):
    """Book the offered places (once); the seats are already held for this entry."""
    require(user, "waiting_entry_holder", entry)
    lock_session(entry.session_id)  # the same lock order as cancellations and expiries: no deadlocks
    if (
        entry.offer_expires_at is None
        or entry.offer_expires_at <= utcnow()
        or not change(entry, WAIT_STATES, WaitStatus.BOOKED, actor=user, action="waiting_list.accepted")
    ):
        raise DomainError("This offer has expired or has already been used")
    people = [Person(a["name"], a["email"]) for a in entry.attendees]
    booking = create_booking(entry.session, entry.user, entry.organisation, people, seats_held=True)
    entry.booking_id = booking.id
    return booking


def withdraw(entry: WaitingListEntry, user) -> None:
    """Leave the waiting list (an offer's seats go to the next entry)."""
    require(user, "waiting_entry_holder", entry)
    lock_session(entry.session_id)
    db.session.refresh(entry)  # under the session lock: the status now is the one the change will see
    was_offered = entry.status == WaitStatus.OFFERED
    if not change(entry, WAIT_STATES, WaitStatus.WITHDRAWN, actor=user):
        raise DomainError("You are no longer on this waiting list")
    if was_offered:
        give_back_seats(entry.session_id, entry.seats)
        offer_seats(entry.session_id)


def expire_offers(now: datetime) -> int:
    """Job: offers not taken in time lapse; their seats go to the next entry."""
    due = db.session.scalars(
        select(WaitingListEntry)
        .where(WaitingListEntry.status == WaitStatus.OFFERED, WaitingListEntry.offer_expires_at <= now)
        .order_by(WaitingListEntry.session_id, WaitingListEntry.id)  # sessions locked in one order: no deadlocks
    ).all()
    expired = 0
    for entry in due:
        lock_session(entry.session_id)
        if change(entry, WAIT_STATES, WaitStatus.EXPIRED, actor=None, action="waiting_list.offer_expired"):
            give_back_seats(entry.session_id, entry.seats)
            offer_seats(entry.session_id)
            expired += 1
    return expired


def close_waiting_list(session: TrainingSession) -> None:
    """A cancelled session: everyone waiting is told; offered seats are released with the session."""
    query = select(WaitingListEntry).where(
        WaitingListEntry.session_id == session.id, WaitingListEntry.status.in_((WaitStatus.WAITING, WaitStatus.OFFERED))
    )
    for entry in db.session.scalars(query).all():
        if not change(entry, WAIT_STATES, WaitStatus.WITHDRAWN, actor=None, action="waiting_list.closed"):
            continue
        notify(
            entry.user,
            "waiting_list_closed",
            title=f"The session of {session.course.title} you were waiting for is cancelled",
        )


def people_ahead(entry: WaitingListEntry) -> int:
    """How many entries still waiting on the same session joined before this one (one COUNT; offers go in that order)."""
    earlier = (WaitingListEntry.created_at < entry.created_at) | (
        (WaitingListEntry.created_at == entry.created_at) & (WaitingListEntry.id < entry.id)
    )
    query = select(func.count()).where(
        WaitingListEntry.session_id == entry.session_id, WaitingListEntry.status == WaitStatus.WAITING, earlier
    )
    return db.session.scalar(query)
