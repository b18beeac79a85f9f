"""Enterprise pages: ask a pool for cover, follow a request's shifts and who was alerted, cancel a shift."""

from flask import flash, redirect, render_template, url_for
from flask import request as http_request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ...core.actions import attempt, submit
from ...core.clock import today, utcnow
from ...core.permissions import policy
from ...extensions import db
from ...organisations.permissions import is_finance, organisation_for
from ...payments import saved_methods
from ...training.courses import topic_choices
from .. import pools, ratings, requests
from ..forms import CoverRequestForm
from ..models import CoverRequest, CoverShift, PoolMember, ReliefPool, ShiftAlert
from ..permissions import (
    is_request_member,
    record_private_view,
    visible_request,
    visible_shift,
)
from ..statuses import MemberStatus, PoolStatus
from .blueprint import bp


def _approved_members(organisation) -> list[PoolMember]:
    """The enterprise's approved places in open pools."""
    query = (
        select(PoolMember)
        .join(ReliefPool, ReliefPool.id == PoolMember.pool_id)
        .where(
            PoolMember.organisation_id == organisation.id,
            PoolMember.status == MemberStatus.APPROVED,
            ReliefPool.status == PoolStatus.OPEN,
        )
        .options(selectinload(PoolMember.pool).selectinload(ReliefPool.areas))
    )
    return list(db.session.scalars(query))


@bp.route("/organisations/<int:org_id>/requests")
@policy("enterprise_member", load=organisation_for)
def cover_requests(organisation):
    """The enterprise's cover requests, newest first, and its pools with funded hours left."""
    query = (
        select(CoverRequest)
        .where(CoverRequest.organisation_id == organisation.id)
        .options(joinedload(CoverRequest.area), selectinload(CoverRequest.shifts))
    )
    members = _approved_members(organisation)
    year = today().year
    return render_template(
        "cover/requests.html",
        organisation=organisation,
        requests=list(db.session.scalars(query.order_by(CoverRequest.created_at.desc()).limit(50))),
        allowances=[(member, pools.allowance(member, year)) for member in members],
        can_ask=bool(members),
        needs_card=bool(members)
        and saved_methods.needs_saved_method()
        and not saved_methods.has_saved_method(organisation),
        handles_money=is_finance(current_user, organisation),
        title="Cover requests",
    )


@bp.route("/organisations/<int:org_id>/requests/new", methods=["GET", "POST"])
@policy("enterprise_member", load=organisation_for)
def new_request(organisation):
    """Ask a pool for cover: one to three shifts."""
    members = _approved_members(organisation)
    if not members:
        flash(f"{organisation.name} must be approved in an open relief pool before it can ask for cover", "error")
        return redirect(url_for("cover.pools_list"))
    member = next((m for m in members if str(m.pool_id) == http_request.args.get("pool")), members[0])
    form = CoverRequestForm(data={"area_id": organisation.area_id})
    form.area_id.choices = {area.id: area.name for area in member.pool.areas}
    form.topic_ids.choices = topic_choices()
    posted = submit(
        form,
        lambda: requests.post_request(member, current_user, **form.details()),
        success="Your request has been posted. We have told the best-matched workers.",
    )
    if posted.ok:
        return redirect(url_for("cover.show_request", request_id=posted.result.id))
    lead = f"From {member.pool.name}. Shift times are UK time; an end time before the start is the next morning."
    return render_template("components/form_page.html", form=form, title="Ask for cover", lead=lead)


@bp.route("/requests/<int:request_id>")
@policy("cover_request_viewer", load=visible_request)
def show_request(request: CoverRequest):
    """A request's shifts, who took each, and who was alerted and when."""
    private = is_request_member(current_user, request) and bool(request.private_notes or request.absence_category)
    alerts = (
        select(ShiftAlert)
        .join(CoverShift, CoverShift.id == ShiftAlert.shift_id)
        .where(CoverShift.request_id == request.id)
    )
    alerted: dict[int, list[ShiftAlert]] = {}
    for alert in db.session.scalars(
        alerts.options(selectinload(ShiftAlert.user)).order_by(ShiftAlert.alerted_at, ShiftAlert.rank)
    ):
        alerted.setdefault(alert.shift_id, []).append(alert)
    page = render_template(
        "cover/request.html",
        request=request,
        shifts=request.shifts,
        alerted=alerted,
        private_notes=request.private_notes if private else None,
        absence=request.absence_label if private else None,
        is_member=is_request_member(current_user, request),
        blockable={
            shift.id
            for shift in request.shifts
            if shift.status == "completed" and ratings.can_block(shift, current_user)
        },
        now=utcnow(),
        title=f"Cover request {request.id}",
    )
    if private:
        record_private_view(request)
    return page


@bp.route("/shifts/<int:shift_id>/cancel", methods=["POST"])
@policy("shift_enterprise", load=visible_shift)
def cancel_shift(shift: CoverShift):
    """The enterprise no longer needs the shift (cancelling an accepted one under 24 hours' notice is a strike)."""
    outcome = attempt(lambda: requests.cancel_by_enterprise(shift, current_user, reopen=False))
    if outcome.ok:
        late = " As it was under 24 hours' notice, it counts as a strike." if outcome.result else ""
        flash(f"The shift has been cancelled.{late}", "success")
    return redirect(url_for("cover.show_request", request_id=shift.request_id))


@bp.route("/shifts/<int:shift_id>/find-someone-else", methods=["POST"])
@policy("shift_enterprise", load=visible_shift)
def replace_worker(shift: CoverShift):
    """Let the accepted worker go and look for someone else (under 24 hours' notice is a strike for you)."""
    outcome = attempt(lambda: requests.cancel_by_enterprise(shift, current_user, reopen=True))
    if outcome.ok:
        late = " As it was under 24 hours' notice, it counts as a strike." if outcome.result else ""
        flash(f"The worker has been told. We are finding someone else.{late}", "success")
    return redirect(url_for("cover.show_request", request_id=shift.request_id))
