"""Relief pool rules: a publisher's pools (create, change, open, close), enterprises joining and being decided,
workers applying and being decided, and each approved enterprise's funded-hours ledger. Callers commit."""

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import func, select, update

from ..core import audit
from ..core.clock import today, utcnow
from ..core.errors import DomainError, NotAllowed
from ..core.notifications import notify, notify_each
from ..core.states import change
from ..extensions import db
from ..organisations import permissions as org
from ..organisations.models import Area, MemberRole
from ..organisations.people import MANAGERS, people_of
from ..training.models import Topic
from .models import AllowanceEntry, CoverShift, PoolMember, PoolWorker, ReliefPool, Strike
from .permissions import require
from .statuses import (
    POOL_MEMBER_STATES,
    POOL_STATES,
    POOL_WORKER_STATES,
    MemberStatus,
    PoolStatus,
    ShiftStatus,
    WorkerStatus,
)
from .timing import dbs_issued_after


def _apply(pool: ReliefPool, details: dict) -> None:
    """Set the pool's fields, areas and required topics from the form's details."""
    details = dict(details)
    area_ids, topic_ids = details.pop("area_ids", []), details.pop("topic_ids", [])
    for name, value in details.items():
        setattr(pool, name, value)
    pool.areas = list(db.session.scalars(select(Area).where(Area.id.in_(area_ids)))) if area_ids else []
    pool.required_topics = list(db.session.scalars(select(Topic).where(Topic.id.in_(topic_ids)))) if topic_ids else []
    if not pool.areas:
        raise DomainError("Select the areas the pool serves")


def create_pool(organisation, actor, **details) -> ReliefPool:
    """A draft relief pool of an approved council or NHS body."""
    if not org.can_publish(actor, organisation):
        raise NotAllowed(f"{organisation.name} must be approved before it can run relief pools")
    pool = ReliefPool(organisation=organisation, status=PoolStatus.DRAFT)
    _apply(pool, details)
    db.session.add(pool)
    db.session.flush()
    audit.record("relief_pool.created", obj=pool, organisation=organisation, actor=actor, name=pool.name)
    return pool


def update_pool(pool: ReliefPool, actor, **details) -> None:
    """Change a pool's settings; open shifts take the new DBS age rule at once."""
    require(actor, "pool_manager", pool)
    _apply(pool, details)
    db.session.flush()
    for shift in db.session.scalars(
        select(CoverShift).where(CoverShift.pool_id == pool.id, CoverShift.status == ShiftStatus.OPEN)
    ):
        shift.dbs_issued_after = dbs_issued_after(shift.last_day, pool.dbs_max_age_months)
    audit.record("relief_pool.updated", obj=pool, organisation=pool.organisation, actor=actor)


def change_pool_status(pool: ReliefPool, status: PoolStatus, actor) -> None:
    """Open or close a pool, as its state machine allows."""
    require(actor, "pool_manager", pool)
    if not change(pool, POOL_STATES, status, actor=actor):
        raise DomainError(f"{pool.name} is {pool.status} and cannot be {status}")


def pool_people(pool: ReliefPool) -> list[int]:
    """The ids of the active owners and members of the body that runs the pool: who hears about it."""
    return people_of(pool.organisation_id, MANAGERS)


def _tell_managers(pool: ReliefPool, kind: str, title: str) -> None:
    link = url_for("cover.manage_pool", pool_id=pool.id, _external=True)
    notify_each(pool_people(pool), kind, title=title, link=link)


def enterprise_member(pool: ReliefPool, organisation) -> PoolMember | None:
    """The enterprise's membership of the pool (in any state), or None."""
    query = select(PoolMember).where(PoolMember.pool_id == pool.id, PoolMember.organisation_id == organisation.id)
    return db.session.scalar(query)


