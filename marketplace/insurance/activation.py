"""When enrolment closes (the job) or the publisher activates early with the threshold met: the tier reached is
locked and every pledged member charged that price less the subsidy, once (the scheme's row is locked and each
charge keyed by our own enrolment). Below the threshold the scheme fails and nobody is charged. A member's charge that
fails is retried daily and, after 7 days, the pledge is cancelled. Callers commit, except the jobs' own commits.
"""

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import func, select

from ..core.clock import to_london, utcnow
from ..core.errors import DomainError
from ..core.money import format_pence
from ..core.notifications import notify_each
from ..core.states import change
from ..core.template_helpers import format_date
from ..extensions import db
from ..organisations.people import MANAGERS, MONEY, people_of
from ..payments import services as payments
from ..payments.models import Payment, PaymentPurpose, PaymentStatus
from ..payments.providers import get_provider
from . import enrolments, pricing
from .enrolments import cover_start, end_pledges, lock_scheme, pledged_of, quote_for, tell_members, tiers_of
from .models import Enrolment, Scheme
from .permissions import require
from .statuses import ENROLMENT_STATES, SCHEME_STATES, EnrolmentStatus, SchemeStatus

RETRY_FOR = timedelta(days=7)
RETRY_EVERY = timedelta(days=1)


def activate(scheme: Scheme, *, actor=None) -> int:
    """Activate an open scheme whose pledges meet its threshold, or fail it if enrolment has closed under it; the
    number of members charged (0 when another run did it first)."""
    scheme = lock_scheme(scheme)
    if scheme.status != SchemeStatus.OPEN:
        return 0
    pledged = pledged_of(scheme)
    if len(pledged) < scheme.threshold:
        if actor is not None:
            raise DomainError(f"The scheme needs {scheme.threshold} members to go ahead and has {len(pledged)}")
        fail(scheme)
        return 0
    tier = pricing.tier_for(tiers_of(scheme), len(pledged))
    values = {"locked_price_pence": tier.annual_price_pence, "locked_members": len(pledged), "activated_at": utcnow()}
    if not change(scheme, SCHEME_STATES, SchemeStatus.ACTIVE, actor=actor, values=values, members=len(pledged)):
        return 0
    left = scheme.subsidy_budget_pence
    starts = cover_start(scheme)
    for enrolment in pledged:
        quote = charge(enrolment, scheme, starts=starts, budget_left=left)
        if left is not None:
            left -= quote.subsidy_pence
    notify_each(
        people_of(scheme.organisation_id, MANAGERS),
        "insurance_scheme_active",
        title=f"{scheme.name} is going ahead with {len(pledged)} members at {format_pence(tier.annual_price_pence)} a year",
        link=url_for("insurance.manage_scheme", scheme_id=scheme.id, _external=True),
    )
    return len(pledged)


def join(scheme: Scheme, organisation, actor, *, answers: dict[int, str], invoice_mandate: bool = False) -> Enrolment:
    """Pledge the enterprise; once the scheme is active, charge it at once the locked price for the rest of the
    period (the scheme's row is still locked by the pledge, so the subsidy budget is read once)."""
    enrolment = enrolments.pledge(scheme, organisation, actor, answers=answers, invoice_mandate=invoice_mandate)
    if enrolment.scheme.status == SchemeStatus.ACTIVE:
        scheme = enrolment.scheme
        charge(enrolment, scheme, starts=cover_start(scheme), budget_left=enrolments.subsidy_left(scheme))
    return enrolment


def activate_early(scheme: Scheme, actor) -> int:
    """The publisher activates before enrolment closes, once the threshold is met."""
    require(actor, "scheme_manager", scheme)
    return activate(scheme, actor=actor)


def fail(scheme: Scheme) -> None:
    """Enrolment closed under the threshold: the scheme fails, every pledge is cancelled, nobody is charged."""
    pledged = pledged_of(scheme)
    if not change(scheme, SCHEME_STATES, SchemeStatus.FAILED, actor=None, pledged=len(pledged)):
        return
    end_pledges(pledged, "scheme_failed")
    tell_members(
        pledged,
        "insurance_scheme_failed",
        title=f"{scheme.name} will not go ahead: {len(pledged)} of the {scheme.threshold} members it needed joined",
        body="Nobody has been charged.",
    )


def charge(enrolment: Enrolment, scheme: Scheme, *, starts, budget_left: int | None) -> pricing.Quote:
    """Fix the member's price for the period (the locked tier, less the subsidy, pro rata from `starts`) and take
    it: an off-session charge on the saved method (settled by `premium_paid` or `premium_failed`), an invoice (the
    member is covered on its mandate), or nothing to pay (fully subsidised)."""
    quote = quote_for(scheme, annual_price_pence=scheme.locked_price_pence, starts=starts, budget_left=budget_left)
    enrolment.annual_price_pence, enrolment.subsidy_pence = quote.annual_price_pence, quote.subsidy_pence
    enrolment.premium_pence, enrolment.cover_starts, enrolment.cover_ends = (
        quote.premium_pence,
        starts,
        scheme.period_ends,
    )
    if quote.premium_pence == 0:
        _cover(enrolment)
        return quote
    _new_charge(enrolment, scheme, attempt=1)
    return quote


def _new_charge(enrolment: Enrolment, scheme: Scheme, *, attempt: int) -> Payment:
    payment = payments.create_payment(
        purpose=PaymentPurpose.SCHEME_PREMIUM,
        amount_pence=enrolment.premium_pence,
        description=f"{scheme.name}: insurance from {format_date(enrolment.cover_starts)} to "
        f"{format_date(scheme.period_ends)}",
        key=f"insurance-premium-{enrolment.id}-{scheme.id}-{attempt}",
        payer_organisation=enrolment.organisation,
        payee_organisation=scheme.organisation,
    )
    enrolment.payment_id = payment.id
    if get_provider().issues_invoice:
        _cover(enrolment)  # covered on the invoice mandate; the invoice is followed up as any other
    else:
        payments.collect_later(payment)
    return payment


