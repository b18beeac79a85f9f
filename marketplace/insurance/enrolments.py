"""Joining a scheme: who may (checked on the server), the underwriting answers, the price shown (the tier the pool
has reached and what the next one needs), and the pledge (a payment method secured, nobody charged). Callers commit.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.clock import today, utcnow
from ..core.errors import DomainError
from ..core.money import format_pence
from ..core.notifications import notify_each
from ..core.states import change
from ..extensions import db
from ..organisations.people import MONEY, people_of
from ..payments.saved_methods import has_saved_method, needs_saved_method
from . import pricing
from .eligibility import who_reasons
from .models import Answer, Enrolment, Scheme
from .permissions import require
from .statuses import ENROLMENT_STATES, HOLDS_PLACE, EnrolmentStatus, QuestionKind, SchemeStatus

NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: read aloud and typed from paper
NUMBER_ATTEMPTS = 5


class NotEligible(DomainError):
    """The enterprise may not join this scheme; the message says why."""


class Declined(DomainError):
    """An underwriting answer means the insurer cannot cover the enterprise."""


def members(scheme: Scheme) -> int:
    """Enterprises holding a place: pledged, active or lapsed in its grace period."""
    query = select(func.count()).where(Enrolment.scheme_id == scheme.id, Enrolment.status.in_(HOLDS_PLACE))
    return db.session.scalar(query) or 0


def enrolment_of(scheme: Scheme, organisation) -> Enrolment | None:
    return db.session.scalar(
        select(Enrolment).where(Enrolment.scheme_id == scheme.id, Enrolment.organisation_id == organisation.id)
    )


def tiers_of(scheme: Scheme) -> list[pricing.Tier]:
    return [pricing.Tier(tier.min_members, tier.annual_price_pence) for tier in scheme.tiers]


@dataclass(frozen=True)
class PriceShown:
    """What a joining enterprise is told: the price it would pay and what the next tier needs."""

    quote: pricing.Quote
    members: int
    locked: bool  # the scheme is active: this is the locked price, for the rest of the period
    next_tier: pricing.Tier | None = None
    more_needed: int = 0

    @property
    def next_saving_pence(self) -> int:
        return self.quote.annual_price_pence - self.next_tier.annual_price_pence if self.next_tier else 0

    @property
    def next_tier_words(self) -> str:
        """'12 more members and everyone pays £40 less a year'."""
        if not self.next_tier:
            return ""
        who = "member" if self.more_needed == 1 else "members"
        return f"{self.more_needed} more {who} and everyone pays {format_pence(self.next_saving_pence)} less a year"


def cover_start(scheme: Scheme, on: date | None = None) -> date:
    """When a member's cover starts: the period's start, or the day they join once it has started."""
    return max(scheme.period_starts, on or today())


def quote_for(scheme: Scheme, *, annual_price_pence: int, starts: date, budget_left: int | None) -> pricing.Quote:
    """The one calculation of what a member pays, for the price shown and the price charged alike."""
    return pricing.quote(
        annual_price_pence,
        period_starts=scheme.period_starts,
        period_ends=scheme.period_ends,
        cover_starts=starts,
        subsidy_kind=scheme.subsidy_kind,
        subsidy_value=scheme.subsidy_value,
        budget_left=budget_left,
    )


def subsidy_left(scheme: Scheme) -> int | None:
    """What is left of the scheme's subsidy budget after what members have been given (None: no budget)."""
    if scheme.subsidy_budget_pence is None:
        return None
    given = select(func.coalesce(func.sum(Enrolment.subsidy_pence), 0)).where(
        Enrolment.scheme_id == scheme.id, Enrolment.status.in_(HOLDS_PLACE), Enrolment.premium_pence.is_not(None)
    )
    return max(0, scheme.subsidy_budget_pence - (db.session.scalar(given) or 0))


