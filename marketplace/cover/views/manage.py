"""Pool manager pages: a body's pools, a pool's settings, its enterprises and workers to decide, shifts at risk."""

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...accounts.models import User
from ...core.actions import attempt, submit
from ...core.clock import today, utcnow
from ...core.money import format_pounds_field
from ...core.permissions import allows, policy
from ...extensions import db
from ...organisations.areas import area_choices
from ...organisations.permissions import organisation_for
from ...training import certificates
from ...training.courses import topic_choices
from .. import pools
from ..forms import DecisionForm, PoolForm, WorkerDecisionForm
from ..models import CoverRequest, CoverShift, PoolMember, PoolWorker, ReliefPool, Strike, Timesheet
from ..permissions import managed_member, managed_pool, managed_worker
from ..statuses import PoolStatus, ShiftStatus, TimesheetStatus, WorkerStatus
from ..warnings import ComplianceWarning
from .blueprint import bp
from .worker import records_of

AT_RISK = timedelta(hours=24)


@bp.route("/manage/organisations/<int:org_id>/pools")
@policy("publisher_member", load=organisation_for)
def manage_pools(organisation):
    """A council or NHS body's relief pools."""
    query = select(ReliefPool).where(ReliefPool.organisation_id == organisation.id).order_by(ReliefPool.name)
    return render_template(
        "cover/manage/pools.html",
        organisation=organisation,
        pools=list(db.session.scalars(query.limit(100))),
        can_create=allows(current_user, "publisher", organisation),
        title="Relief pools",
    )


def _pool_form(**kwargs) -> PoolForm:
    form = PoolForm(**kwargs)
    form.area_ids.choices = area_choices()
    form.topic_ids.choices = topic_choices()
    return form


@bp.route("/manage/organisations/<int:org_id>/pools/new", methods=["GET", "POST"])
@policy("publisher", load=organisation_for)
def new_pool(organisation):
    """Set up a draft relief pool."""
    form = _pool_form(
        data={
            "right_to_work_required": "yes",
            "night_uplift_percent": 0,
            "weekend_uplift_percent": 0,
            "min_notice_hours": 0,
            "funded_hours_per_year": 0,
        }
    )
    saved = submit(
        form,
        lambda: pools.create_pool(organisation, current_user, **form.details()),
        success="The pool has been saved as a draft. Open it when you are ready.",
    )
    if saved.ok:
        return redirect(url_for("cover.manage_pool", pool_id=saved.result.id))
    return render_template("components/form_page.html", form=form, title="Set up a relief pool", lead=organisation.name)


@bp.route("/manage/pools/<int:pool_id>/edit", methods=["GET", "POST"])
@policy("pool_manager", load=managed_pool)
def edit_pool(pool: ReliefPool):
    """Change a pool's settings."""
    stored = {
        "area_ids": [a.id for a in pool.areas],
        "topic_ids": [t.id for t in pool.required_topics],
        "right_to_work_required": "yes" if pool.right_to_work_required else "no",
        "hourly_rate": format_pounds_field(pool.hourly_rate_pence),
        "hourly_charge": format_pounds_field(pool.hourly_charge_pence),
    }
    form = _pool_form(obj=pool, data=stored)
    if submit(
        form,
        lambda: pools.update_pool(pool, current_user, **form.details()),
        success="The pool's settings have been saved.",
    ).ok:
        return redirect(url_for("cover.manage_pool", pool_id=pool.id))
    return render_template("components/form_page.html", form=form, title=f"Change {pool.name}")


