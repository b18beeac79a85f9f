"""Cover request rules: an enterprise posts shifts, the best-matched workers are alerted (then everyone eligible),
the first to accept a shift gets it, and either side may cancel (late: a strike). Callers commit."""

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import and_, select

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError, NotAllowed
from ..core.notifications import notify_each
from ..core.states import change, stamp_once
from ..core.template_helpers import format_datetime, format_span
from ..extensions import db
from ..organisations import permissions as org
from ..organisations.models import Membership, MembershipStatus
from ..training.models import Topic
from . import matching
from .models import (
    CoverRequest,
    CoverShift,
    PoolMember,
    ReliefWorkerProfile,
    RequestSkill,
    ShiftAlert,
)
from .permissions import require
from .statuses import (
    REQUEST_STATES,
    SHIFT_STATES,
    MemberStatus,
    PoolStatus,
    RequestStatus,
    ShiftStatus,
)
from .strikes import record_strike
from .timing import dbs_issued_after, shift_times

MAX_SHIFTS = 10
MAX_SHIFT_HOURS = 16
LATE_NOTICE = timedelta(hours=24)
WIDEN_AFTER = timedelta(minutes=30)
WIDEN_SOON_AFTER = timedelta(minutes=10)  # for a shift that starts within SOON
SOON = timedelta(hours=12)


class ShiftTaken(DomainError):
    """Someone else accepted the shift first (or it was cancelled)."""


class NotEligible(DomainError):
    """The worker may not take this shift; the message says why."""


def _check_shifts(member: PoolMember, times: list[tuple[datetime, datetime]], now: datetime) -> None:
    """Shifts start after the pool's notice, end after they start, are not too long and do not overlap."""
    if not times:
        raise DomainError("Add at least one shift")
    if len(times) > MAX_SHIFTS:
        raise DomainError(f"A request can have up to {MAX_SHIFTS} shifts: post another request for more")
    notice = timedelta(hours=member.pool.min_notice_hours)
    ordered = sorted(times)
    for starts_at, ends_at in ordered:
        if ends_at <= starts_at:
            raise DomainError("Each shift must end after it starts")
        if ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
            raise DomainError(f"A shift can be up to {MAX_SHIFT_HOURS} hours long")
        if starts_at < now + notice:
            hours = member.pool.min_notice_hours
            raise DomainError(
                f"Shifts must start at least {hours} hours from now" if hours else "Shifts must start in the future"
            )
    for (_, first_end), (second_start, _) in zip(ordered, ordered[1:], strict=False):
        if second_start < first_end:
            raise DomainError("Shifts in one request must not overlap")


def post_request(
    member: PoolMember,
    actor,
    *,
    shifts: list[tuple[datetime, datetime]],
    skills: list[str],
    topic_ids: list[int],
    **details,
) -> CoverRequest:
    """An approved enterprise asks its pool for cover; the best matches for each shift are alerted after the commit."""
    if not org.is_enterprise_member(actor, member.organisation):
        raise NotAllowed("Only the enterprise's people can ask for cover")
    if member.status != MemberStatus.APPROVED or member.pool.status != PoolStatus.OPEN:
        raise DomainError(f"{member.organisation.name} cannot ask {member.pool.name} for cover now")
    if details["area_id"] not in {area.id for area in member.pool.areas}:
        raise DomainError(f"{member.pool.name} does not serve that area")
    now = utcnow()
    _check_shifts(member, shifts, now)
    request = CoverRequest(
        pool_id=member.pool_id,
        organisation_id=member.organisation_id,
        created_by_id=actor.id,
        status=RequestStatus.OPEN,
        ends_at=max(end for _, end in shifts),
        skills=[RequestSkill(skill=skill) for skill in dict.fromkeys(skills)],
        extra_topics=list(db.session.scalars(select(Topic).where(Topic.id.in_(topic_ids)))) if topic_ids else [],
        **details,
    )
    db.session.add(request)
    for starts_at, ends_at in sorted(shifts):
        times = shift_times(starts_at, ends_at)
        request.shifts.append(
            CoverShift(
                pool_id=member.pool_id,
                organisation_id=member.organisation_id,
                area_id=request.area_id,
                status=ShiftStatus.OPEN,
                dbs_issued_after=dbs_issued_after(times.last_day, member.pool.dbs_max_age_months),
                **vars(times),
            )
        )
    db.session.flush()
    audit.record("cover_request.open", obj=request, organisation=member.organisation, actor=actor, shifts=len(shifts))
    for shift in request.shifts:
        alert(shift, now=now)
    return request