def join_pool(pool: ReliefPool, organisation, actor) -> PoolMember:
    """An enterprise's owner asks for it to join an open pool that serves its area."""
    if not org.is_owner(actor, organisation) or not organisation.is_enterprise:
        raise NotAllowed("Only an owner of the enterprise can ask to join a relief pool")
    if pool.status != PoolStatus.OPEN:
        raise DomainError(f"{pool.name} is not taking new members")
    if organisation.area_id not in {area.id for area in pool.areas}:
        raise DomainError(f"{pool.name} does not serve {organisation.name}'s area")
    member = enterprise_member(pool, organisation)
    if member is None:
        member = PoolMember(pool=pool, organisation=organisation, status=MemberStatus.PENDING)
        db.session.add(member)
        db.session.flush()
        audit.record("pool_member.pending", obj=member, organisation=organisation, actor=actor)
    elif not change(member, POOL_MEMBER_STATES, MemberStatus.PENDING, actor=actor, organisation=organisation):
        raise DomainError(
            f"{organisation.name} has already asked to join {pool.name}"
            if member.status == MemberStatus.PENDING
            else f"{organisation.name} is already {member.status} in {pool.name}"
        )
    _tell_managers(pool, "pool_member_applied", f"{organisation.name} asked to join {pool.name}")
    return member


def decide_member(member: PoolMember, approve: bool, actor) -> None:
    """The pool manager approves (granting this year's funded hours) or declines an enterprise."""
    require(actor, "pool_manager", member.pool)
    status = MemberStatus.APPROVED if approve else MemberStatus.DECLINED
    if not change(member, POOL_MEMBER_STATES, status, actor=actor, values={"decided_at": utcnow()}):
        raise DomainError(f"{member.organisation.name} is {member.status}: there is nothing to decide")
    if approve:
        grant_year(member, today().year)
    title = f"{member.organisation.name} was {status} for {member.pool.name}"
    link = url_for("cover.show_pool", pool_id=member.pool_id, _external=True)
    notify_each(people_of(member.organisation_id, tuple(MemberRole)), "pool_member_decided", title=title, link=link)


@dataclass(frozen=True)
class Allowance:
    """An enterprise's funded hours in a pool year, in minutes."""

    granted: int
    used: int

    @property
    def remaining(self) -> int:
        return max(self.granted - self.used, 0)


def grant_year(member: PoolMember, year: int) -> None:
    """Write the year's funded hours into the ledger once (a second call finds the row and adds nothing)."""
    if _entry(member, year, "granted", "year") is None and member.pool.funded_hours_per_year:
        db.session.add(
            AllowanceEntry(
                member_id=member.id,
                year=year,
                minutes=member.pool.funded_hours_per_year * 60,
                reason="granted",
                source_key="year",
            )
        )
        db.session.flush()


def _entry(member: PoolMember, year: int, reason: str, key: str) -> AllowanceEntry | None:
    query = select(AllowanceEntry).where(
        AllowanceEntry.member_id == member.id,
        AllowanceEntry.year == year,
        AllowanceEntry.reason == reason,
        AllowanceEntry.source_key == key,
    )
    return db.session.scalar(query)


def allowance(member: PoolMember, year: int) -> Allowance:
    """What the ledger's rows add up to for the year (one query)."""
    query = select(AllowanceEntry.reason, func.coalesce(func.sum(AllowanceEntry.minutes), 0)).where(
        AllowanceEntry.member_id == member.id, AllowanceEntry.year == year
    )
    totals = dict(db.session.execute(query.group_by(AllowanceEntry.reason)).all())
    return Allowance(granted=totals.get("granted", 0), used=-totals.get("used", 0))


def pool_worker(pool: ReliefPool, user) -> PoolWorker | None:
    """The person's application to (or place in) the pool, or None."""
    query = select(PoolWorker).where(PoolWorker.pool_id == pool.id, PoolWorker.user_id == user.id)
    return db.session.scalar(query)


