"""Who may cover a shift, best first, and which open shifts a worker may take: one set of SQL conditions, used in
both directions and to say why one worker may not take one shift.

Eligible: approved in the shift's pool, covering its area, with the pool's DBS level (verified by the pool manager,
issued recently enough unless on the Update Service) and right to work checked, every required training topic (the
pool's and the request's) valid on the shift's last day, every skill it needs, available by weekly pattern and
dates off, no other accepted shift at an overlapping time, not blocked by the enterprise and not one of its members.
Ranked by continuity (worked for the enterprise before), then fairness (fewest hours in the last 30 days), then
rating (the enterprises' average), then who joined first.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, false, func, or_, select, true
from sqlalchemy.orm import aliased

from ..extensions import db
from ..organisations.models import Membership, MembershipStatus
from ..training.models import TrainingRecord
from .models import (
    CoverShift,
    PoolWorker,
    ReliefPool,
    ReliefWorkerProfile,
    RequestSkill,
    ShiftRating,
    WorkerAvailability,
    WorkerBlock,
    WorkerDayOff,
    WorkerSkill,
    pool_topics,
    request_topics,
    worker_areas,
)
from .statuses import HOLDS_WORKER, DbsLevel, ShiftStatus, WorkerStatus

BEST_FIRST = 10  # told at once; everyone eligible once the shift is widened
FAIRNESS_DAYS = 30
UNRATED = 3  # a worker nobody has rated yet ranks as an average one, not below a poorly rated one

Shift, Profile, Pool, Member = CoverShift, ReliefWorkerProfile, ReliefPool, PoolWorker
_DBS_RANK = {level.value: rank for rank, level in enumerate(DbsLevel)}


def _dbs_rank(column):
    return case(_DBS_RANK, value=column, else_=-1)


def _valid_record(topic_column):
    """The worker has a record of the topic, completed by the shift's day and valid until its last day.

    Nested two levels down, it must name what it correlates: auto-correlation looks only at the enclosing EXISTS,
    so the worker and the shift would otherwise become a cross join of every profile and shift (anyone's record).
    """
    return (
        exists()
        .where(
            TrainingRecord.user_id == Profile.user_id,
            TrainingRecord.topic_id == topic_column,
            TrainingRecord.completed_on <= Shift.day,
            or_(TrainingRecord.expires_on.is_(None), TrainingRecord.expires_on >= Shift.last_day),
        )
        .correlate_except(TrainingRecord)
    )


def _has_training():
    """No topic the pool or the request requires lacks a valid record."""
    by_pool = exists().where(pool_topics.c.pool_id == Shift.pool_id, ~_valid_record(pool_topics.c.topic_id))
    by_request = exists().where(
        request_topics.c.request_id == Shift.request_id, ~_valid_record(request_topics.c.topic_id)
    )
    return and_(~by_pool, ~by_request)


def _has_skills():
    """No skill the request needs is missing from the worker's (correlated by name, as _valid_record is)."""
    has = (
        exists()
        .where(WorkerSkill.profile_id == Profile.id, WorkerSkill.skill == RequestSkill.skill)
        .correlate_except(WorkerSkill)
    )
    return ~exists().where(RequestSkill.request_id == Shift.request_id, ~has)


def _overlapping():
    """Another shift the worker holds at an overlapping time."""
    other = aliased(CoverShift)
    return exists().where(
        other.worker_id == Profile.user_id,
        other.status.in_(HOLDS_WORKER),
        other.id != Shift.id,
        other.starts_at < Shift.ends_at,
        other.ends_at > Shift.starts_at,
    )


def conditions() -> dict[str, tuple]:
    """Each rule as (SQL condition over Shift, Pool, Profile and Member, what to tell a worker who fails it)."""
    membership = and_(Membership.user_id == Profile.user_id, Membership.organisation_id == Shift.organisation_id)
    return {
        "approved": (Member.status == WorkerStatus.APPROVED, "You are not an approved worker in this relief pool"),
        "area": (
            exists().where(worker_areas.c.profile_id == Profile.id, worker_areas.c.area_id == Shift.area_id),
            "The shift is in an area you do not cover",
        ),
        "dbs": (
            and_(
                Member.dbs_verified == true(),
                _dbs_rank(Profile.dbs_level) >= _dbs_rank(Pool.dbs_level),
                or_(
                    Profile.dbs_update_service == true(),
                    Shift.dbs_issued_after.is_(None),
                    Profile.dbs_issued_on >= Shift.dbs_issued_after,
                ),
            ),
            "Your DBS check is not valid for this pool on the day of the shift",
        ),
        "right_to_work": (
            or_(Pool.right_to_work_required == false(), Member.right_to_work_checked_on.is_not(None)),
            "Your right to work has not been checked by the pool manager",
        ),
        "training": (_has_training(), "You need training that is valid on the day of the shift"),
        "skills": (_has_skills(), "The shift needs support you have not listed in your skills"),
        "available": (
            exists().where(
                WorkerAvailability.profile_id == Profile.id,
                WorkerAvailability.weekday == Shift.weekday,
                WorkerAvailability.starts_minute <= Shift.start_minute,
                WorkerAvailability.ends_minute >= Shift.end_minute,
            ),
            "Your weekly availability does not cover the shift",
        ),
        "not_off": (
            ~exists().where(WorkerDayOff.profile_id == Profile.id, WorkerDayOff.day.between(Shift.day, Shift.last_day)),
            "You have said you cannot work on that day",
        ),
        "free": (~_overlapping(), "You already have a shift at that time"),
        "not_blocked": (
            ~exists().where(
                WorkerBlock.organisation_id == Shift.organisation_id, WorkerBlock.user_id == Profile.user_id
            ),
            "The enterprise has asked not to be offered your shifts",
        ),
        "not_own": (
            ~exists().where(membership, Membership.status == MembershipStatus.ACTIVE),
            "You cannot cover your own enterprise's shift",
        ),
    }


def _eligible():
    return and_(*(condition for condition, _ in conditions().values()))


def _joined(query):
    """Shift → its pool → the pool's workers → their profiles."""
    return (
        query.join(Pool, Pool.id == Shift.pool_id)
        .join(Member, Member.pool_id == Shift.pool_id)
        .join(Profile, Profile.user_id == Member.user_id)
    )


@dataclass(frozen=True)
class Match:
    """One eligible worker for a shift, with what ranked them."""

    user_id: int
    worked_here: bool
    recent_minutes: int
    rating: float | None


def _rank_columns(now: datetime):
    """Continuity, fairness and rating, each a correlated subquery on the worker."""
    done = aliased(CoverShift)
    worked_here = exists().where(
        done.worker_id == Profile.user_id,
        done.organisation_id == Shift.organisation_id,
        done.status == ShiftStatus.COMPLETED,
    )
    recent = (
        select(func.coalesce(func.sum(done.minutes), 0))
        .where(
            done.worker_id == Profile.user_id,
            done.status.in_(HOLDS_WORKER),
            done.starts_at >= now - timedelta(days=FAIRNESS_DAYS),
            done.starts_at < now,
        )
        .scalar_subquery()
    )
    rated = aliased(CoverShift)
    rating = (
        select(func.avg(ShiftRating.score))
        .join(rated, rated.id == ShiftRating.shift_id)
        .where(rated.worker_id == Profile.user_id, ShiftRating.by_enterprise == true())
        .scalar_subquery()
    )
    return case((worked_here, 1), else_=0).label("worked_here"), recent.label("recent"), rating.label("rating")


def ranked_workers(shift: CoverShift, *, now: datetime, limit: int | None = None) -> list[Match]:
    """The shift's eligible workers, best first (one query)."""
    worked_here, recent, rating = _rank_columns(now)
    query = _joined(select(Profile.user_id, worked_here, recent, rating).select_from(Shift))
    query = query.where(Shift.id == shift.id, _eligible())
    query = query.order_by(worked_here.desc(), recent, func.coalesce(rating, UNRATED).desc(), Member.id).limit(limit)
    return [Match(row.user_id, bool(row.worked_here), row.recent, row.rating) for row in db.session.execute(query)]


def open_shifts_for(user, *, now: datetime, limit: int = 50) -> list[CoverShift]:
    """Open shifts not yet started that the person may take, soonest first (one query)."""
    query = _joined(select(Shift)).where(
        Profile.user_id == user.id, Shift.status == ShiftStatus.OPEN, Shift.starts_at > now, _eligible()
    )
    return list(db.session.scalars(query.order_by(Shift.starts_at, Shift.id).limit(limit)))


def refusal(shift: CoverShift, user) -> str | None:
    """Why the person may not take the shift (the first rule they fail), or None if they may (one query)."""
    rules = conditions()
    flags = [case((condition, 1), else_=0).label(name) for name, (condition, _) in rules.items()]
    query = (
        select(*flags)
        .select_from(Shift)
        .join(Pool, Pool.id == Shift.pool_id)
        .join(Profile, Profile.user_id == user.id)
        .join(Member, and_(Member.pool_id == Shift.pool_id, Member.user_id == Profile.user_id))
        .where(Shift.id == shift.id)
    )
    row = db.session.execute(query).first()
    if row is None:
        return rules["approved"][1]
    return next((message for name, (_, message) in rules.items() if not getattr(row, name)), None)
