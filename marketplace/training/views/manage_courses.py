"""Training pages for publishers: their courses (add, change, publish, archive)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ...core.actions import attempt, submit
from ...core.money import format_pence, format_pounds_field
from ...core.pagination import paginate
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
    query = select(Course).where(Course.organisation_id == organisation.id).order_by(Course.title, Course.id)
    return render_template(
        "training/manage/courses.html",
        organisation=organisation,
        page=paginate(query, request.args.get("page", 1, type=int)),
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


@bp.route("/manage/courses/<int:course_id>/archive", methods=["POST"])
@policy("training_publisher", load=managed_course)
def archive_course(course: Course):
    """Take a course out of the catalogue (sessions already booked go ahead)."""
    archive = lambda: courses.change_course_status(course, CourseStatus.ARCHIVED, current_user)  # noqa: E731
    attempt(archive, success=f"{course.title} is archived.")
    return _to_course(course)
