"""Relief worker pages: profile, checks, availability, open pools, shifts to take and shifts taken."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...core.actions import attempt, submit
from ...core.clock import utcnow
from ...core.permissions import policy, public, signed_in
from ...extensions import db
from ...organisations import permissions as org
from ...organisations.areas import area_choices
from ...training.models import TrainingRecord
from .. import matching, pools, requests, services
from ..calendar import shift_event
from ..forms import AvailabilityForm, ChecksForm, JoinPoolForm, ReliefProfileForm
from ..models import CoverShift, ReliefPool
from ..permissions import can_see_private_notes, record_private_view, visible_pool, visible_shift, works_shift
from ..statuses import HOLDS_WORKER, PoolStatus, ShiftStatus
from .blueprint import bp


@bp.route("/profile", methods=["GET", "POST"])
@signed_in
def relief_profile():
    """Create or edit your relief worker profile."""
    profile = current_user.relief_profile
    stored = (
        {"area_ids": [a.id for a in profile.areas_covered], "skills": [s.skill for s in profile.skills]}
        if profile
        else {}
    )
    form = ReliefProfileForm(obj=profile, data=stored)
    form.area_id.choices = form.area_ids.choices = area_choices()
    save = lambda: services.save_relief_profile(  # noqa: E731
        current_user,
        area_id=form.area_id.data,
        phone=form.phone.data,
        about=form.about.data,
        area_ids=form.area_ids.data,
        skills=form.skills.data,
    )
    if submit(form, save, success="Your relief worker profile has been saved.").ok:
        return redirect(url_for("cover.relief_profile"))
    title = "Your relief worker profile" if profile else "Create your relief worker profile"
    return render_template("cover/relief_profile.html", form=form, title=title, profile=profile)


@bp.route("/profile/checks", methods=["GET", "POST"])
@policy("relief_worker")
def relief_checks():
    """Your DBS check and referees."""
    profile = current_user.relief_profile
    stored = {"dbs_update_service": "yes" if profile.dbs_update_service else ("no" if profile.dbs_level else None)}
    form = ChecksForm(obj=profile, data=stored)
    save = lambda: services.save_checks(  # noqa: E731
        current_user,
        dbs_level=form.dbs_level.data,
        dbs_issued_on=form.dbs_issued_on.data,
        dbs_update_service=form.dbs_update_service.data == "yes",
        referee_1=form.referee_1.data,
        referee_2=form.referee_2.data,
    )
    if submit(form, save, success="Your checks have been saved. A pool manager verifies them when you apply.").ok:
        return redirect(url_for("cover.relief_profile"))
    lead = "We keep the level and date of your DBS check, never the certificate. Pool managers ask to see it."
    return render_template("components/form_page.html", form=form, title="Your checks and referees", lead=lead)


@bp.route("/profile/availability", methods=["GET", "POST"])
@policy("relief_worker")
def relief_availability():
    """When you can usually work, and dates you cannot."""
    profile = current_user.relief_profile
    stored = {"days_off": "\n".join(day.day.strftime("%d/%m/%Y") for day in profile.days_off)}
    for slot in profile.availability:
        stored[f"from_{slot.weekday}"] = _clock(slot.starts_minute)
        stored[f"to_{slot.weekday}"] = _clock(slot.ends_minute % 1440 if slot.ends_minute != 1440 else 1440)
    form = AvailabilityForm(data=stored)
    save = lambda: services.save_availability(current_user, slots=form.slots(), days_off=form.dates_off())  # noqa: E731
    if submit(form, save, success="Your availability has been saved.").ok:
        return redirect(url_for("cover.relief_profile"))
    return render_template("cover/availability.html", form=form, title="When you can work")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@bp.route("/pools")
@public
def pools_list():
    """Open relief pools, for enterprises to join and workers to apply to."""
    query = select(ReliefPool).where(ReliefPool.status == PoolStatus.OPEN).order_by(ReliefPool.name).limit(100)
    return render_template("cover/pools.html", pools=list(db.session.scalars(query)), title="Relief pools")


@bp.route("/pools/<int:pool_id>")
@public
def show_pool(pool_id: int):
    """A pool's rules, pay and funding, and how to join or apply."""
    pool = visible_pool(pool_id, current_user)
    if pool is None:
        return render_template("errors/404.html"), 404
    context = {"pool": pool, "title": pool.name, "worker": None, "members": [], "join_form": None}
    if current_user.is_authenticated:
        context["worker"] = pools.pool_worker(pool, current_user) if current_user.relief_profile else None
        owned = [m.organisation for m in org.enterprise_memberships(current_user) if m.is_owner]
        context["members"] = [(o, pools.enterprise_member(pool, o)) for o in owned]
        joinable = [o for o, member in context["members"] if member is None or member.status in ("declined", "left")]
        if joinable and pool.is_open:
            form = JoinPoolForm()
            form.organisation_id.choices = {o.id: o.name for o in joinable}
            context["join_form"] = form
    return render_template("cover/pool.html", **context)