def shift_title(shift: CoverShift) -> str:
    """'Cover shift: 5 January 2027, 9:00am to 5:00pm in Leeds' (no client details: texts and other workers see it)."""
    return f"Cover shift: {format_span(shift.starts_at, shift.ends_at)} in {shift.request.area.name}"


def alert(shift: CoverShift, *, now: datetime, widen: bool = False) -> int:
    """Tell the best matches for an open shift (widen: everyone eligible not yet told), by notification, email and
    text (for those who chose texts); each is told once each time the shift opens. Returns how many were told.

    A reopened shift (its alerted_at cleared) starts again: those told before it was taken are told again, their
    alert rows moved to the new time, as nobody else would otherwise hear that it is free."""
    if shift.status != ShiftStatus.OPEN:
        return 0
    if shift.alerted_at is None:
        shift.alerted_at = now
    earlier = {
        row.user_id: row for row in db.session.scalars(select(ShiftAlert).where(ShiftAlert.shift_id == shift.id))
    }
    told = {user_id for user_id, row in earlier.items() if row.alerted_at >= shift.alerted_at}
    matches = matching.ranked_workers(shift, now=now, limit=None if widen else matching.BEST_FIRST)
    new = [(rank, match) for rank, match in enumerate(matches, start=1) if match.user_id not in told]
    for rank, match in new:
        row = earlier.get(match.user_id) or ShiftAlert(shift_id=shift.id, user_id=match.user_id)
        row.alerted_at, row.rank, row.widened = now, rank, widen
        db.session.add(row)
    db.session.flush()
    if new:
        link = url_for("cover.show_shift", shift_id=shift.id, _external=True)
        key = f"shift-{shift.id}-{'all' if widen else 'best'}-{int(shift.alerted_at.timestamp())}"
        notify_each(
            [match.user_id for _, match in new],
            "cover_shift_open",
            title=shift_title(shift),
            link=link,
            key=key[:32],
            urgent=True,
        )
    return len(new)


def due_for_widening(now: datetime):
    """Open shifts whose best matches were told long enough ago (sooner for a shift starting soon)."""
    return select(CoverShift.id).where(
        CoverShift.status == ShiftStatus.OPEN,
        CoverShift.widened_at.is_(None),
        CoverShift.starts_at > now,
        (CoverShift.alerted_at <= now - WIDEN_AFTER)
        | and_(CoverShift.starts_at <= now + SOON, CoverShift.alerted_at <= now - WIDEN_SOON_AFTER),
    )


def widen_alerts(now: datetime) -> int:
    """Job: tell everyone eligible about each shift still open after its first alerts; once per shift, whoever runs."""
    widened = 0
    for shift_id in list(db.session.scalars(due_for_widening(now))):
        if not stamp_once(CoverShift, shift_id, "widened_at", now):
            continue  # another run took it
        shift = db.session.get(CoverShift, shift_id)
        alert(shift, now=now, widen=True)
        db.session.commit()
        widened += 1
    return widened


def _lock_worker(user) -> ReliefWorkerProfile:
    """Hold the worker's profile row until the commit, so one worker's accepts run one at a time (overlaps)."""
    query = select(ReliefWorkerProfile).where(ReliefWorkerProfile.user_id == user.id).with_for_update()
    profile = db.session.scalar(query)
    if profile is None:
        raise NotEligible("Create your relief worker profile before you accept shifts")
    return profile


def accept_shift(shift: CoverShift, worker) -> None:
    """First come, exactly once: the conditional update gives the shift to one worker; the enterprise is told."""
    _lock_worker(worker)
    if shift.status != ShiftStatus.OPEN:
        raise ShiftTaken("Sorry, this shift has been taken by someone else")
    if shift.starts_at <= utcnow():
        raise ShiftTaken("This shift has already started")
    reason = matching.refusal(shift, worker)
    if reason:
        raise NotEligible(reason)
    values = {"worker_id": worker.id, "accepted_at": utcnow()}
    if not change(
        shift, SHIFT_STATES, ShiftStatus.ACCEPTED, actor=worker, organisation=shift.request.organisation, values=values
    ):
        raise ShiftTaken("Sorry, this shift has been taken by someone else")
    settle_request(shift.request, worker)
    title = f"{worker.name} accepted your cover shift on {format_datetime(shift.starts_at)}"
    tell_enterprise(shift.request, "cover_shift_accepted", title)


def tell_enterprise(request: CoverRequest, kind: str, title: str) -> None:
    """Every active member of the enterprise that asked for cover, with a link to the request."""
    people = select(Membership.user_id).where(
        Membership.organisation_id == request.organisation_id, Membership.status == MembershipStatus.ACTIVE
    )
    link = url_for("cover.show_request", request_id=request.id, _external=True)
    notify_each(db.session.scalars(people), kind, title=title, link=link)


