"""After a shift: the worker's timesheet, the enterprise's approval or dispute, the pool manager's settlement, the
72-hour auto-approval, no-shows, and what approval writes (funded hours used, the charge, the worker's pay).
Callers commit."""

from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import select

from ..core import audit
from ..core.clock import to_london, utcnow
from ..core.errors import DomainError
from ..core.money import format_pence
from ..core.notifications import notify_each
from ..core.states import change
from ..core.template_helpers import format_datetime
from ..extensions import db
from ..payments import payouts
from ..payments import services as payments
from ..payments.models import PaymentPurpose
from .models import AllowanceEntry, CoverShift, Timesheet
from .pay import Rates, shift_pay, split_minutes
from .permissions import require
from .pools import allowance, grant_year, pool_people
from .requests import member_of, settle_request, tell_enterprise
from .statuses import SHIFT_STATES, TIMESHEET_STATES, ShiftStatus, TimesheetStatus
from .strikes import record_strike

AUTO_APPROVE_AFTER = timedelta(hours=72)
MAX_HOURS = 16
PAYOUT_PURPOSE = "cover_pay"


def _check_times(shift: CoverShift, started_at: datetime, ended_at: datetime, break_minutes: int) -> None:
    """Plausible times: in order, near the shift, not too long, a break shorter than the time worked."""
    if ended_at <= started_at:
        raise DomainError("The end time must be after the start time")
    if ended_at - started_at > timedelta(hours=MAX_HOURS):
        raise DomainError(f"A timesheet can be up to {MAX_HOURS} hours long")
    if abs(started_at - shift.starts_at) > timedelta(hours=12):
        raise DomainError("The start time must be within 12 hours of the shift's start")
    if break_minutes < 0 or break_minutes >= (ended_at - started_at).total_seconds() // 60:
        raise DomainError("The break must be shorter than the time worked")
    if ended_at > utcnow() + timedelta(minutes=5):
        raise DomainError("You can submit a timesheet once you have finished the shift")


def submit_timesheet(shift: CoverShift, worker, *, started_at: datetime, ended_at: datetime, break_minutes: int):
    """The worker says what they worked (again, amending a disputed timesheet); the enterprise is told."""
    require(worker, "shift_worker", shift)
    if shift.status != ShiftStatus.ACCEPTED:
        raise DomainError("This shift is not waiting for a timesheet")
    _check_times(shift, started_at, ended_at, break_minutes)
    times = {"started_at": started_at, "ended_at": ended_at, "break_minutes": break_minutes, "submitted_at": utcnow()}
    timesheet = shift.timesheet
    if timesheet is None:
        timesheet = Timesheet(shift=shift, worker_id=worker.id, status=TimesheetStatus.SUBMITTED, **times)
        db.session.add(timesheet)
        db.session.flush()
        audit.record("timesheet.submitted", obj=timesheet, organisation=shift.request.organisation, actor=worker)
    elif not change(
        timesheet,
        TIMESHEET_STATES,
        TimesheetStatus.SUBMITTED,
        actor=worker,
        values=times,
        organisation=shift.request.organisation,
    ):
        raise DomainError("This timesheet has already been sent and is waiting for the enterprise")
    title = (
        f"{worker.name} sent a timesheet for the cover shift on {format_datetime(shift.starts_at)}: please approve it"
    )
    tell_enterprise(shift.request, "cover_timesheet_submitted", title)
    return timesheet


def dispute_timesheet(timesheet: Timesheet, actor, *, reason: str) -> None:
    """The enterprise disagrees with a timesheet and says why; the worker and the pool manager are told."""
    shift = timesheet.shift
    require(actor, "cover_request_member", shift.request)
    if not change(
        timesheet,
        TIMESHEET_STATES,
        TimesheetStatus.DISPUTED,
        actor=actor,
        organisation=shift.request.organisation,
        values={"dispute_reason": reason},
    ):
        raise DomainError("Only a timesheet waiting for approval can be disputed")
    link = url_for("cover.show_shift", shift_id=shift.id, _external=True)
    title = f"{shift.request.organisation.name} disputed your timesheet for {format_datetime(shift.starts_at)}"
    notify_each([timesheet.worker_id], "cover_timesheet_disputed", title=title, body=reason, link=link)
    manager_link = url_for("cover.manage_pool", pool_id=shift.pool_id, _external=True)
    notify_each(
        pool_people(shift.request.pool),
        "cover_timesheet_disputed",
        title=f"A timesheet is disputed in {shift.request.pool.name}",
        link=manager_link,
    )


def approve_timesheet(timesheet: Timesheet, actor) -> None:
    """The enterprise approves a submitted timesheet."""
    require(actor, "cover_request_member", timesheet.shift.request)
    if timesheet.status != TimesheetStatus.SUBMITTED or not _approve(timesheet, actor):
        raise DomainError("This timesheet is not waiting for approval")


