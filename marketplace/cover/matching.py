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
from functools import cache

from sqlalchemy import Integer, and_, bindparam, case, false, func, literal_column, or_, select, true
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


class Bound:
    """The one shift whose workers are ranked, standing in for its table: each column a named bound parameter.

    So the ranked statement is built once and reused, run with each shift's values (`values`): building its tree of
    conditions took 6 ms a call. The planner has no shift row to join and sees the shift's own values.
    """

    def __init__(self, table, prefix: str):
        self._table, self._prefix, self._used = table, prefix, set()

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        self._used.add(name)
        return bindparam(f"{self._prefix}{name}", type_=self._table.c[name].type)

    def values(self, row) -> dict:
        return {f"{self._prefix}{name}": getattr(row, name) for name in self._used}


class PoolOf:
    """The shift's pool, standing in for its table: each column one scalar subquery on the bound pool id (computed
    once, before the rows; no join to plan)."""

    def __init__(self, pool_id):
        self._pool_id = pool_id

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        return select(getattr(Pool, name)).where(Pool.id == self._pool_id).scalar_subquery()


def _exists(*criteria):
    """EXISTS, kept as a subplan run for each candidate worker in turn (OFFSET 0 stops PostgreSQL pulling it up).

    Pulled up, each of a dozen rules became a semi- or anti-join whose order the planner searched: planning took
    25 ms of a 45 ms call at national size, execution 11. As subplans the statement plans in under 1 ms and runs as
    fast: each worker is checked rule by rule, cheapest first, stopping at the first it fails (bench/README.md).
    """
    return select(literal_column("1")).where(*criteria).offset(0).exists()


def _valid_record(topic_column, s):
    """The worker has a record of the topic, completed by the shift's day and valid until its last day.

    Nested two levels down, it must name what it correlates: auto-correlation looks only at the enclosing EXISTS,
    so the worker and the shift would otherwise become a cross join of every profile and shift (anyone's record).
    """
    return _exists(
        TrainingRecord.user_id == Profile.user_id,
        TrainingRecord.topic_id == topic_column,
        TrainingRecord.completed_on <= s.day,
        or_(TrainingRecord.expires_on.is_(None), TrainingRecord.expires_on >= s.last_day),
    ).correlate_except(TrainingRecord)


def _has_training(s):
    """No topic the pool or the request requires lacks a valid record."""
    by_pool = _exists(pool_topics.c.pool_id == s.pool_id, ~_valid_record(pool_topics.c.topic_id, s))
    by_request = _exists(request_topics.c.request_id == s.request_id, ~_valid_record(request_topics.c.topic_id, s))
    return and_(~by_pool, ~by_request)


def _has_skills(s):
    """No skill the request needs is missing from the worker's (correlated by name, as _valid_record is)."""
    has = _exists(WorkerSkill.profile_id == Profile.id, WorkerSkill.skill == RequestSkill.skill).correlate_except(
        WorkerSkill
    )
    return ~_exists(RequestSkill.request_id == s.request_id, ~has)


def _overlapping(s):
    """Another shift the worker holds at an overlapping time."""
    other = aliased(CoverShift)
    return _exists(
        other.worker_id == Profile.user_id,
        other.status.in_(HOLDS_WORKER),
        other.id != s.id,
        other.starts_at < s.ends_at,
        other.ends_at > s.starts_at,
    )