def settle_request(request: CoverRequest, actor) -> None:
    """The request's status follows its shifts: open, partly filled, filled, completed.

    The shifts are read afresh under a lock on the request's row: two of its shifts accepted at once are settled one
    after the other, the second seeing the first (a loaded request.shifts would miss it and leave it partly filled).
    """
    locked = select(CoverRequest).where(CoverRequest.id == request.id).with_for_update()
    db.session.scalars(locked.execution_options(populate_existing=True)).one()
    statuses = list(
        db.session.scalars(
            select(CoverShift.status).where(
                CoverShift.request_id == request.id, CoverShift.status != ShiftStatus.CANCELLED
            )
        )
    )
    if not statuses:
        target = RequestStatus.CANCELLED
    elif all(status in (ShiftStatus.COMPLETED, ShiftStatus.NO_SHOW) for status in statuses):
        target = RequestStatus.COMPLETED
    elif all(status != ShiftStatus.OPEN for status in statuses):
        target = RequestStatus.FILLED
    elif any(status != ShiftStatus.OPEN for status in statuses):
        target = RequestStatus.PARTLY_FILLED
    else:
        target = RequestStatus.OPEN
    if target != request.status:
        change(request, REQUEST_STATES, target, actor=actor)


def _late(shift: CoverShift) -> bool:
    return shift.starts_at - utcnow() < LATE_NOTICE


def cancel_by_worker(shift: CoverShift, worker) -> bool:
    """The worker gives the shift back: it reopens and matching runs again; under 24 hours' notice is a strike.
    True if it was a strike."""
    require(worker, "shift_worker", shift)
    late = _late(shift)
    _reopen(shift, worker, gave_back=worker.id)
    if late:
        record_strike(shift, "late_cancellation", user_id=worker.id)
    tell_enterprise(
        shift.request,
        "cover_shift_given_back",
        f"{worker.name} can no longer cover your shift on "
        f"{format_datetime(shift.starts_at)}: we are finding someone else",
    )
    return late


def _reopen(shift: CoverShift, actor, *, gave_back: int | None = None) -> None:
    """An accepted shift back to open, with no worker, and alerted afresh (not to the worker who gave it back or was
    let go: their alert row is moved to now, so neither this alert nor the widening tells them)."""
    if not change(
        shift,
        SHIFT_STATES,
        ShiftStatus.OPEN,
        actor=actor,
        organisation=shift.request.organisation,
        values={"worker_id": None, "accepted_at": None, "alerted_at": None, "widened_at": None},
    ):
        raise DomainError("This shift is no longer accepted")
    settle_request(shift.request, actor)
    now = utcnow()
    if gave_back is not None:
        row = db.session.get(ShiftAlert, (shift.id, gave_back)) or ShiftAlert(shift_id=shift.id, user_id=gave_back)
        row.alerted_at, row.rank, row.widened = now, 0, False
        db.session.add(row)
    alert(shift, now=now)


def cancel_by_enterprise(shift: CoverShift, actor, *, reopen: bool) -> bool:
    """The enterprise cancels a shift (or, reopen, lets the accepted worker go and looks again); cancelling an
    accepted shift under 24 hours' notice is a strike for the enterprise. True if it was a strike."""
    require(actor, "cover_request_member", shift.request)
    worker, late = shift.worker, shift.status == ShiftStatus.ACCEPTED and _late(shift)
    if reopen:
        _reopen(shift, actor, gave_back=worker.id if worker else None)  # the worker let go is not offered it again
    elif not change(shift, SHIFT_STATES, ShiftStatus.CANCELLED, actor=actor, organisation=shift.request.organisation):
        raise DomainError("This shift cannot be cancelled now")
    else:
        settle_request(shift.request, actor)
    if late:
        record_strike(shift, "late_cancellation", member=member_of(shift))
    if worker is not None:
        notify_each(
            [worker.id],
            "cover_shift_cancelled",
            title=f"Your cover shift on {format_datetime(shift.starts_at)} "
            f"with {shift.request.organisation.name} was cancelled",
            link=url_for("cover.open_shifts", _external=True),
        )
    return late


def member_of(shift: CoverShift, *, lock: bool = False) -> PoolMember:
    """The enterprise's place in the shift's pool; lock: held until the commit (while its funded hours are drawn)."""
    query = select(PoolMember).where(
        PoolMember.pool_id == shift.pool_id, PoolMember.organisation_id == shift.organisation_id
    )
    return db.session.scalar(query.with_for_update() if lock else query)