def _pool_for_join(pool_id: int, user):
    return visible_pool(pool_id, user)


@bp.route("/pools/<int:pool_id>/join", methods=["POST"])
@policy("pool_joiner", load=_pool_for_join)
def join_pool(pool: ReliefPool):
    """Ask for one of your enterprises to join the pool."""
    form = JoinPoolForm()
    owned = {m.organisation.id: m.organisation for m in org.enterprise_memberships(current_user) if m.is_owner}
    form.organisation_id.choices = {oid: o.name for oid, o in owned.items()}
    if form.validate_on_submit():
        organisation = owned[form.organisation_id.data]
        attempt(
            lambda: pools.join_pool(pool, organisation, current_user),
            success=f"{organisation.name} has asked to join {pool.name}. The pool manager will decide.",
        )
    else:
        flash("Select the enterprise that is joining", "error")
    return redirect(url_for("cover.show_pool", pool_id=pool.id))


@bp.route("/pools/<int:pool_id>/apply", methods=["POST"])
@policy("relief_worker", load=_pool_for_join)
def apply_to_pool(pool: ReliefPool):
    """Apply to work in the pool with the checks and training on your profile."""
    attempt(
        lambda: pools.apply_to_pool(pool, current_user),
        success=f"You have applied to {pool.name}. The pool manager will check your DBS and training.",
    )
    return redirect(url_for("cover.show_pool", pool_id=pool.id))


@bp.route("/shifts")
@policy("relief_worker")
def open_shifts():
    """Open shifts you can take, soonest first, and the shifts you have taken."""
    now = utcnow()
    mine = select(CoverShift).where(  # still to work, or worked and waiting for its timesheet to be approved
        CoverShift.worker_id == current_user.id,
        (CoverShift.status == ShiftStatus.ACCEPTED)
        | (CoverShift.status.in_(HOLDS_WORKER) & (CoverShift.ends_at > now)),
    )
    return render_template(
        "cover/shifts.html",
        shifts=matching.open_shifts_for(current_user, now=now),
        mine=list(
            db.session.scalars(mine.options(joinedload(CoverShift.timesheet)).order_by(CoverShift.starts_at).limit(50))
        ),
        now=now,
        title="Cover shifts",
    )


@bp.route("/shifts/<int:shift_id>")
@policy("shift_viewer", load=visible_shift)
def show_shift(shift: CoverShift):
    """A shift: when, where, what support; the private notes once it is yours."""
    request = shift.request
    private = can_see_private_notes(current_user, request) and request.private_notes
    refusal = None
    if shift.status == ShiftStatus.OPEN and current_user.relief_profile is not None:
        refusal = matching.refusal(shift, current_user)
    page = render_template(
        "cover/shift.html",
        shift=shift,
        request=request,
        private_notes=request.private_notes if private else None,
        refusal=refusal,
        mine=works_shift(current_user, shift),
        now=utcnow(),
        title=requests.shift_title(shift).removeprefix("Cover shift: "),
    )
    if private:
        record_private_view(request)
    return page


@bp.route("/shifts/<int:shift_id>/accept", methods=["POST"])
@policy("shift_viewer", load=visible_shift)
def accept_shift(shift: CoverShift):
    """Take the shift: the first to accept gets it."""
    done = attempt(
        lambda: requests.accept_shift(shift, current_user),
        success="The shift is yours. The enterprise has been told. The private notes are below.",
    )
    return redirect(url_for("cover.show_shift", shift_id=shift.id) if done.ok else url_for("cover.open_shifts"))


@bp.route("/shifts/<int:shift_id>/give-back", methods=["POST"])
@policy("shift_worker", load=visible_shift)
def give_back_shift(shift: CoverShift):
    """Give an accepted shift back (under 24 hours' notice counts as a strike)."""
    outcome = attempt(lambda: requests.cancel_by_worker(shift, current_user))
    if outcome.ok:
        late = " As it was under 24 hours' notice, it counts as a strike." if outcome.result else ""
        flash(f"You have given the shift back. We are finding someone else.{late}", "success")
    return redirect(url_for("cover.open_shifts"))


@bp.route("/shifts/<int:shift_id>/shift.ics")
@policy("shift_worker", load=visible_shift)
def shift_ics(shift: CoverShift):
    """The shift as a calendar event (no private notes in it: calendars are shared and synced)."""
    return shift_event(shift)


def records_of(user_id: int) -> list[TrainingRecord]:
    """A person's training records, newest first (what pool managers check)."""
    query = select(TrainingRecord).where(TrainingRecord.user_id == user_id).order_by(TrainingRecord.completed_on.desc())
    return list(db.session.scalars(query.limit(50)))
