"""Job: 30 days before a relief worker's DBS check or a training topic their pool requires stops being valid, tell
them (with a link to the next session of that training) and the pool's managers, once.

Matching already makes the worker ineligible from that date; this only gives them time to renew. Who is expiring is
found by two set-based queries (one for DBS checks, one for training records), not a loop over workers.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from flask import url_for
from sqlalchemy import Date, and_, case, exists, false, literal, or_, select
from sqlalchemy.orm import aliased

from ..core import audit
from ..core.clock import to_london
from ..core.notifications import notify, notify_each
from ..core.template_helpers import format_date
from ..extensions import db
from ..training.models import Topic, TrainingRecord
from ..training.reminders import upcoming_sessions
from .models import PoolWorker, ReliefPool, ReliefWorkerProfile, pool_topics
from .pools import pool_people
from .statuses import PoolStatus, WorkerStatus
from .warnings import DBS, claim, training_thing

WARNING_DAYS = 30


@dataclass(frozen=True, order=True)
class Expiring:
    """A check or training one worker's place in a pool needs, valid until `expires_on` (its last valid day)."""

    pool_worker_id: int
    thing: str
    expires_on: date
    topic_id: int | None = None


def last_acceptable_day(issued_on: date, max_age_months: int) -> date:
    """The last day a check issued on `issued_on` is young enough, exactly as matching judges it (a shift on day d
    takes checks issued on or after d - max_age_months, month ends clamped): usually issued_on + max_age_months."""
    day = issued_on + relativedelta(months=max_age_months)
    while (day + timedelta(days=1)) - relativedelta(months=max_age_months) <= issued_on:
        day += timedelta(days=1)  # a check issued at a month's end stays young to the end of the later month
    return day


def _expiring_checks(today: date) -> list[Expiring]:
    """Approved workers whose DBS check is too old for their pool within the window (one query).

    For each maximum age a pool sets, the issue dates that are acceptable today but not on the day after the window
    are worked out here (as matching's dates are) and compared in SQL, so the window is exact on both databases."""
    ages = db.session.scalars(
        select(ReliefPool.dbs_max_age_months).where(ReliefPool.dbs_max_age_months > 0).distinct()
    ).all()
    if not ages:
        return []
    after = today + timedelta(days=WARNING_DAYS + 1)
    oldest = case(
        {m: literal(today - relativedelta(months=m), Date) for m in ages}, value=ReliefPool.dbs_max_age_months
    )
    too_old = case(
        {m: literal(after - relativedelta(months=m), Date) for m in ages}, value=ReliefPool.dbs_max_age_months
    )
    query = (
        select(PoolWorker.id, ReliefWorkerProfile.dbs_issued_on, ReliefPool.dbs_max_age_months)
        .join(ReliefPool, ReliefPool.id == PoolWorker.pool_id)
        .join(ReliefWorkerProfile, ReliefWorkerProfile.user_id == PoolWorker.user_id)
        .where(
            PoolWorker.status == WorkerStatus.APPROVED,
            ReliefPool.status == PoolStatus.OPEN,
            ReliefPool.dbs_max_age_months.in_(ages),
            ReliefWorkerProfile.dbs_update_service == false(),
            ReliefWorkerProfile.dbs_issued_on >= oldest,
            ReliefWorkerProfile.dbs_issued_on < too_old,
        )
    )
    return [
        Expiring(worker_id, DBS, last_acceptable_day(issued_on, months))
        for worker_id, issued_on, months in db.session.execute(query)
    ]


