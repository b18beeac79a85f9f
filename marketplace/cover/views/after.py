"""After a shift: timesheets (send, approve, dispute, settle), no-shows, ratings and blocks, and a worker's earnings."""

from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ...core.actions import attempt, submit
from ...core.clock import to_london
from ...core.permissions import policy
from ...extensions import db
from ...payments import connect
from .. import ratings, timesheets
from ..forms import DisputeForm, RatingForm, TimesheetForm
from ..models import CoverShift, Timesheet
from ..permissions import visible_shift, visible_timesheet
from ..statuses import TimesheetStatus
from .blueprint import bp


def _to_shift(shift_id: int):
    return redirect(url_for("cover.show_shift", shift_id=shift_id))


def _times_form(timesheet: Timesheet | None, shift: CoverShift) -> TimesheetForm:
    """The timesheet form, filled in with what was sent before, or with the shift's own times."""
    start, end = (timesheet.started_at, timesheet.ended_at) if timesheet else (shift.starts_at, shift.ends_at)
    start, end = to_london(start), to_london(end)
    stored = {"day": start.date(), "start": start.time(), "end": end.time()}
    stored["break_minutes"] = timesheet.break_minutes if timesheet else 0
    return TimesheetForm(data=stored)


@bp.route("/shifts/<int:shift_id>/timesheet", methods=["GET", "POST"])
@policy("shift_worker", load=visible_shift)
def send_timesheet(shift: CoverShift):
    """Send (or amend) the timesheet for a shift you worked."""
    form = _times_form(shift.timesheet, shift)
    send = lambda: timesheets.submit_timesheet(shift, current_user, **form.times())  # noqa: E731
    if submit(form, send, success="Your timesheet has been sent. The enterprise has 72 hours to check it.").ok:
        return _to_shift(shift.id)
    lead = "UK time, on the 24-hour clock. An end time before the start time means you finished the next morning."
    return render_template("components/form_page.html", form=form, title="Your timesheet", lead=lead)


@bp.route("/timesheets/<int:timesheet_id>/approve", methods=["POST"])
@policy("timesheet_enterprise", load=visible_timesheet)
def approve_timesheet(timesheet: Timesheet):
    """Approve a timesheet: the hours are paid and drawn from your funded hours first."""
    attempt(lambda: timesheets.approve_timesheet(timesheet, current_user), success="The timesheet is approved.")
    return redirect(url_for("cover.show_request", request_id=timesheet.shift.request_id))


@bp.route("/timesheets/<int:timesheet_id>/dispute", methods=["GET", "POST"])
@policy("timesheet_enterprise", load=visible_timesheet)
def dispute_timesheet(timesheet: Timesheet):
    """Say what is wrong with a timesheet; the worker can amend it and the pool manager settles it."""
    form = DisputeForm()
    dispute = lambda: timesheets.dispute_timesheet(timesheet, current_user, reason=form.reason.data)  # noqa: E731
    if submit(form, dispute, success="The timesheet is disputed. The worker and the pool manager have been told.").ok:
        return redirect(url_for("cover.show_request", request_id=timesheet.shift.request_id))
    return render_template("components/form_page.html", form=form, title="Dispute a timesheet")


@bp.route("/manage/timesheets/<int:timesheet_id>/settle", methods=["GET", "POST"])
@policy("timesheet_manager", load=visible_timesheet)
def settle_timesheet(timesheet: Timesheet):
    """Settle a disputed timesheet with the times you decide (they are approved)."""
    form = _times_form(timesheet, timesheet.shift)
    form.submit.label.text = "Settle and approve"
    settle = lambda: timesheets.settle_dispute(timesheet, current_user, **form.times())  # noqa: E731
    if submit(form, settle, success="The dispute is settled and the timesheet approved.").ok:
        return redirect(url_for("cover.manage_pool", pool_id=timesheet.shift.pool_id))
    lead = f"The enterprise said: {timesheet.dispute_reason}"
    return render_template("components/form_page.html", form=form, title="Settle a disputed timesheet", lead=lead)


@bp.route("/shifts/<int:shift_id>/no-show", methods=["POST"])
@policy("shift_enterprise", load=visible_shift)
def record_no_show(shift: CoverShift):
    """Record that the worker did not come (a strike for them)."""
    attempt(lambda: timesheets.record_no_show(shift, current_user), success="The no-show has been recorded.")
    return redirect(url_for("cover.show_request", request_id=shift.request_id))


@bp.route("/shifts/<int:shift_id>/rate", methods=["GET", "POST"])
@policy("shift_rater", load=visible_shift)
def rate_shift(shift: CoverShift):
    """Rate the other side after a completed shift."""
    form = RatingForm()
    rate = lambda: ratings.rate_shift(shift, current_user, score=int(form.score.data), comment=form.comment.data)  # noqa: E731
    if submit(form, rate, success="Thank you: your rating has been saved.").ok:
        return _to_shift(shift.id)
    return render_template("components/form_page.html", form=form, title="Rate this shift")


@bp.route("/shifts/<int:shift_id>/block", methods=["POST"])
@policy("shift_enterprise", load=visible_shift)
def block_worker(shift: CoverShift):
    """Never be offered this worker again (after rating them 1 or 2)."""
    attempt(
        lambda: ratings.block_worker(shift, current_user), success="You will not be offered this worker's help again."
    )
    return _to_shift(shift.id)


@bp.route("/earnings")
@policy("relief_worker")
def earnings():
    """Your approved timesheets and what you are paid for them."""
    query = (
        select(Timesheet).where(Timesheet.worker_id == current_user.id).order_by(Timesheet.started_at.desc()).limit(100)
    )
    sheets = list(db.session.scalars(query))
    total = sum(sheet.pay_pence or 0 for sheet in sheets if sheet.status == TimesheetStatus.APPROVED)
    return render_template(
        "cover/earnings.html",
        timesheets=sheets,
        total=total,
        account=connect.payout_account_status(current_user),
        title="Your earnings",
    )