def price_shown(scheme: Scheme, *, joining: bool = True) -> PriceShown:
    """The price a joiner pays: once active the locked price for the rest of the period; before, the tier the pool
    reaches with them (`joining`) and what the next tier needs."""
    count = members(scheme)
    if scheme.status == SchemeStatus.ACTIVE:
        quote = quote_for(
            scheme,
            annual_price_pence=scheme.locked_price_pence,
            starts=cover_start(scheme),
            budget_left=subsidy_left(scheme),
        )
        return PriceShown(quote, count, locked=True)
    pool = count + 1 if joining else count
    tiers = tiers_of(scheme)
    tier = pricing.tier_for(tiers, pool)
    quote = quote_for(scheme, annual_price_pence=tier.annual_price_pence, starts=scheme.period_starts, budget_left=None)
    upcoming = pricing.next_tier(tiers, pool)
    if upcoming is None:
        return PriceShown(quote, count, locked=False)
    return PriceShown(quote, count, locked=False, next_tier=upcoming[0], more_needed=upcoming[1])


def reasons_not_eligible(scheme: Scheme, organisation) -> list[str]:
    """Every reason the enterprise may not join, in plain words (empty: it may)."""
    return [*_timing(scheme), *who_reasons(scheme, organisation), *_place(scheme, organisation)]


def _timing(scheme: Scheme) -> list[str]:
    """Open and in its enrolment window, or active with some of its period left."""
    now = today()
    if scheme.status == SchemeStatus.OPEN:
        if now < scheme.enrolment_opens:
            return ["Enrolment has not opened yet"]
        return ["Enrolment has closed"] if now > scheme.enrolment_closes else []
    if scheme.status != SchemeStatus.ACTIVE or now >= scheme.period_ends:
        return ["This scheme is not taking new members"]
    return []


def _place(scheme: Scheme, organisation) -> list[str]:
    """Not already in it, and a place left."""
    held = enrolment_of(scheme, organisation)
    if held is not None and held.status in HOLDS_PLACE:
        return ["Your enterprise has already joined this scheme"]
    if scheme.max_members is not None and members(scheme) >= scheme.max_members:
        return ["This scheme is full"]
    return []


def _declining(scheme: Scheme, answers: dict[int, str]) -> str | None:
    """The first answer that declines, as a plain message; raises on a missing or unreadable answer."""
    for question in scheme.questions:
        answer = (answers.get(question.id) or "").strip()
        if not answer:
            raise DomainError(f"Answer the question: {question.text}")
        if question.kind == QuestionKind.YES_NO:
            if answer not in ("yes", "no"):
                raise DomainError(f"Answer yes or no: {question.text}")
            if answer == question.declining_answer:
                return f"The insurer cannot cover businesses that answer '{answer}' to: {question.text}"
    return None


def lock_scheme(scheme: Scheme) -> Scheme:
    """The scheme's row, locked until the commit: pledges and activation of one scheme run one at a time."""
    return db.session.scalar(
        select(Scheme).where(Scheme.id == scheme.id).with_for_update().execution_options(populate_existing=True)
    )


def pledge(scheme: Scheme, organisation, actor, *, answers: dict[int, str], invoice_mandate: bool = False) -> Enrolment:
    """Pledge the enterprise to a scheme: eligible (checked again under the scheme's lock, so racing pledges never
    pass the maximum), every question answered and none declining, and a way to pay: a saved payment method (asked
    for next where the provider needs one) or agreement to pay by invoice. Nobody is charged yet; a joiner after
    activation is charged at once (activation.charge)."""
    require(actor, "organisation_owner", organisation)
    scheme = lock_scheme(scheme)
    reasons = reasons_not_eligible(scheme, organisation)
    if reasons:
        raise NotEligible(reasons[0])
    declined = _declining(scheme, answers)
    if declined:
        raise Declined(declined)
    if not needs_saved_method() and not invoice_mandate:
        raise DomainError("Agree to pay the premium by invoice")
    enrolment = enrolment_of(scheme, organisation)
    if enrolment is None:
        enrolment = Enrolment(scheme=scheme, organisation=organisation, status=EnrolmentStatus.PLEDGED)
        _save_with_number(enrolment)
    elif not change(enrolment, ENROLMENT_STATES, EnrolmentStatus.PLEDGED, actor=actor):
        raise NotEligible("Your enterprise has already joined this scheme")
    enrolment.pledged_by_id, enrolment.pledged_at = actor.id, utcnow()
    enrolment.invoice_mandate_at = utcnow() if invoice_mandate else None
    enrolment.answers = [
        Answer(question_id=question.id, answer=answers[question.id].strip()) for question in scheme.questions
    ]
    for name in (
        "annual_price_pence",
        "subsidy_pence",
        "premium_pence",
        "payment_id",
        "charge_failed_at",
        "ended_reason",
    ):
        setattr(enrolment, name, None)
    db.session.flush()
    audit.record("insurance_enrolment.pledged", obj=enrolment, organisation=organisation, actor=actor, scheme=scheme.id)
    return enrolment


