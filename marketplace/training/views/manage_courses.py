"""Training pages for publishers: their courses (add, change, publish, archive)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ...core.actions import attempt, submit
from ...core.forms import BaseForm, text_area
from ...core.forms import submit as submit_button
from ...core.money import format_pence, format_pounds_field
from ...core.pagination import CURSOR_ARG, keyset_page
from ...core.permissions import allows, policy
from ...organisations.areas import area_choices
from ...organisations.permissions import organisation_for
from .. import courses
from ..catalogue import price_text, render_markdown
from ..forms import CourseForm
from ..models import Course, CourseStatus
from ..permissions import managed_course
from .blueprint import bp


@bp.route("/manage/organisations/<int:org_id>/courses")
@policy("publisher_member", load=organisation_for)
def manage_courses(organisation):
    """A council or NHS body's courses (pending bodies see why they cannot add any yet)."""
    query = select(Course).where(Course.organisation_id == organisation.id)
    return render_template(
        "training/manage/courses.html",
        organisation=organisation,
        page=keyset_page(query, (Course.title, Course.id), request.args.get(CURSOR_ARG)),
        can_create=allows(current_user, "publisher", organisation),
        title="Training courses",
    )


def _course_form(keep_topic: int | None = None, **kwargs) -> CourseForm:
    """The course form with today's topics (and the course's own, even if retired) and areas to choose from."""
    form = CourseForm(**kwargs)
    form.topic_id.choices = courses.topic_choices(keep_topic)
    form.area_ids.choices = area_choices()
    return form


@bp.route("/manage/organisations/<int:org_id>/courses/new", methods=["GET", "POST"])
@policy("publisher", load=organisation_for)
def new_course(organisation):
    """Add a draft course (approved councils and NHS bodies only)."""
    form = _course_form()
    saved = submit(form, lambda: courses.create_course(organisation, current_user, **form.details()))
    if saved.ok:
        flash(f"{saved.result.title} has been saved as a draft. Add sessions, then publish it.", "success")
        return _to_course(saved.result)
    return render_template("components/form_page.html", form=form, title="Add a course", lead=organisation.name)


def _to_course(course: Course):
    """Back to the course's page."""
    return redirect(url_for("training.manage_course", course_id=course.id))


@bp.route("/manage/courses/<int:course_id>")
@policy("training_publisher", load=managed_course)
def manage_course(course: Course):
    """A course as its publisher sees it: details, status and sessions."""
    return render_template(
        "training/manage/course.html",
        course=course,
        description=render_markdown(course.description),
        price=price_text(course),
        format_pence=format_pence,
        title=course.title,
    )


@bp.route("/manage/courses/<int:course_id>/edit", methods=["GET", "POST"])
@policy("training_publisher", load=managed_course)
def edit_course(course: Course):
    """Change a course's details."""
    stored = {
        "full_price": format_pounds_field(course.full_price_pence),
        "subsidised_price": format_pounds_field(course.subsidised_price_pence),
        "area_ids": [area.id for area in course.eligible_areas],
    }
    form = _course_form(course.topic_id, obj=course, data=stored)
    success = "The course details have been saved."
    if submit(form, lambda: courses.update_course(course, current_user, **form.details()), success=success).ok:
        return _to_course(course)
    return render_template("components/form_page.html", form=form, title=f"Change {course.title}")


@bp.route("/manage/courses/<int:course_id>/publish", methods=["POST"])
@policy("training_publisher", load=managed_course)
def publish_course(course: Course):
    """Publish a course so people can find and book it."""
    publish = lambda: courses.change_course_status(course, CourseStatus.PUBLISHED, current_user)  # noqa: E731
    attempt(publish, success=f"{course.title} is published.")
    return _to_course(course)


class ArchiveCourseForm(BaseForm):
    """Why a course's booked sessions are cancelled when it is archived (told to everyone booked)."""

    reason = text_area(
        "Reason for cancelling the sessions",
        "Enter a reason for cancelling the sessions",
        max_length=200,
        hint="We send this to everyone booked, with the news that they get a full refund",
        rows=3,
    )
    submit = submit_button("Archive course")

    def for_bookings(self, count: int) -> "ArchiveCourseForm":
        """The button says what archiving does; with nobody booked there is no one to give a reason to."""
        if count:
            self.submit.label.text = "Archive course and refund everyone"
        else:
            del self.reason
        return self


def _upcoming_bookings(course: Course) -> list[tuple]:
    """Each upcoming session of the course with its live bookings."""
    return [(session, courses.live_bookings(session.id)) for session in courses.upcoming_sessions(course)]


@bp.route("/manage/courses/<int:course_id>/archive", methods=["GET"])
@policy("training_publisher", load=managed_course)
def confirm_archive_course(course: Course):
    """Before archiving: who is booked on upcoming sessions, and that they will be refunded in full and told."""
    sessions = _upcoming_bookings(course)
    return _archive_page(course, ArchiveCourseForm().for_bookings(_booking_count(sessions)), sessions)


@bp.route("/manage/courses/<int:course_id>/archive", methods=["POST"])
@policy("training_publisher", load=managed_course)
def archive_course(course: Course):
    """Take a course out of the catalogue, cancelling its upcoming sessions (refunds in full, everyone told)."""
    sessions = _upcoming_bookings(course)
    booked = _booking_count(sessions)
    form = ArchiveCourseForm().for_bookings(booked)
    reason = form.reason.data if booked else ""
    archived = submit(form, lambda: courses.archive_course(course, current_user, reason))
    if archived.ok:
        flash(_archived(course, *archived.result), "success")
        return _to_course(course)
    if not booked and archived.error:  # refused outright (already archived, say): the banner says why
        return _to_course(course)
    return _archive_page(course, form, sessions)


def _booking_count(sessions: list[tuple]) -> int:
    """How many live bookings the upcoming sessions have between them."""
    return sum(len(bookings) for _, bookings in sessions)


def _archive_page(course: Course, form: ArchiveCourseForm, sessions: list[tuple]):
    """The confirmation page: the sessions to be cancelled, and everyone booked on them."""
    return render_template(
        "training/manage/archive_course.html",
        course=course,
        form=form,
        sessions=sessions,
        booked=_booking_count(sessions),
        title=f"Archive {course.title}",
    )


def _them(count: int) -> str:
    """'it' for one session, 'them' for more."""
    return "it" if count == 1 else "them"


def _archived(course: Course, sessions: int, bookings: int) -> str:
    """What archiving did: refunds and messages only when someone was booked."""
    if not sessions:
        return f"{course.title} is archived."
    cancelled = "Its upcoming session is" if sessions == 1 else f"Its {sessions} upcoming sessions are"
    if not bookings:
        return f"{course.title} is archived. {cancelled} cancelled. Nobody was booked on {_them(sessions)}."
    refunded = "The booking has" if bookings == 1 else f"All {bookings} bookings have"
    return (
        f"{course.title} is archived. {cancelled} cancelled. "
        f"{refunded} been refunded in full, and everyone booked has been told."
    )
