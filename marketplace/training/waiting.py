"""Waiting lists: when seats free up, the first entry that fits is offered them for 24 hours."""

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import select, update

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.notifications import notify
from ..core.template_helpers import format_datetime
from ..extensions import db
from .booking import Person, check_people, create_booking, normalise_people
from .eligibility import check_eligible
from .models import SessionStatus, TrainingSession, WaitingListEntry, WaitStatus
from .seats import give_back_seats, lock_session, take_seats

OFFER_HOURS = 24


def join_waiting_list(session: TrainingSession, user, organisation, people: list[Person]) -> WaitingListEntry:
    """Queue for places on a session that cannot take them now."""
    people = normalise_people(people)
    if session.status != SessionStatus.SCHEDULED or utcnow() >= session.booking_deadline:
        raise DomainError("This session is not open for booking")
    lock_session(session.id)  # two joins at once cannot both pass the check below
    existing = _live_entry_id(session.id, user.id)
    if existing is not None:
        raise AlreadyWaiting("You are already on the waiting list for this session. You cannot join it twice", existing)
    if not people or len(people) > session.capacity:
        raise DomainError(f"Ask for between 1 and {session.capacity} places")
    check_people(session, people)
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
    offer_seats(session.id)
    return entry


class AlreadyWaiting(DomainError):
    """The person already has a waiting or offered entry for the session (entry_id: that entry)."""

    def __init__(self, message: str, entry_id: int):
        super().__init__(message)
        self.entry_id = entry_id


def _live_entry_id(session_id: int, user_id: int) -> int | None:
    """The person's waiting or offered entry for the session, if any."""
    query = select(WaitingListEntry.id).where(
        WaitingListEntry.session_id == session_id,
        WaitingListEntry.user_id == user_id,
        WaitingListEntry.status.in_((WaitStatus.WAITING, WaitStatus.OFFERED)),
    )
    return db.session.scalar(query.limit(1))


def offer_seats(session_id: int) -> int:
    """Offer free seats to waiting entries in order, each the first that fits; returns offers made."""
    session = lock_session(session_id)
    if session.status != SessionStatus.SCHEDULED or utcnow() >= session.booking_deadline:
        return 0  # too late to offer: nobody could book the seats now
    offers = 0
    for entry in _waiting(session_id):
        if entry.seats <= session.capacity - session.seats_taken and take_seats(session_id, entry.seats):
            _offer(entry)
            db.session.refresh(session)
            offers += 1
    return offers


def _waiting(session_id: int) -> list[WaitingListEntry]:
    query = select(WaitingListEntry).where(
        WaitingListEntry.session_id == session_id, WaitingListEntry.status == WaitStatus.WAITING
    )
    return list(db.session.scalars(query.order_by(WaitingListEntry.created_at, WaitingListEntry.id)))


def _offer(entry: WaitingListEntry) -> None:
    now = utcnow()
    # 24 hours, but never past the booking deadline (after it nobody could book the places).
    until = min(now + timedelta(hours=OFFER_HOURS), entry.session.booking_deadline)
    entry.status, entry.offered_at, entry.offer_expires_at = WaitStatus.OFFERED, now, until
    audit.record("waiting_list.offered", obj=entry, organisation=entry.organisation, actor=None, seats=entry.seats)
    course = entry.session.course
    notify(
        entry.user,
        "waiting_list_offer",
        title=f"{entry.seats} place{'s' if entry.seats > 1 else ''} on {course.title} are yours if you want them",
        body=f"Accept by {format_datetime(until)}, or the places go to the next person waiting.",
        link=url_for("training.waiting_list_entry", entry_id=entry.id, _external=True),
    )


def _claim(entry: WaitingListEntry, new_status: WaitStatus, from_status: WaitStatus) -> bool:
    result = db.session.execute(
        update(WaitingListEntry)
        .where(WaitingListEntry.id == entry.id, WaitingListEntry.status == from_status)
        .values(status=new_status)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(entry)
    return result.rowcount == 1


def accept_offer(entry: WaitingListEntry, user):
    """Book the offered places (once); the seats are already held for this entry."""
    if entry.user_id != user.id:
        raise DomainError("This offer is for someone else")
    lock_session(entry.session_id)  # the same lock order as cancellations and expiries: no deadlocks
    if (
        entry.offer_expires_at is None
        or entry.offer_expires_at <= utcnow()
        or not _claim(entry, WaitStatus.BOOKED, WaitStatus.OFFERED)
    ):
        raise DomainError("This offer has expired or has already been used")
    people = [Person(a["name"], a["email"]) for a in entry.attendees]
    booking = create_booking(entry.session, entry.user, entry.organisation, people, seats_held=True)
    entry.booking_id = booking.id
    audit.record("waiting_list.accepted", obj=entry, organisation=entry.organisation, booking_id=booking.id)
    return booking


def withdraw(entry: WaitingListEntry, user) -> None:
    """Leave the waiting list (an offer's seats go to the next entry)."""
    if entry.user_id != user.id:
        raise DomainError("This place on the waiting list is someone else's")
    lock_session(entry.session_id)
    was_offered = entry.status == WaitStatus.OFFERED
    if not (
        _claim(entry, WaitStatus.WITHDRAWN, WaitStatus.OFFERED)
        or _claim(entry, WaitStatus.WITHDRAWN, WaitStatus.WAITING)
    ):
        raise DomainError("You are no longer on this waiting list")
    audit.record("waiting_list.withdrawn", obj=entry, organisation=entry.organisation)
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
        if _claim(entry, WaitStatus.EXPIRED, WaitStatus.OFFERED):
            give_back_seats(entry.session_id, entry.seats)
            audit.record("waiting_list.offer_expired", obj=entry, organisation=entry.organisation, actor=None)
            offer_seats(entry.session_id)
            expired += 1
    return expired


def close_waiting_list(session: TrainingSession) -> None:
    """A cancelled session: everyone waiting is told; offered seats are released with the session."""
    query = select(WaitingListEntry).where(
        WaitingListEntry.session_id == session.id, WaitingListEntry.status.in_((WaitStatus.WAITING, WaitStatus.OFFERED))
    )
    for entry in db.session.scalars(query):
        entry.status = WaitStatus.WITHDRAWN
        notify(
            entry.user,
            "waiting_list_closed",
            title=f"The session of {session.course.title} you were waiting for is cancelled",
        )