@bp.route("/manage/pools/<int:pool_id>")
@policy("pool_manager", load=managed_pool)
def manage_pool(pool: ReliefPool):
    """A pool as its manager sees it: settings, enterprises and workers to decide, shifts at risk, strikes."""
    now = utcnow()
    members = select(PoolMember).where(PoolMember.pool_id == pool.id).options(joinedload(PoolMember.organisation))
    workers = select(PoolWorker).where(PoolWorker.pool_id == pool.id).options(joinedload(PoolWorker.user))
    at_risk = (
        select(CoverShift)
        .where(
            CoverShift.pool_id == pool.id,
            CoverShift.status == ShiftStatus.OPEN,
            CoverShift.starts_at > now,
            CoverShift.starts_at <= now + AT_RISK,
        )
        .options(joinedload(CoverShift.request).joinedload(CoverRequest.organisation))
    )
    strikes = (
        select(Strike)
        .where(Strike.pool_id == pool.id, Strike.reviewed_at.is_(None))
        .options(joinedload(Strike.user), joinedload(Strike.member).joinedload(PoolMember.organisation))
    )
    disputes = (
        select(Timesheet)
        .join(CoverShift, CoverShift.id == Timesheet.shift_id)
        .where(CoverShift.pool_id == pool.id, Timesheet.status == TimesheetStatus.DISPUTED)
        .options(
            joinedload(Timesheet.worker),
            joinedload(Timesheet.shift).joinedload(CoverShift.request).joinedload(CoverRequest.organisation),
        )
    )
    expiring = (
        select(ComplianceWarning.expires_on, ComplianceWarning.thing, User.name, PoolWorker.id)
        .join(PoolWorker, PoolWorker.id == ComplianceWarning.pool_worker_id)
        .join(User, User.id == PoolWorker.user_id)
        .where(PoolWorker.pool_id == pool.id, ComplianceWarning.expires_on >= today())
        .order_by(ComplianceWarning.expires_on)
        .limit(50)
    )
    return render_template(
        "cover/manage/pool.html",
        expiring=db.session.execute(expiring).all(),
        pool=pool,
        members=list(db.session.scalars(members.order_by(PoolMember.created_at).limit(200))),
        workers=list(db.session.scalars(workers.order_by(PoolWorker.created_at).limit(200))),
        at_risk=list(db.session.scalars(at_risk.order_by(CoverShift.starts_at).limit(50))),
        strikes=list(db.session.scalars(strikes.order_by(Strike.created_at.desc()).limit(50))),
        disputes=list(db.session.scalars(disputes.order_by(Timesheet.submitted_at).limit(50))),
        decision=DecisionForm(),
        title=pool.name,
    )


@bp.route("/manage/pools/<int:pool_id>/open", methods=["POST"])
@policy("pool_manager", load=managed_pool)
def open_pool(pool: ReliefPool):
    """Open the pool to enterprises and workers."""
    attempt(lambda: pools.change_pool_status(pool, PoolStatus.OPEN, current_user), success=f"{pool.name} is open.")
    return redirect(url_for("cover.manage_pool", pool_id=pool.id))


@bp.route("/manage/pools/<int:pool_id>/close", methods=["POST"])
@policy("pool_manager", load=managed_pool)
def close_pool(pool: ReliefPool):
    """Close the pool to new members and requests."""
    attempt(lambda: pools.change_pool_status(pool, PoolStatus.CLOSED, current_user), success=f"{pool.name} is closed.")
    return redirect(url_for("cover.manage_pool", pool_id=pool.id))


@bp.route("/manage/pool-members/<int:member_id>/decide", methods=["POST"])
@policy("pool_member_manager", load=managed_member)
def decide_member(member: PoolMember):
    """Approve or decline an enterprise's request to join."""
    form = DecisionForm()
    decide = lambda: pools.decide_member(member, form.decision.data == "approve", current_user)  # noqa: E731
    if not submit(form, decide, success="Your decision has been saved and the enterprise told.").ok and form.errors:
        flash("Select approve or decline", "error")
    return redirect(url_for("cover.manage_pool", pool_id=member.pool_id))


@bp.route("/manage/pool-workers/<int:worker_id>", methods=["GET", "POST"])
@policy("pool_worker_manager", load=managed_worker)
def review_worker(worker: PoolWorker):
    """A worker's application: profile, checks, referees and training records; approve or decline."""
    form = WorkerDecisionForm()
    decide = lambda: pools.decide_worker(  # noqa: E731
        worker,
        form.decision.data == "approve",
        current_user,
        dbs_verified=form.dbs_verified.data,
        right_to_work=form.right_to_work.data,
    )
    if submit(form, decide, success=f"Your decision on {worker.user.name} has been saved and they have been told.").ok:
        return redirect(url_for("cover.manage_pool", pool_id=worker.pool_id))
    return render_template(
        "cover/manage/worker.html",
        worker=worker,
        profile=worker.user.relief_profile,
        records=records_of(worker.user_id),
        validity=certificates.validity,
        form=form,
        decidable=worker.status == WorkerStatus.APPLIED,
        title=worker.user.name,
    )


@bp.route("/manage/pool-workers/<int:worker_id>/reinstate", methods=["POST"])
@policy("pool_worker_manager", load=managed_worker)
def reinstate_worker(worker: PoolWorker):
    """Let a suspended worker take shifts again, having reviewed their strikes."""
    attempt(lambda: pools.reinstate_worker(worker, current_user), success=f"{worker.user.name} can take shifts again.")
    return redirect(url_for("cover.review_worker", worker_id=worker.id))


@bp.route("/manage/pool-members/<int:member_id>/reinstate", methods=["POST"])
@policy("pool_member_manager", load=managed_member)
def reinstate_member(member: PoolMember):
    """Let a suspended enterprise ask for cover again, having reviewed its strikes."""
    success = f"{member.organisation.name} can ask for cover again."
    attempt(lambda: pools.reinstate_member(member, current_user), success=success)
    return redirect(url_for("cover.manage_pool", pool_id=member.pool_id))
