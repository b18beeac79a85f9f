"""Who a person is in relief cover (relief worker, pool manager, an enterprise's people, the worker on a shift),
defined once here; the scoped getters and the policies routes and services name."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.roles import is_relief_worker
from ..core import audit
from ..core.permissions import is_signed_in, register_policy
from ..core.permissions import require as require  # services import it from here: cover's policies are loaded
from ..extensions import db
from ..organisations import permissions as org
from .models import CoverRequest, CoverShift, PoolMember, PoolWorker, ReliefPool, Timesheet
from .statuses import PoolStatus, WorkerStatus


def manages_pool(user, pool: ReliefPool) -> bool:
    """Publishes for the approved council or NHS body that runs the pool: its pool manager."""
    return org.can_publish(user, pool.organisation)


def managed_pool(pool_id: int, user) -> ReliefPool | None:
    """A pool the person manages (with what its pages show: its body, areas and training)."""
    shown = (
        joinedload(ReliefPool.organisation),
        selectinload(ReliefPool.areas),
        selectinload(ReliefPool.required_topics),
    )
    pool = db.session.get(ReliefPool, pool_id, options=shown)
    return pool if pool is not None and manages_pool(user, pool) else None


def visible_pool(pool_id: int, user) -> ReliefPool | None:
    """An open or closed pool (anyone may read about it), or a draft of the person's own."""
    pool = db.session.get(ReliefPool, pool_id)
    if pool is None or (pool.status == PoolStatus.DRAFT and not manages_pool(user, pool)):
        return None
    return pool


def managed_member(member_id: int, user) -> PoolMember | None:
    """An enterprise's membership of a pool the person manages."""
    member = db.session.get(PoolMember, member_id)
    return member if member is not None and manages_pool(user, member.pool) else None


def managed_worker(worker_id: int, user) -> PoolWorker | None:
    """A worker's application to (or place in) a pool the person manages."""
    worker = db.session.get(PoolWorker, worker_id)
    return worker if worker is not None and manages_pool(user, worker.pool) else None


def is_pool_worker(user, pool_id: int) -> bool:
    """Approved as a worker in the pool."""
    if not is_relief_worker(user):
        return False
    query = select(PoolWorker.id).where(
        PoolWorker.pool_id == pool_id, PoolWorker.user_id == user.id, PoolWorker.status == WorkerStatus.APPROVED
    )
    return db.session.scalar(query) is not None


def is_request_member(user, request: CoverRequest) -> bool:
    """A member of the enterprise that asked for cover."""
    return org.is_enterprise_member(user, request.organisation)


def can_view_request(user, request: CoverRequest) -> bool:
    """The enterprise's people and the pool's managers."""
    return is_request_member(user, request) or manages_pool(user, request.pool)


def _request_shown():
    """What a request's pages show: its enterprise, pool (and its body), area, skills, topics and shifts."""
    return (
        joinedload(CoverRequest.organisation),
        joinedload(CoverRequest.pool).joinedload(ReliefPool.organisation),
        joinedload(CoverRequest.area),
        selectinload(CoverRequest.skills),
        selectinload(CoverRequest.extra_topics),
        selectinload(CoverRequest.shifts).options(joinedload(CoverShift.worker), joinedload(CoverShift.timesheet)),
    )


def visible_request(request_id: int, user) -> CoverRequest | None:
    """A cover request the person may see."""
    request = db.session.get(CoverRequest, request_id, options=_request_shown())
    return request if request is not None and can_view_request(user, request) else None


def works_shift(user, shift: CoverShift) -> bool:
    """The worker who accepted the shift."""
    return is_signed_in(user) and shift.worker_id == user.id


def can_see_private_notes(user, request: CoverRequest) -> bool:
    """The enterprise's people, and a worker who holds one of its shifts: nobody else (not the pool manager)."""
    if is_request_member(user, request):
        return True
    return is_signed_in(user) and any(shift.worker_id == user.id for shift in request.shifts if shift.holds_worker)


def record_private_view(request: CoverRequest) -> None:
    """Each view of a request's private notes or absence reason is audited (after the page is built: the commit expires what it read)."""
    audit.record("cover_request.private_notes_viewed", obj=request, organisation=request.organisation)
    db.session.commit()


def can_view_shift(user, shift: CoverShift) -> bool:
    """Its request's viewers, its worker, and the pool's approved workers (who may take it)."""
    return works_shift(user, shift) or can_view_request(user, shift.request) or is_pool_worker(user, shift.pool_id)


def visible_shift(shift_id: int, user) -> CoverShift | None:
    """A shift the person may see."""
    shown = [joinedload(CoverShift.request).options(*_request_shown())]
    shift = db.session.get(CoverShift, shift_id, options=shown)
    return shift if shift is not None and can_view_shift(user, shift) else None


def visible_timesheet(timesheet_id: int, user) -> Timesheet | None:
    """A timesheet of a shift the person may see."""
    shown = [joinedload(Timesheet.shift).joinedload(CoverShift.request).options(*_request_shown())]
    timesheet = db.session.get(Timesheet, timesheet_id, options=shown)
    return timesheet if timesheet is not None and can_view_shift(user, timesheet.shift) else None


def rates_shift(user, shift: CoverShift) -> bool:
    """The enterprise's people and the worker who did the shift."""
    return works_shift(user, shift) or is_request_member(user, shift.request)


def may_join_pools(user, _pool=None) -> bool:
    """Owners of an enterprise join pools for it."""
    return any(m.is_owner for m in org.enterprise_memberships(user))


register_policy("relief_worker", is_relief_worker)
register_policy("pool_manager", manages_pool, refuse=404)
register_policy("pool_member_manager", lambda user, member: manages_pool(user, member.pool), refuse=404)
register_policy("pool_worker_manager", lambda user, worker: manages_pool(user, worker.pool), refuse=404)
register_policy("shift_enterprise", lambda user, shift: is_request_member(user, shift.request))
register_policy("timesheet_enterprise", lambda user, sheet: is_request_member(user, sheet.shift.request))
register_policy("timesheet_manager", lambda user, sheet: manages_pool(user, sheet.shift.request.pool), refuse=404)
register_policy("shift_rater", rates_shift)
register_policy("pool_joiner", may_join_pools)
register_policy("cover_request_viewer", can_view_request, refuse=404)
register_policy("cover_request_member", is_request_member)
register_policy("shift_viewer", can_view_shift, refuse=404)
register_policy("shift_worker", works_shift)