def awaits_payment_method(enrolment: Enrolment) -> bool:
    """A pledge that still needs a saved payment method before it can be charged."""
    return (
        enrolment.status == EnrolmentStatus.PLEDGED
        and enrolment.invoice_mandate_at is None
        and needs_saved_method()
        and not has_saved_method(enrolment.organisation)
    )


def withdraw(enrolment: Enrolment, actor) -> None:
    """The enterprise takes back its pledge before it is charged."""
    require(actor, "enrolment_owner", enrolment)
    if enrolment.premium_pence is not None:
        raise DomainError("Your premium has been charged: leave the scheme instead")
    if not change(
        enrolment, ENROLMENT_STATES, EnrolmentStatus.CANCELLED, actor=actor, values={"ended_reason": "withdrawn"}
    ):
        raise DomainError("There is no pledge to withdraw")


def new_member_number() -> str:
    """A random member number like BKI-7K2M9QXP (unguessable: the public verification page is found by it)."""
    return "BKI-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


def _save_with_number(enrolment: Enrolment) -> None:
    """Insert inside a savepoint so a clashing number is retried with a fresh one."""
    for _ in range(NUMBER_ATTEMPTS):
        enrolment.member_number = new_member_number()
        enrolment.pledged_at = utcnow()
        try:
            with db.session.begin_nested():
                db.session.add(enrolment)
        except IntegrityError:
            continue
        return
    raise DomainError("We could not issue a member number: try again")


def pledged_of(scheme: Scheme) -> list[Enrolment]:
    """The scheme's pledges, first pledged first."""
    query = (
        select(Enrolment)
        .where(Enrolment.scheme_id == scheme.id, Enrolment.status == EnrolmentStatus.PLEDGED)
        .order_by(Enrolment.pledged_at, Enrolment.id)
    )
    return list(db.session.scalars(query))


def end_pledges(pledged: list[Enrolment], reason: str) -> None:
    """Cancel pledges that will never be charged (the scheme failed or was withdrawn)."""
    for enrolment in pledged:
        change(enrolment, ENROLMENT_STATES, EnrolmentStatus.CANCELLED, actor=None, values={"ended_reason": reason})


def tell_members(enrolments, kind: str, title: str, body: str = "") -> None:
    """Tell each enrolled enterprise's owners and finance people, once per enrolment and kind."""
    for enrolment in enrolments:
        notify_each(
            people_of(enrolment.organisation_id, MONEY),
            kind,
            title=title,
            body=body,
            link=url_for("insurance.show_scheme", scheme_id=enrolment.scheme_id, _external=True),
            key=hashlib.sha256(f"{kind}-{enrolment.id}".encode()).hexdigest()[:32],  # one notice per kind and place
        )


def share_proof(enrolment: Enrolment, actor) -> str:
    """Make (or remake, ending the old one) the unguessable link an owner shares as proof of cover."""
    require(actor, "enrolment_owner", enrolment)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise DomainError("You can share proof of cover once you are covered")
    enrolment.proof_token = secrets.token_urlsafe(32)
    audit.record("insurance_enrolment.proof_shared", obj=enrolment, organisation=enrolment.organisation, actor=actor)
    return enrolment.proof_token


def revoke_proof(enrolment: Enrolment, actor) -> None:
    """The shared link stops working."""
    require(actor, "enrolment_owner", enrolment)
    enrolment.proof_token = None
    audit.record("insurance_enrolment.proof_revoked", obj=enrolment, organisation=enrolment.organisation, actor=actor)


def by_proof_token(token: str) -> Enrolment | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Enrolment).where(Enrolment.proof_token == token))
