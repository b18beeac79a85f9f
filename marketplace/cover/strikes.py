"""Strikes and the suspension they lead to: a late cancellation or a no-show is a strike against the side at fault,
and three unreviewed strikes in 90 days suspend the worker (or the enterprise's membership) in that pool until the
pool manager reviews them.

The strike is written with the cancellation or no-show that caused it. Suspension has one home, `suspend_struck`:
called for the one worker or membership at once when a strike is recorded, and as the job `suspend-after-strikes`
over every pool from `flask jobs run-due` (so a strike written by any path, or a window that a clock change moved,
is still acted on). The state helper's conditional update makes it idempotent and safe to run twice at once: only
the call that suspends tells the pool's managers.
"""

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import func, select

from ..core.clock import utcnow
from ..core.notifications import notify_each
from ..core.states import change
from ..extensions import db
from .models import CoverShift, PoolMember, PoolWorker, Strike
from .pools import pool_people
from .statuses import POOL_MEMBER_STATES, POOL_WORKER_STATES, MemberStatus, WorkerStatus

STRIKES_TO_SUSPEND, STRIKE_WINDOW = 3, timedelta(days=90)


def record_strike(
    shift: CoverShift, reason: str, *, user_id: int | None = None, member: PoolMember | None = None
) -> None:
    """Record a strike against the worker (user_id) or the enterprise's membership; suspend them if it is the third."""
    member_id = member.id if member else None
    db.session.add(
        Strike(pool_id=shift.pool_id, shift_id=shift.id, user_id=user_id, member_id=member_id, reason=reason)
    )
    db.session.flush()
    suspend_struck(utcnow(), pool_id=shift.pool_id, user_id=user_id, member_id=member_id)


def _struck(column, now: datetime, **only):
    """(pool id, whose id, unreviewed strikes) for everyone with enough of them in the window."""
    query = (
        select(Strike.pool_id, column, func.count())
        .where(column.is_not(None), Strike.reviewed_at.is_(None), Strike.created_at > now - STRIKE_WINDOW)
        .group_by(Strike.pool_id, column)
        .having(func.count() >= STRIKES_TO_SUSPEND)
    )
    for name, value in only.items():
        if value is not None:
            query = query.where(getattr(Strike, name) == value)
    return db.session.execute(query).all()


def suspend_struck(
    now: datetime, *, pool_id: int | None = None, user_id: int | None = None, member_id: int | None = None
) -> int:
    """Suspend every approved worker and membership with three unreviewed strikes in 90 days (or only the one
    named); returns how many this call suspended."""
    suspended = 0
    if member_id is None:
        for pool, user, count in _struck(Strike.user_id, now, pool_id=pool_id, user_id=user_id):
            worker = db.session.scalar(select(PoolWorker).where(PoolWorker.pool_id == pool, PoolWorker.user_id == user))
            if worker and worker.status == WorkerStatus.APPROVED:
                suspended += _suspend(worker, POOL_WORKER_STATES, WorkerStatus.SUSPENDED, worker.user.name, count)
    if user_id is None:
        for _pool, member, count in _struck(Strike.member_id, now, pool_id=pool_id, member_id=member_id):
            place = db.session.get(PoolMember, member)
            if place and place.status == MemberStatus.APPROVED:
                suspended += _suspend(place, POOL_MEMBER_STATES, MemberStatus.SUSPENDED, place.organisation.name, count)
    return suspended


def _suspend(place, machine, status, who: str, count: int) -> bool:
    """Suspend one place in a pool and tell the pool's managers, if this call is the one that suspends it."""
    if not change(place, machine, status, actor=None, strikes=count):
        return False
    notify_each(
        pool_people(place.pool),
        "cover_suspended",
        title=f"{who} was suspended after {count} strikes in 90 days: please review",
        link=url_for("cover.manage_pool", pool_id=place.pool_id, _external=True),
    )
    return True
