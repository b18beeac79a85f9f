"""After a completed shift both sides rate each other (1 to 5, with a comment); an enterprise may block a worker it
rated 1 or 2, who is then never offered its shifts. Callers commit."""

from sqlalchemy import select

from ..core import audit
from ..core.errors import DomainError, NotAllowed
from ..extensions import db
from ..organisations import permissions as org
from .models import CoverShift, ShiftRating, WorkerBlock
from .statuses import ShiftStatus

BLOCKABLE_BELOW = 3


def _side(shift: CoverShift, actor) -> bool:
    """True if the actor rates for the enterprise, False for the worker; NotAllowed for anyone else."""
    if org.is_enterprise_member(actor, shift.request.organisation):
        return True
    if actor is not None and shift.worker_id == actor.id:
        return False
    raise NotAllowed("Only the enterprise and the worker who did the shift can rate it")


def rating_by(shift: CoverShift, by_enterprise: bool) -> ShiftRating | None:
    """One side's rating of a shift, or None."""
    return db.session.get(ShiftRating, (shift.id, by_enterprise))


def rate_shift(shift: CoverShift, actor, *, score: int, comment: str | None) -> ShiftRating:
    """Rate the other side of a completed shift, once (a second rating replaces the first)."""
    by_enterprise = _side(shift, actor)
    if shift.status != ShiftStatus.COMPLETED:
        raise DomainError("You can rate a shift once it is completed")
    if not 1 <= score <= 5:
        raise DomainError("Select a rating from 1 to 5")
    rating = rating_by(shift, by_enterprise) or ShiftRating(shift_id=shift.id, by_enterprise=by_enterprise)
    rating.score, rating.comment = score, comment
    db.session.add(rating)
    db.session.flush()
    audit.record(
        "cover_shift.rated",
        obj=shift,
        organisation=shift.request.organisation,
        actor=actor,
        score=score,
        by_enterprise=by_enterprise,
    )
    return rating


def can_block(shift: CoverShift, actor) -> bool:
    """The enterprise rated the worker 1 or 2 and has not blocked them yet."""
    if shift.worker_id is None or not org.is_enterprise_member(actor, shift.request.organisation):
        return False
    rating = rating_by(shift, True)
    return rating is not None and rating.score < BLOCKABLE_BELOW and not is_blocked(shift)


def is_blocked(shift: CoverShift) -> bool:
    """The shift's worker is blocked by its enterprise."""
    query = select(WorkerBlock).where(
        WorkerBlock.organisation_id == shift.organisation_id, WorkerBlock.user_id == shift.worker_id
    )
    return db.session.scalar(query) is not None


def block_worker(shift: CoverShift, actor) -> None:
    """Never offer this worker the enterprise's shifts again (after a rating of 1 or 2)."""
    if not can_block(shift, actor):
        raise DomainError("You can block a worker only after rating them 1 or 2")
    db.session.add(WorkerBlock(organisation_id=shift.organisation_id, user_id=shift.worker_id))
    db.session.flush()
    audit.record(
        "cover_worker.blocked",
        obj=shift,
        organisation=shift.request.organisation,
        actor=actor,
        worker_id=shift.worker_id,
    )