def _expiring_training(today: date) -> list[Expiring]:
    """Approved workers whose record of a topic their pool requires expires within the window, with no record of
    the topic valid for longer (one query)."""
    record = TrainingRecord
    later = aliased(TrainingRecord)
    renewed = (
        exists()
        .where(
            later.user_id == record.user_id,
            later.topic_id == record.topic_id,
            or_(later.expires_on.is_(None), later.expires_on > record.expires_on),
        )
        .correlate_except(later)
    )
    query = (
        select(PoolWorker.id, record.topic_id, record.expires_on)
        .distinct()
        .join(ReliefPool, ReliefPool.id == PoolWorker.pool_id)
        .join(pool_topics, pool_topics.c.pool_id == PoolWorker.pool_id)
        .join(record, and_(record.user_id == PoolWorker.user_id, record.topic_id == pool_topics.c.topic_id))
        .where(
            PoolWorker.status == WorkerStatus.APPROVED,
            ReliefPool.status == PoolStatus.OPEN,
            record.expires_on.between(today, today + timedelta(days=WARNING_DAYS)),
            ~renewed,
        )
    )
    return [
        Expiring(worker_id, training_thing(topic_id), expires_on, topic_id)
        for worker_id, topic_id, expires_on in db.session.execute(query)
    ]


def expiring(now: datetime) -> list[Expiring]:
    """Everything that stops being valid within WARNING_DAYS of today (UK), in a fixed order."""
    today = to_london(now).date()
    return sorted(_expiring_checks(today) + _expiring_training(today))


def warn_expiring(now: datetime) -> int:
    """Job: warn each worker and their pool's managers once per thing expiring; returns how many warnings.

    Each warning is claimed by an INSERT ... ON CONFLICT DO NOTHING and committed with its notifications, so a
    second or concurrent run finds it claimed and tells nobody again."""
    sessions: dict[int, str] = {}  # topic → its link: one query per topic, not per worker
    warned = 0
    for item in expiring(now):
        warning_id = claim(item.pool_worker_id, item.thing, item.expires_on, now)
        if warning_id is None:
            continue
        worker = db.session.get(PoolWorker, item.pool_worker_id)
        if item.topic_id is None:
            _warn_dbs(worker, item, warning_id)
        else:
            if item.topic_id not in sessions:
                sessions[item.topic_id] = next_session_link(item.topic_id, now)
            _warn_training(worker, item, warning_id, sessions[item.topic_id])
        audit.record(
            "pool_worker.compliance_warned",
            obj=worker,
            organisation=worker.pool.organisation,
            actor=None,
            thing=item.thing,
        )
        db.session.commit()
        warned += 1
    return warned


def next_session_link(topic_id: int, now: datetime) -> str:
    """The next bookable session of a published course on the topic, or the catalogue of that topic if none."""
    found = upcoming_sessions(topic_id, now, limit=1)
    if found:
        return url_for("training.show_session", session_id=found[0].id, _external=True)
    return url_for("training.catalogue", topic=topic_id, _external=True)


def _warn_dbs(worker: PoolWorker, item: Expiring, warning_id: int) -> None:
    pool, until = worker.pool, format_date(item.expires_on)
    notify(
        worker.user,
        "cover_dbs_expiring",
        title=f"Your DBS check is accepted by {pool.name} until {until}",
        body="Get a new check or join the DBS Update Service, then update your checks, to keep being offered shifts.",
        link=url_for("cover.relief_checks", _external=True),
    )
    notify_each(
        pool_people(pool),
        "cover_dbs_expiring",
        title=f"{worker.user.name}'s DBS check is accepted by {pool.name} until {until}",
        link=url_for("cover.review_worker", worker_id=worker.id, _external=True),
        key=f"compliance-{warning_id}",
    )


def _warn_training(worker: PoolWorker, item: Expiring, warning_id: int, session_link: str) -> None:
    pool, topic, until = worker.pool, db.session.get(Topic, item.topic_id), format_date(item.expires_on)
    notify(
        worker.user,
        "cover_training_expiring",
        title=f"Your {topic.name} training expires on {until}",
        body=f"{pool.name} needs it: book the next session to keep being offered shifts after that date.",
        link=session_link,
    )
    notify_each(
        pool_people(pool),
        "cover_training_expiring",
        title=f"{worker.user.name}'s {topic.name} training for {pool.name} expires on {until}",
        body="The link is to the next session of that training. Their checks and training records: "
        + url_for("cover.review_worker", worker_id=worker.id, _external=True),
        link=session_link,
        key=f"compliance-{warning_id}",
    )