def _cover(enrolment: Enrolment) -> bool:
    """The member is covered: active, with a certificate (its member number)."""
    if not change(enrolment, ENROLMENT_STATES, EnrolmentStatus.ACTIVE, actor=None, values={"activated_at": utcnow()}):
        return False
    tell_members(
        [enrolment],
        "insurance_enrolment_active",
        title=f"You are covered by {enrolment.scheme.name} from {format_date(enrolment.cover_starts)}",
        body=f"Your member number is {enrolment.member_number}. Your certificate is on the scheme's page.",
    )
    return True


def _enrolment_paid_by(payment: Payment) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(Enrolment.payment_id == payment.id).with_for_update())


def lock_enrolment(payment: Payment) -> Enrolment | None:
    """The payments core's lock_first: the enrolment a premium is for, locked before the payment."""
    return _enrolment_paid_by(payment)


def premium_paid(payment: Payment, enrolment: Enrolment | None) -> None:
    """The off-session charge succeeded: the member is covered."""
    if enrolment is not None and enrolment.status == EnrolmentStatus.PLEDGED:
        enrolment.charge_failed_at = None
        _cover(enrolment)


def premium_failed(payment: Payment, enrolment: Enrolment | None) -> None:
    """The charge was declined: the pledge stands, retried daily for 7 days; the enterprise is told."""
    if enrolment is None or enrolment.status != EnrolmentStatus.PLEDGED:
        return
    enrolment.charge_failed_at = enrolment.charge_failed_at or utcnow()
    last_day = to_london(enrolment.charge_failed_at + RETRY_FOR).date()
    notify_each(
        people_of(enrolment.organisation_id, MONEY),
        "insurance_charge_failed",
        title=f"Your card was declined for your {enrolment.scheme.name} premium of {format_pence(payment.amount_pence)}",
        body=f"Save another card on the scheme's page by {format_date(last_day)} or your place is cancelled. "
        "We will try again each day.",
        link=url_for("insurance.show_scheme", scheme_id=enrolment.scheme_id, _external=True),
        key=f"insurance-charge-failed-{payment.id}",
    )


def close_enrolment(now: datetime) -> int:
    """Job: activate or fail each open scheme whose enrolment has closed (the UK day after its last day)."""
    day = to_london(now).date()
    due = select(Scheme).where(Scheme.status == SchemeStatus.OPEN, Scheme.enrolment_closes < day).order_by(Scheme.id)
    done = 0
    for scheme in db.session.scalars(due).all():
        activate(scheme)
        db.session.commit()
        done += 1
    return done


def retry_failed_charges(now: datetime) -> int:
    """Job: charge again, once a day, pledges whose premium was declined; cancel those still unpaid after 7 days."""
    failed = (
        select(Enrolment)
        .join(Payment, Payment.id == Enrolment.payment_id)
        .where(Enrolment.status == EnrolmentStatus.PLEDGED, Payment.status == PaymentStatus.FAILED)
        .order_by(Enrolment.id)
    )
    changed = 0
    for enrolment in db.session.scalars(failed).all():
        changed += _retry(enrolment, now)
        db.session.commit()
    return changed


def _retry(enrolment: Enrolment, now: datetime) -> int:
    enrolment = db.session.scalar(
        select(Enrolment)
        .where(Enrolment.id == enrolment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    payment = enrolment.payment
    if enrolment.status != EnrolmentStatus.PLEDGED or payment is None or payment.status != PaymentStatus.FAILED:
        return 0
    if now >= enrolment.charge_failed_at + RETRY_FOR:
        change(enrolment, ENROLMENT_STATES, EnrolmentStatus.CANCELLED, actor=None, values={"ended_reason": "unpaid"})
        tell_members(
            [enrolment],
            "insurance_enrolment_cancelled",
            title=f"Your place in {enrolment.scheme.name} was cancelled: the premium could not be taken for 7 days",
        )
        return 1
    if now < payment.created_at + RETRY_EVERY:
        return 0
    attempts = db.session.scalar(
        select(func.count()).where(Payment.idempotency_key.like(f"insurance-premium-{enrolment.id}-%"))
    )
    _new_charge(enrolment, enrolment.scheme, attempt=attempts + 1)
    return 1


def expire_schemes(now: datetime) -> int:
    """Job: schemes whose period has ended expire, and their members' cover with them."""
    day = to_london(now).date()
    ended = select(Scheme).where(Scheme.status == SchemeStatus.ACTIVE, Scheme.period_ends < day)
    done = 0
    for scheme in db.session.scalars(ended).all():
        if change(scheme, SCHEME_STATES, SchemeStatus.EXPIRED, actor=None):
            held = select(Enrolment).where(
                Enrolment.scheme_id == scheme.id,
                Enrolment.status.in_((EnrolmentStatus.ACTIVE, EnrolmentStatus.LAPSED, EnrolmentStatus.PLEDGED)),
            )
            for enrolment in db.session.scalars(held).all():
                target = (
                    EnrolmentStatus.CANCELLED
                    if enrolment.status == EnrolmentStatus.PLEDGED
                    else EnrolmentStatus.EXPIRED
                )
                change(enrolment, ENROLMENT_STATES, target, actor=None, values={"ended_reason": "period_ended"})
            done += 1
        db.session.commit()
    return done
