"""Small builders for relief cover tests: pools, approved enterprise members, relief workers with their checks,
areas, skills, availability and training records, and cover requests with shifts. Each flushes and returns what it
built (tests commit when they need to); times are UK wall-clock times relative to the frozen NOW."""

from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from sqlalchemy import select

from marketplace.accounts.models import IntendedRole
from marketplace.core.clock import LONDON
from marketplace.cover.models import (
    CoverRequest,
    CoverShift,
    PoolMember,
    PoolWorker,
    ReliefPool,
    RequestSkill,
    ShiftRating,
    WorkerAvailability,
    WorkerBlock,
    WorkerDayOff,
    WorkerSkill,
)
from marketplace.cover.statuses import DbsLevel, MemberStatus, PoolStatus, RequestStatus, ShiftStatus, WorkerStatus
from marketplace.cover.timing import dbs_issued_after, shift_times
from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.training.models import Course, TrainingRecord
from tests import factories

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday in winter: UK time is UTC, so wall-clock times read plainly
WEDNESDAY = date(2027, 1, 6)
DBS_ISSUED = date(2026, 6, 1)
TRAINED_ON = date(2026, 6, 1)
TRAINING_EXPIRES = date(2028, 6, 1)
DAYTIME = (7 * 60, 20 * 60)  # 07:00 to 20:00 every day of the week
POOL_TOPIC = "Safeguarding adults"
_seq = count(1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A UK wall-clock time on a day, in UTC (as the app stores it)."""
    return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)


def day_shift(day: date = WEDNESDAY, start: int = 9, end: int = 17) -> tuple[datetime, datetime]:
    """A shift from `start` to `end` o'clock on a day."""
    return at(day, start), at(day, end)


def pool(publisher=None, *, areas=("Leeds",), topics=(POOL_TOPIC,), status=PoolStatus.OPEN, **fields) -> ReliefPool:
    """A council's open relief pool: enhanced DBS of any age, right to work required, the topics required."""
    values = {
        "name": f"Relief pool {next(_seq)}",
        "region": "england_and_wales",
        "dbs_level": DbsLevel.ENHANCED,
        "dbs_max_age_months": None,
        "right_to_work_required": True,
        "hourly_rate_pence": 1500,
        "hourly_charge_pence": 2000,
        "funded_hours_per_year": 20,
        "min_notice_hours": 0,
    }
    row = ReliefPool(
        organisation=publisher or factories.publisher(areas=areas),
        status=status,
        areas=[factories.area(name) for name in areas],
        required_topics=[factories.topic(name) for name in topics],
        **{**values, **fields},
    )
    db.session.add(row)
    db.session.flush()
    return row


def manager(pool_row: ReliefPool):
    """The owner of the council that runs the pool: its pool manager."""
    return pool_row.organisation.memberships[0].user


def member(pool_row: ReliefPool, *, enterprise=None, status=MemberStatus.APPROVED, area_name="Leeds") -> PoolMember:
    """An enterprise's membership of the pool (approved by default); its owner is owner_of(member)."""
    row = PoolMember(pool=pool_row, organisation=enterprise or factories.enterprise(area_name=area_name), status=status)
    db.session.add(row)
    db.session.flush()
    return row


def owner_of(member_row: PoolMember):
    """The enterprise's owner."""
    return next(m.user for m in member_row.organisation.memberships if m.role == MemberRole.OWNER)


def training(person, topic_name: str = POOL_TOPIC, *, completed_on=TRAINED_ON, expires_on=TRAINING_EXPIRES):
    """A training record of the topic for the person (of a course of that topic, made once per test)."""
    topic = factories.topic(topic_name)
    course = db.session.scalar(select(Course).where(Course.topic_id == topic.id).limit(1))
    course = course or factories.course(topic_name=topic_name)
    record = TrainingRecord(
        user_id=person.id,
        person_name=person.name,
        email=person.email,
        topic_id=topic.id,
        course_id=course.id,
        completed_on=completed_on,
        expires_on=expires_on,
        certificate_number=f"BSC-COV{next(_seq):05d}",
    )
    db.session.add(record)
    db.session.flush()
    return record


def worker(
    pool_row: ReliefPool | None,
    *,
    name: str | None = None,
    status=WorkerStatus.APPROVED,
    dbs_level=DbsLevel.ENHANCED,
    dbs_issued_on=DBS_ISSUED,
    update_service=False,
    dbs_verified=True,
    right_to_work=True,
    areas=("Leeds",),
    skills=(),
    availability=None,
    days_off=(),
    topics=None,
):
    """A relief worker (the User), eligible for a daytime Leeds shift of the pool unless told otherwise.

    availability: {weekday: (start minute, end minute)}, every day 07:00-20:00 by default; topics: the training
    records they hold, valid now and for long after (the pool's required topics by default)."""
    person = factories.user(name=name, role=IntendedRole.RELIEF_WORKER)
    profile = factories.relief_worker(person)
    profile.dbs_level, profile.dbs_issued_on, profile.dbs_update_service = dbs_level, dbs_issued_on, update_service
    profile.areas_covered = [factories.area(area_name) for area_name in areas]
    profile.skills = [WorkerSkill(skill=skill) for skill in skills]
    hours = availability if availability is not None else dict.fromkeys(range(7), DAYTIME)
    profile.availability = [
        WorkerAvailability(weekday=day, starts_minute=start, ends_minute=end) for day, (start, end) in hours.items()
    ]
    profile.days_off = [WorkerDayOff(day=day) for day in days_off]
    wanted = topics if topics is not None else [t.name for t in pool_row.required_topics] if pool_row else []
    for topic_name in wanted:
        training(person, topic_name)
    if pool_row is not None and status is not None:
        join(pool_row, person, status=status, dbs_verified=dbs_verified, right_to_work=right_to_work)
    db.session.flush()
    return person


def join(pool_row: ReliefPool, person, *, status=WorkerStatus.APPROVED, dbs_verified=True, right_to_work=True):
    """The person's place in a pool, with the manager's record of the checks."""
    row = PoolWorker(
        pool=pool_row,
        user_id=person.id,
        status=status,
        dbs_verified=dbs_verified,
        right_to_work_checked_on=NOW.date() if right_to_work else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def cover_request(member_row: PoolMember, *shifts, skills=(), topics=(), area_name="Leeds", **fields) -> CoverRequest:
    """An open cover request of the member with its shifts ((start, end) pairs; one Wednesday day shift by default),
    written directly as post_request writes them but without alerting anyone."""
    shifts = shifts or (day_shift(),)
    pool_row = member_row.pool
    request = CoverRequest(
        pool_id=pool_row.id,
        organisation_id=member_row.organisation_id,
        area_id=factories.area(area_name).id,
        description=fields.pop("description", "Morning and evening calls for an older man at home"),
        private_notes=fields.pop("private_notes", "Key safe 1234 at 1 Park Row"),
        absence_category=fields.pop("absence_category", "sickness"),
        status=fields.pop("status", RequestStatus.OPEN),
        ends_at=max(end for _, end in shifts),
        skills=[RequestSkill(skill=skill) for skill in skills],
        extra_topics=[factories.topic(name) for name in topics],
        **fields,
    )
    db.session.add(request)
    for starts_at, ends_at in shifts:
        times = shift_times(starts_at, ends_at)
        request.shifts.append(
            CoverShift(
                pool_id=pool_row.id,
                organisation_id=member_row.organisation_id,
                area_id=request.area_id,
                status=ShiftStatus.OPEN,
                dbs_issued_after=dbs_issued_after(times.last_day, pool_row.dbs_max_age_months),
                **vars(times),
            )
        )
    db.session.flush()
    return request


def shift(member_row: PoolMember, starts_at=None, ends_at=None, **fields) -> CoverShift:
    """The one shift of a new cover request (Wednesday 9am to 5pm by default)."""
    default_start, default_end = day_shift()
    return cover_request(member_row, (starts_at or default_start, ends_at or default_end), **fields).shifts[0]


def held_shift(person, member_row: PoolMember, starts_at, ends_at, *, status=ShiftStatus.ACCEPTED) -> CoverShift:
    """A shift of the member that the person already holds (accepted, or completed in the past)."""
    row = shift(member_row, starts_at, ends_at)
    row.status, row.worker_id, row.accepted_at = status, person.id, starts_at - timedelta(days=1)
    db.session.flush()
    return row


def rating(shift_row: CoverShift, score: int, *, by_enterprise: bool = True) -> ShiftRating:
    """One side's rating of the other for a shift."""
    row = ShiftRating(shift_id=shift_row.id, by_enterprise=by_enterprise, score=score)
    db.session.add(row)
    db.session.flush()
    return row


def block(member_row: PoolMember, person) -> WorkerBlock:
    """The enterprise asks not to be offered the person again."""
    row = WorkerBlock(organisation_id=member_row.organisation_id, user_id=person.id)
    db.session.add(row)
    db.session.flush()
    return row
