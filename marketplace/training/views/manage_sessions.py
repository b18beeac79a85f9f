"""Training pages for publishers: a course's sessions (add, change, cancel)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from ...core.actions import submit
from ...core.permissions import policy
from .. import courses
from ..forms import CancelSessionForm, SessionForm, session_form_data
from ..models import Course, TrainingSession
from ..permissions import managed_course, managed_session
from .blueprint import bp


def _plural(count: int, word: str) -> str:
    """'1 booking', '3 bookings'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


@bp.route("/manage/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@policy("training_publisher", load=managed_course)
def new_session(course: Course):
    """Add a session (times in UK time)."""
    form = SessionForm().for_delivery(course.delivery)
    add = lambda: courses.add_session(course, current_user, **form.details())  # noqa: E731
    if submit(form, add, success="The session has been added.").ok:
        return redirect(url_for("training.manage_course", course_id=course.id))
    return render_template("components/form_page.html", form=form, title="Add a session", lead=course.title)


@bp.route("/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@policy("training_publisher", load=managed_session)
def edit_session(session: TrainingSession):
    """Change a session that has not started; more places go to the waiting list first."""
    form = SessionForm(data=session_form_data(session)).for_delivery(session.course.delivery)
    saved = submit(form, lambda: courses.update_session(session, current_user, **form.details()))
    if saved.ok:
        told = saved.result
        everyone = f" Everyone on {_plural(told, 'booking')} has been told." if told else ""
        flash(f"The session has been changed.{everyone}", "success")
        return redirect(url_for("training.manage_course", course_id=session.course_id))
    lead = f"{session.course.title}. If you change the time or place, everyone booked is told by email."
    return render_template("components/form_page.html", form=form, title="Change session", lead=lead)


@bp.route("/manage/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@policy("training_publisher", load=managed_session)
def cancel_session(session: TrainingSession):
    """Confirm cancelling a whole session: everyone booked is refunded in full and told."""
    booked = len(courses.live_bookings(session.id))
    form = CancelSessionForm().for_bookings(booked)
    cancel = lambda: courses.cancel_session(session, current_user, form.reason.data)  # noqa: E731
    cancelled = submit(form, cancel)
    if cancelled.ok:
        flash(_cancelled(cancelled.result), "success")
        return redirect(url_for("training.manage_course", course_id=session.course_id))
    who = f"{_plural(booked, 'booking')} will be cancelled and refunded in full" if booked else "Nobody is booked"
    lead = f"{session.course.title}. {who}."
    return render_template("components/form_page.html", form=form, title="Cancel this session", lead=lead)


def _cancelled(bookings: int) -> str:
    """What cancelling did: refunds and messages only when someone was booked."""
    if not bookings:
        return "The session is cancelled. Nobody was booked on it."
    refunded = "The booking has" if bookings == 1 else f"All {bookings} bookings have"
    return f"The session is cancelled. {refunded} been refunded in full, and everyone booked has been told."
