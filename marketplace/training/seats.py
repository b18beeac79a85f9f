"""Seat counting done by the database: a conditional UPDATE can never take more seats than the capacity."""

from sqlalchemy import select, update

from ..extensions import db
from .models import SessionStatus, TrainingSession


def take_seats(session_id: int, seats: int) -> bool:
    """Take seats if they are free on a scheduled session; exactly-once under any concurrency."""
    result = db.session.execute(
        update(TrainingSession)
        .where(
            TrainingSession.id == session_id,
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.seats_taken + seats <= TrainingSession.capacity,
        )
        .values(seats_taken=TrainingSession.seats_taken + seats)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def seats_left(session_id: int) -> int:
    """Places not taken on a session now (read without a lock)."""
    query = select(TrainingSession.capacity - TrainingSession.seats_taken).where(TrainingSession.id == session_id)
    return max(0, db.session.scalar(query) or 0)


def give_back_seats(session_id: int, seats: int) -> None:
    """Return seats to a session."""
    db.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == session_id)
        .values(seats_taken=TrainingSession.seats_taken - seats)
        .execution_options(synchronize_session=False)
    )


def lock_session(session_id: int) -> TrainingSession:
    """The session row, locked for the rest of the transaction (PostgreSQL) and re-read from the database."""
    query = select(TrainingSession).where(TrainingSession.id == session_id).with_for_update(of=TrainingSession)
    return db.session.scalars(query.execution_options(populate_existing=True)).one()