def apply_to_pool(pool: ReliefPool, actor) -> PoolWorker:
    """A relief worker applies to an open pool with the checks and training on their profile."""
    require(actor, "relief_worker")
    if pool.status != PoolStatus.OPEN:
        raise DomainError(f"{pool.name} is not taking applications")
    profile = actor.relief_profile
    if not profile.areas_covered or not profile.dbs_level:
        raise DomainError("Add the areas you cover and your DBS check to your profile before you apply")
    worker = pool_worker(pool, actor)
    if worker is None:
        worker = PoolWorker(pool=pool, user_id=actor.id, status=WorkerStatus.APPLIED)
        db.session.add(worker)
        db.session.flush()
        audit.record("pool_worker.applied", obj=worker, organisation=pool.organisation, actor=actor)
    elif not change(worker, POOL_WORKER_STATES, WorkerStatus.APPLIED, actor=actor, organisation=pool.organisation):
        raise DomainError(
            f"You have already applied to {pool.name}"
            if worker.status == WorkerStatus.APPLIED
            else f"You are already {worker.status} in {pool.name}"
        )
    _tell_managers(pool, "pool_worker_applied", f"{actor.name} applied to be a relief worker in {pool.name}")
    return worker


def decide_worker(worker: PoolWorker, approve: bool, actor, *, dbs_verified: bool, right_to_work: bool) -> None:
    """The pool manager records the checks they saw and approves or declines a worker."""
    require(actor, "pool_manager", worker.pool)
    if approve and not dbs_verified:
        raise DomainError("Confirm you have seen the worker's DBS certificate or Update Service result to approve")
    if approve and worker.pool.right_to_work_required and not right_to_work:
        raise DomainError("Confirm you have checked the worker's right to work to approve")
    status = WorkerStatus.APPROVED if approve else WorkerStatus.DECLINED
    values = {
        "decided_at": utcnow(),
        "decided_by_id": actor.id,
        "dbs_verified": dbs_verified,
        "right_to_work_checked_on": today() if right_to_work else None,
    }
    if not change(
        worker, POOL_WORKER_STATES, status, actor=actor, organisation=worker.pool.organisation, values=values
    ):
        raise DomainError(f"{worker.user.name} is {worker.status}: there is nothing to decide")
    link = url_for("cover.open_shifts", _external=True)
    title = f"You were {status} as a relief worker in {worker.pool.name}"
    notify(worker.user, "pool_worker_decided", title=title, link=link)


def _review_strikes(pool_id: int, *, user_id: int | None = None, member_id: int | None = None) -> None:
    """The manager has reviewed these strikes: they no longer count towards a suspension."""
    whose = Strike.user_id == user_id if user_id is not None else Strike.member_id == member_id
    db.session.execute(
        update(Strike)
        .where(Strike.pool_id == pool_id, whose, Strike.reviewed_at.is_(None))
        .values(reviewed_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def reinstate_worker(worker: PoolWorker, actor) -> None:
    """After review, a suspended worker is approved again; their strikes so far are reviewed."""
    require(actor, "pool_manager", worker.pool)
    if not change(
        worker, POOL_WORKER_STATES, WorkerStatus.APPROVED, actor=actor, organisation=worker.pool.organisation
    ):
        raise DomainError(f"{worker.user.name} is {worker.status}, not suspended")
    _review_strikes(worker.pool_id, user_id=worker.user_id)
    title = f"You can take shifts in {worker.pool.name} again"
    notify(worker.user, "pool_worker_reinstated", title=title, link=url_for("cover.open_shifts", _external=True))


def reinstate_member(member: PoolMember, actor) -> None:
    """After review, a suspended enterprise is approved again; its strikes so far are reviewed."""
    require(actor, "pool_manager", member.pool)
    if member.status != MemberStatus.SUSPENDED or not change(
        member, POOL_MEMBER_STATES, MemberStatus.APPROVED, actor=actor, organisation=member.organisation
    ):
        raise DomainError(f"{member.organisation.name} is {member.status}, not suspended")
    _review_strikes(member.pool_id, member_id=member.id)