def conditions(s=Shift, p=Pool) -> dict[str, tuple]:
    """Each rule as (SQL condition over the shift s, its pool p, Profile and Member, what to tell a worker who fails
    it); s and p are the tables, or a Bound shift and its PoolOf."""
    membership = and_(Membership.user_id == Profile.user_id, Membership.organisation_id == s.organisation_id)
    return {
        "approved": (Member.status == WorkerStatus.APPROVED, "You are not an approved worker in this relief pool"),
        "area": (
            _exists(worker_areas.c.profile_id == Profile.id, worker_areas.c.area_id == s.area_id),
            "The shift is in an area you do not cover",
        ),
        "dbs": (
            and_(
                Member.dbs_verified == true(),
                _dbs_rank(Profile.dbs_level) >= _dbs_rank(p.dbs_level),
                or_(
                    Profile.dbs_update_service == true(),
                    s.dbs_issued_after.is_(None),
                    Profile.dbs_issued_on >= s.dbs_issued_after,
                ),
            ),
            "Your DBS check is not valid for this pool on the day of the shift",
        ),
        "right_to_work": (
            or_(p.right_to_work_required == false(), Member.right_to_work_checked_on.is_not(None)),
            "Your right to work has not been checked by the pool manager",
        ),
        "training": (_has_training(s), "You need training that is valid on the day of the shift"),
        "skills": (_has_skills(s), "The shift needs support you have not listed in your skills"),
        "available": (
            _exists(
                WorkerAvailability.profile_id == Profile.id,
                WorkerAvailability.weekday == s.weekday,
                WorkerAvailability.starts_minute <= s.start_minute,
                WorkerAvailability.ends_minute >= s.end_minute,
            ),
            "Your weekly availability does not cover the shift",
        ),
        "not_off": (
            ~_exists(WorkerDayOff.profile_id == Profile.id, WorkerDayOff.day.between(s.day, s.last_day)),
            "You have said you cannot work on that day",
        ),
        "free": (~_overlapping(s), "You already have a shift at that time"),
        "not_blocked": (
            ~_exists(WorkerBlock.organisation_id == s.organisation_id, WorkerBlock.user_id == Profile.user_id),
            "The enterprise has asked not to be offered your shifts",
        ),
        "not_own": (
            ~_exists(membership, Membership.status == MembershipStatus.ACTIVE),
            "You cannot cover your own enterprise's shift",
        ),
    }


def _eligible(s=Shift, p=Pool):
    return and_(*(condition for condition, _ in conditions(s, p).values()))


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


_DONE, _RATED = aliased(CoverShift), aliased(CoverShift)


def _rank_columns(s):
    """Continuity, fairness (the hours from the bound `since` to `now`) and rating, each a correlated subquery."""
    worked_here = _exists(
        _DONE.worker_id == Profile.user_id,
        _DONE.organisation_id == s.organisation_id,
        _DONE.status == ShiftStatus.COMPLETED,
    )
    recent = (
        select(func.coalesce(func.sum(_DONE.minutes), 0))
        .where(
            _DONE.worker_id == Profile.user_id,
            _DONE.status.in_(HOLDS_WORKER),
            _DONE.starts_at >= bindparam("since", type_=Shift.starts_at.type),
            _DONE.starts_at < bindparam("now", type_=Shift.starts_at.type),
        )
        .scalar_subquery()
    )
    rating = (
        select(func.avg(ShiftRating.score))
        .join(_RATED, _RATED.id == ShiftRating.shift_id)
        .where(_RATED.worker_id == Profile.user_id, ShiftRating.by_enterprise == true())
        .scalar_subquery()
    )
    return case((worked_here, 1), else_=0).label("worked_here"), recent.label("recent"), rating.label("rating")


@cache
def _ranking(limited: bool):
    """The ranked statement, built once (per whether it is limited), and the bound shift it reads."""
    s = Bound(Shift.__table__, "shift_")
    worked_here, recent, rating = _rank_columns(s)
    query = (
        select(Profile.user_id, worked_here, recent, rating)
        .select_from(Member)
        .join(Profile, Profile.user_id == Member.user_id)
        .where(Member.pool_id == s.pool_id, _eligible(s, PoolOf(s.pool_id)))
        .order_by(worked_here.desc(), recent, func.coalesce(rating, UNRATED).desc(), Member.id)
    )
    return (query.limit(bindparam("limit", type_=Integer)) if limited else query), s


def ranked_workers(shift: CoverShift, *, now: datetime, limit: int | None = None) -> list[Match]:
    """The shift's eligible workers, best first (one query)."""
    query, s = _ranking(limit is not None)
    values = {**s.values(shift), "now": now, "since": now - timedelta(days=FAIRNESS_DAYS), "limit": limit}
    rows = db.session.execute(query, values)
    return [Match(row.user_id, bool(row.worked_here), row.recent, row.rating) for row in rows]


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