def settle_dispute(
    timesheet: Timesheet, actor, *, started_at: datetime, ended_at: datetime, break_minutes: int
) -> None:
    """The pool manager settles a disputed timesheet with the times they decide, which are approved."""
    shift = timesheet.shift
    require(actor, "pool_manager", shift.request.pool)
    if timesheet.status != TimesheetStatus.DISPUTED:
        raise DomainError("Only a disputed timesheet can be settled")
    if ended_at <= started_at or break_minutes < 0 or break_minutes >= (ended_at - started_at).total_seconds() // 60:
        raise DomainError("Enter an end after the start and a break shorter than the time worked")
    timesheet.started_at, timesheet.ended_at, timesheet.break_minutes = started_at, ended_at, break_minutes
    if not _approve(timesheet, actor):
        raise DomainError("This timesheet is no longer disputed")


def auto_approve(now: datetime) -> int:
    """Job: approve timesheets left undisputed for 72 hours (the conditional update makes each approval once)."""
    due = select(Timesheet.id).where(
        Timesheet.status == TimesheetStatus.SUBMITTED, Timesheet.submitted_at <= now - AUTO_APPROVE_AFTER
    )
    approved = 0
    for timesheet_id in list(db.session.scalars(due)):
        timesheet = db.session.get(Timesheet, timesheet_id)
        if _approve(timesheet, None, auto=True):
            approved += 1
        db.session.commit()
    return approved


def _approve(timesheet: Timesheet, actor, *, auto: bool = False) -> bool:
    """Approve once; then the money: funded hours first, the rest charged, the worker paid for every hour."""
    values = {"approved_at": utcnow(), "approved_by_id": actor.id if actor else None, "auto_approved": auto}
    shift = timesheet.shift
    if not change(
        timesheet,
        TIMESHEET_STATES,
        TimesheetStatus.APPROVED,
        actor=actor,
        values=values,
        organisation=shift.request.organisation,
        auto=auto,
    ):
        return False
    _write_money(timesheet, shift)
    change(shift, SHIFT_STATES, ShiftStatus.COMPLETED, actor=actor, organisation=shift.request.organisation)
    settle_request(shift.request, actor)
    title = f"Your timesheet for {format_datetime(shift.starts_at)} was approved: {format_pence(timesheet.pay_pence)}"
    notify_each(
        [timesheet.worker_id], "cover_timesheet_approved", title=title, link=url_for("cover.earnings", _external=True)
    )
    return True


def _write_money(timesheet: Timesheet, shift: CoverShift) -> None:
    """Minutes, pay with uplifts, funded minutes from the year's allowance, the charge and the payout: once each."""
    pool = shift.request.pool
    minutes = split_minutes(timesheet.started_at, timesheet.ended_at, timesheet.break_minutes, pool.region)
    rates = Rates(pool.hourly_rate_pence, pool.night_uplift_percent, pool.weekend_uplift_percent)
    member = member_of(shift, lock=True)  # two approvals at once draw on the hours one after the other
    year = to_london(shift.starts_at).year
    grant_year(member, year)
    funded = min(allowance(member, year).remaining, minutes.worked)
    if funded:
        db.session.add(
            AllowanceEntry(
                member_id=member.id, year=year, minutes=-funded, reason="used", source_key=f"shift:{shift.id}"
            )
        )
    charged = ((minutes.worked - funded) * pool.hourly_charge_pence + 30) // 60
    timesheet.worked_minutes, timesheet.funded_minutes = minutes.worked, funded
    timesheet.pay_pence, timesheet.charged_pence = shift_pay(minutes, rates), charged
    when = format_datetime(shift.starts_at)
    if charged:
        payment = payments.create_payment(
            purpose=PaymentPurpose.COVER_CHARGE,
            amount_pence=charged,
            description=f"Relief cover on {when} beyond your funded hours ({pool.name})",
            key=f"cover-charge-{timesheet.id}",
            payer_organisation=shift.request.organisation,
            payee_organisation=pool.organisation,
        )
        timesheet.payment_id = payment.id
        payments.collect_later(payment)
    payout = payouts.create_payout(
        purpose=PAYOUT_PURPOSE,
        amount_pence=timesheet.pay_pence,
        payee_user=timesheet.worker,
        payer_organisation=pool.organisation,
        description=f"Relief cover for {shift.request.organisation.name} on {when}",
        key=f"cover-pay-{timesheet.id}",
    )
    timesheet.payout_id = payout.id
    db.session.flush()


def record_no_show(shift: CoverShift, actor) -> None:
    """The enterprise says the worker did not come: a strike for the worker."""
    require(actor, "cover_request_member", shift.request)
    if shift.starts_at > utcnow():
        raise DomainError("You can record a no-show once the shift has started")
    worker_id = shift.worker_id
    if not change(shift, SHIFT_STATES, ShiftStatus.NO_SHOW, actor=actor, organisation=shift.request.organisation):
        raise DomainError("Only an accepted shift can be recorded as a no-show")
    settle_request(shift.request, actor)
    record_strike(shift, "no_show", user_id=worker_id)
    link = url_for("cover.open_shifts", _external=True)
    title = f"{shift.request.organisation.name} recorded that you did not come to the shift on {format_datetime(shift.starts_at)}"
    notify_each([worker_id], "cover_no_show", title=title, link=link)
