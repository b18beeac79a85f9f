"""A publisher's schemes: drafted with their cover lines, price tiers, eligibility and underwriting questions, then
opened for pledges, or cancelled. Callers commit."""

from dataclasses import dataclass

from sqlalchemy import select

from ..core import audit
from ..core.errors import DomainError, NotAllowed
from ..core.states import change
from ..core.uploads import save_pdf
from ..extensions import db
from ..organisations import permissions as org
from ..organisations.models import Area
from .enrolments import end_pledges, lock_scheme, pledged_of, tell_members
from .models import CoverLine, PriceTier, Question, Scheme
from .permissions import require
from .statuses import SCHEME_STATES, QuestionKind, SchemeStatus


@dataclass(frozen=True)
class LineDetails:
    kind: str
    limit_pence: int
    excess_pence: int = 0


@dataclass(frozen=True)
class QuestionDetails:
    text: str
    kind: str = QuestionKind.YES_NO
    declining_answer: str | None = None  # "yes" or "no"


def _check(scheme: Scheme) -> None:
    """The rules a scheme's settings keep whatever page set them."""
    if scheme.period_ends <= scheme.period_starts:
        raise DomainError("The policy period must end after it starts")
    if scheme.enrolment_closes < scheme.enrolment_opens:
        raise DomainError("Enrolment must close on or after the day it opens")
    if scheme.enrolment_closes >= scheme.period_ends:
        raise DomainError("Enrolment must close before the policy period ends")
    if scheme.max_members is not None and scheme.max_members < scheme.threshold:
        raise DomainError("The most members must be at least the number needed for the scheme to go ahead")


def _apply(scheme: Scheme, details: dict, lines, tiers, questions) -> None:
    details = dict(details)
    area_ids = details.pop("area_ids", None)
    for name, value in details.items():
        setattr(scheme, name, value)
    if area_ids is not None:
        scheme.areas = list(db.session.scalars(select(Area).where(Area.id.in_(area_ids)))) if area_ids else []
    _clear_children(scheme, lines=lines, tiers=tiers, questions=questions)
    if lines is not None:
        if len({line.kind for line in lines}) != len(lines):
            raise DomainError("Each kind of cover can be listed once")
        scheme.cover_lines = [
            CoverLine(kind=line.kind, limit_pence=line.limit_pence, excess_pence=line.excess_pence) for line in lines
        ]
    if tiers is not None:
        scheme.tiers = _tiers(tiers)
    if questions is not None:
        scheme.questions = [
            Question(
                position=number,
                text=q.text,
                kind=q.kind,
                declining_answer=q.declining_answer if q.kind == QuestionKind.YES_NO else None,
            )
            for number, q in enumerate(questions, start=1)
        ]
    _check(scheme)


def _clear_children(scheme: Scheme, **replaced) -> None:
    """Remove the rows about to be replaced first (their unique keys would clash with the new rows in one flush)."""
    names = {"lines": "cover_lines", "tiers": "tiers", "questions": "questions"}
    cleared = [names[name] for name, rows in replaced.items() if rows is not None]
    if scheme.id is None or not cleared:
        return
    for name in cleared:
        getattr(scheme, name).clear()
    db.session.flush()


def _tiers(tiers: list[tuple[int, int]]) -> list[PriceTier]:
    """Price tiers as (from members, pence a year): starting at 1 member, each larger pool paying less."""
    ordered = sorted(tiers)
    if not ordered or ordered[0][0] != 1:
        raise DomainError("The first price tier must start at 1 member")
    if len({members for members, _ in ordered}) != len(ordered):
        raise DomainError("Each price tier must start at a different number of members")
    prices = [price for _, price in ordered]
    if any(later >= earlier for earlier, later in zip(prices, prices[1:], strict=False)):
        raise DomainError("Each larger tier must cost less a year than the one before")
    return [PriceTier(min_members=members, annual_price_pence=price) for members, price in ordered]


def create_scheme(organisation, actor, *, lines=(), tiers=(), questions=(), **details) -> Scheme:
    """A draft scheme of an approved council or NHS body."""
    if not org.can_publish(actor, organisation):
        raise NotAllowed(f"{organisation.name} must be approved before it can offer insurance schemes")
    scheme = Scheme(organisation=organisation, status=SchemeStatus.DRAFT)
    _apply(scheme, details, list(lines), list(tiers), list(questions))
    db.session.add(scheme)
    db.session.flush()
    audit.record("insurance_scheme.created", obj=scheme, organisation=organisation, actor=actor, name=scheme.name)
    return scheme


def update_scheme(scheme: Scheme, actor, *, lines=None, tiers=None, questions=None, **details) -> None:
    """Change a draft's settings (once open, what members were promised stays: only the description and wording)."""
    require(actor, "scheme_manager", scheme)
    if scheme.status != SchemeStatus.DRAFT and (
        lines is not None
        or tiers is not None
        or questions is not None
        or set(details) - {"summary", "wording_file", "wording_name"}
    ):
        raise DomainError("Only a draft's cover, prices, dates and questions can be changed")
    _apply(
        scheme,
        details,
        None if lines is None else list(lines),
        None if tiers is None else list(tiers),
        None if questions is None else list(questions),
    )
    audit.record("insurance_scheme.updated", obj=scheme, organisation=scheme.organisation, actor=actor)


def open_scheme(scheme: Scheme, actor) -> None:
    """Publish a draft for pledges: it needs its cover, prices and the dates to make sense."""
    require(actor, "scheme_manager", scheme)
    if not scheme.cover_lines:
        raise DomainError("Add at least one kind of cover before opening the scheme")
    if not scheme.tiers:
        raise DomainError("Add the price tiers before opening the scheme")
    _check(scheme)
    if not change(scheme, SCHEME_STATES, SchemeStatus.OPEN, actor=actor):
        raise DomainError(f"{scheme.name} is {scheme.status} and cannot be opened")


def cancel_scheme(scheme: Scheme, actor) -> None:
    """Withdraw a draft or open scheme: nobody has been charged; every pledge is cancelled and told."""
    require(actor, "scheme_manager", scheme)
    scheme = lock_scheme(scheme)
    if not change(scheme, SCHEME_STATES, SchemeStatus.CANCELLED, actor=actor):
        raise DomainError(f"{scheme.name} is {scheme.status} and cannot be cancelled")
    pledged = pledged_of(scheme)
    end_pledges(pledged, "scheme_cancelled")
    tell_members(pledged, "insurance_scheme_cancelled", f"{scheme.name} has been withdrawn", "Nobody has been charged.")


def attach_wording(scheme: Scheme, actor, upload) -> None:
    """Keep the policy wording the publisher uploaded (a PDF, checked by its content) under a random name."""
    require(actor, "scheme_manager", scheme)
    stored = save_pdf(upload)
    scheme.wording_file, scheme.wording_name = stored, (upload.filename or "policy-wording.pdf")[:200]
    audit.record("insurance_scheme.wording_uploaded", obj=scheme, organisation=scheme.organisation, actor=actor)
