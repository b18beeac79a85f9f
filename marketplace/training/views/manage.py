"""Training pages for publishers (courses, sessions, rosters, attendance), training records, certificates, topics."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from ...core import permissions
from ...core.errors import DomainError
from ...core.money import format_pence
from ...core.pagination import paginate
from ...core.permissions import admin_required
from ...extensions import db
from ...organisations.models import Organisation
from ...organisations.services import area_choices
from .. import attendance, certificates, courses
from ..booking import cancel_booking
from ..catalogue import price_text, render_markdown
from ..forms import (
    CancelBookingForm,
    CancelSessionForm,
    CourseForm,
    SessionForm,
    TopicForm,
    VerifyCertificateForm,
    attendance_form,
    marks_from,
    session_form_data,
)
from ..models import HOLDS_SEATS, Booking, Course, CourseStatus, Topic, TrainingRecord, TrainingSession
from . import bp

# --- scoped getters: another organisation's ids are simply not found --------------------------------------------


def _publisher_or_404(org_id: int) -> Organisation:
    """A council or NHS body the person belongs to (approved or not)."""
    organisation = db.session.get(Organisation, org_id)
    if organisation is None or not organisation.is_publisher:
        abort(404)
    if permissions.membership_in(current_user, organisation) is None:
        abort(404)
    return organisation


def _course_or_404(course_id: int) -> Course:
    """A course of an approved publisher the person belongs to."""
    query = select(Course).where(
        Course.id == course_id, Course.organisation_id.in_(courses.managed_organisation_ids(current_user))
    )
    return db.session.scalar(query) or abort(404)


def _session_or_404(session_id: int) -> TrainingSession:
    """A session of a course the person manages."""
    query = (
        select(TrainingSession)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(
            TrainingSession.id == session_id,
            Course.organisation_id.in_(courses.managed_organisation_ids(current_user)),
        )
    )
    return db.session.scalar(query) or abort(404)


def _booking_or_404(booking_id: int) -> Booking:
    """A live booking on a session of a course the person manages."""
    query = (
        select(Booking)
        .join(TrainingSession, TrainingSession.id == Booking.session_id)
        .join(Course, Course.id == TrainingSession.course_id)
        .where(Booking.id == booking_id, Course.organisation_id.in_(courses.managed_organisation_ids(current_user)))
    )
    return db.session.scalar(query) or abort(404)


def _run(action, success: str, target: str):
    """Call one service: commit and confirm, or roll back and say why; then go to target."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(target)


def _submit(form, action) -> tuple[bool, object]:
    """Validate a posted form and call its service: (True, result) once committed, (False, None) to show it again."""
    if not form.validate_on_submit():
        return False, None
    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return False, None
    db.session.commit()
    return True, result


# --- courses ---------------------------------------------------------------------------------------------------


@bp.route("/manage/organisations/<int:org_id>/courses")
@login_required
def manage_courses(org_id: int):
    """A council or NHS body's courses (pending bodies see why they cannot add any yet)."""
    organisation = _publisher_or_404(org_id)
    query = select(Course).where(Course.organisation_id == organisation.id).order_by(Course.title, Course.id)
    return render_template(
        "training/manage/courses.html",
        organisation=organisation,
        page=paginate(query, request.args.get("page", 1, type=int)),
        can_create=permissions.can_publish(current_user, organisation),
        title="Training courses",
    )


def _course_form(**kwargs) -> CourseForm:
    form = CourseForm(**kwargs)
    form.topic_id.choices = courses.topic_choices()
    form.area_ids.choices = area_choices()
    return form


@bp.route("/manage/organisations/<int:org_id>/courses/new", methods=["GET", "POST"])
@login_required
def new_course(org_id: int):
    """Add a draft course (approved councils and NHS bodies only)."""
    organisation = _publisher_or_404(org_id)
    if not permissions.can_publish(current_user, organisation):
        abort(403)
    form = _course_form()
    saved, course = _submit(form, lambda: courses.create_course(organisation, current_user, **form.details()))
    if saved:
        flash(f"{course.title} has been saved as a draft. Add sessions, then publish it.", "success")
        return redirect(url_for("training.manage_course", course_id=course.id))
    return render_template("components/form_page.html", form=form, title="Add a course", lead=organisation.name)


@bp.route("/manage/courses/<int:course_id>")
@login_required
def manage_course(course_id: int):
    """A course as its publisher sees it: details, status and sessions."""
    course = _course_or_404(course_id)
    return render_template(
        "training/manage/course.html",
        course=course,
        description=render_markdown(course.description),
        price=price_text(course),
        format_pence=format_pence,
        title=course.title,
    )


def _pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


@bp.route("/manage/courses/<int:course_id>/edit", methods=["GET", "POST"])
@login_required
def edit_course(course_id: int):
    """Change a course's details."""
    course = _course_or_404(course_id)
    stored = {
        "full_price": _pounds(course.full_price_pence),
        "subsidised_price": _pounds(course.subsidised_price_pence),
        "area_ids": [area.id for area in course.eligible_areas],
    }
    form = _course_form(obj=course, data=stored)
    saved, _ = _submit(form, lambda: courses.update_course(course, current_user, **form.details()))
    if saved:
        flash("The course details have been saved.", "success")
        return redirect(url_for("training.manage_course", course_id=course.id))
    return render_template("components/form_page.html", form=form, title=f"Change {course.title}")


@bp.route("/manage/courses/<int:course_id>/publish", methods=["POST"])
@login_required
def publish_course(course_id: int):
    """Publish a course so people can find and book it."""
    course = _course_or_404(course_id)
    return _run(
        lambda: courses.change_course_status(course, CourseStatus.PUBLISHED, current_user),
        f"{course.title} is published.",
        url_for("training.manage_course", course_id=course.id),
    )


@bp.route("/manage/courses/<int:course_id>/archive", methods=["POST"])
@login_required
def archive_course(course_id: int):
    """Take a course out of the catalogue (sessions already booked go ahead)."""
    course = _course_or_404(course_id)
    return _run(
        lambda: courses.change_course_status(course, CourseStatus.ARCHIVED, current_user),
        f"{course.title} is archived.",
        url_for("training.manage_course", course_id=course.id),
    )


# --- sessions --------------------------------------------------------------------------------------------------


@bp.route("/manage/courses/<int:course_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(course_id: int):
    """Add a session (times in UK time)."""
    course = _course_or_404(course_id)
    form = SessionForm().for_delivery(course.delivery)
    saved, _ = _submit(form, lambda: courses.add_session(course, current_user, **form.details()))
    if saved:
        flash("The session has been added.", "success")
        return redirect(url_for("training.manage_course", course_id=course.id))
    return render_template("components/form_page.html", form=form, title="Add a session", lead=course.title)


@bp.route("/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    """Change a session that has not started; more places go to the waiting list first."""
    session = _session_or_404(session_id)
    form = SessionForm(data=session_form_data(session)).for_delivery(session.course.delivery)
    saved, told = _submit(form, lambda: courses.update_session(session, current_user, **form.details()))
    if saved:
        everyone = f" Everyone on {told} booking{'' if told == 1 else 's'} has been told." if told else ""
        flash(f"The session has been changed.{everyone}", "success")
        return redirect(url_for("training.manage_course", course_id=session.course_id))
    lead = f"{session.course.title}. If you change the time or place, everyone booked is told by email."
    return render_template("components/form_page.html", form=form, title="Change session", lead=lead)


@bp.route("/manage/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_session(session_id: int):
    """Confirm cancelling a whole session: everyone booked is refunded in full and told."""
    session = _session_or_404(session_id)
    form = CancelSessionForm()
    saved, _ = _submit(form, lambda: courses.cancel_session(session, current_user, form.reason.data.strip()))
    if saved:
        flash("The session is cancelled. Everyone booked has been refunded in full and told.", "success")
        return redirect(url_for("training.manage_course", course_id=session.course_id))
    booked = len(courses.live_bookings(session.id))
    lead = (
        f"{session.course.title}. {booked} booking{'' if booked == 1 else 's'} will be cancelled and refunded in full."
    )
    return render_template("components/form_page.html", form=form, title="Cancel this session", lead=lead)


@bp.route("/manage/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@login_required
def publisher_cancel_booking(booking_id: int):
    """A publisher cancels one booking: always refunded in full, and the booker is told why."""
    booking = _booking_or_404(booking_id)
    back = url_for("training.roster", session_id=booking.session_id)
    if booking.status not in HOLDS_SEATS:
        flash("This booking is no longer active.", "info")
        return redirect(back)
    form = CancelBookingForm()
    action = lambda: cancel_booking(booking, current_user, by_publisher=True, reason=form.reason.data.strip())  # noqa: E731
    saved, refunded = _submit(form, action)
    if saved:
        flash(f"The booking is cancelled and {format_pence(refunded, free_word='nothing')} refunded.", "success")
        return redirect(back)
    names = ", ".join(a.name for a in booking.attendees)
    lead = f"{booking.session.course.title}: {names}, booked by {booking.booker.name}. They get a full refund."
    return render_template("components/form_page.html", form=form, title="Cancel this booking", lead=lead)


@bp.route("/manage/sessions/<int:session_id>/roster")
@login_required
def roster(session_id: int):
    """Who is booked on a session."""
    session = _session_or_404(session_id)
    return render_template(
        "training/manage/roster.html",
        session=session,
        attendees=attendance.roster(session.id),
        can_mark=attendance.can_mark(session),
        title="Roster",
    )


@bp.route("/manage/sessions/<int:session_id>/roster.csv")
@login_required
def roster_csv(session_id: int):
    """The roster as a CSV download."""
    session = _session_or_404(session_id)
    return Response(
        attendance.roster_csv(session.id),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="roster-session-{session.id}.csv"'},
    )


@bp.route("/manage/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@login_required
def mark_attendance(session_id: int):
    """Mark each attendee attended or did not attend, once the session has started."""
    session = _session_or_404(session_id)
    if not attendance.can_mark(session):
        flash("You can mark attendance once the session has started.", "error")
        return redirect(url_for("training.roster", session_id=session.id))
    form = attendance_form(attendance.markable(session.id))
    saved, _ = _submit(form, lambda: attendance.record_attendance(session, marks_from(form), current_user))
    if saved:
        flash("Attendance has been saved. People who attended have a training record.", "success")
        return redirect(url_for("training.roster", session_id=session.id))
    lead = f"{session.course.title}. Everyone marked attended gets a training record and a certificate."
    return render_template("components/form_page.html", form=form, title="Mark attendance", lead=lead)


# --- records and certificates ----------------------------------------------------------------------------------


@bp.route("/certificates/check")
def verify_certificate():
    """PUBLIC: confirm a certificate by its number (name, course, date and validity only)."""
    form = VerifyCertificateForm(request.args)
    searched = bool((form.number.data or "").strip())
    record = certificates.find_by_number(form.number.data) if searched else None
    return render_template(
        "training/manage/verify.html",
        form=form,
        searched=searched,
        record=record,
        validity=certificates.validity(record) if record else None,
        title="Check a training certificate",
    )


@bp.route("/certificates/<int:record_id>.pdf")
@login_required
def certificate_pdf(record_id: int):
    """A certificate as a PDF, for the person, their enterprise and the course's publisher."""
    record = db.session.get(TrainingRecord, record_id)
    if record is None or not certificates.can_download(current_user, record):
        abort(404)
    return Response(
        certificates.certificate_pdf(record),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="certificate-{record.certificate_number}.pdf"'},
    )


@bp.route("/records")
@login_required
def my_records():
    """The signed-in person's training records."""
    page = paginate(certificates.records_of_person(current_user), request.args.get("page", 1, type=int))
    return render_template(
        "training/manage/records.html", page=page, validity=certificates.validity, title="Your training records"
    )


@bp.route("/organisations/<int:org_id>/records")
@login_required
def staff_records(org_id: int):
    """An enterprise's staff training records and what expires in the next 90 days (its members only)."""
    organisation = db.session.get(Organisation, org_id)
    if organisation is None or not organisation.is_enterprise:
        abort(404)
    if permissions.membership_in(current_user, organisation) is None:
        abort(404)
    return render_template(
        "training/manage/staff_records.html",
        organisation=organisation,
        page=paginate(certificates.records_of_organisation(org_id), request.args.get("page", 1, type=int)),
        expiring=certificates.expiring_soon(org_id),
        days=certificates.EXPIRING_DAYS,
        validity=certificates.validity,
        title="Staff training records",
    )


# --- topics (platform admins) ----------------------------------------------------------------------------------


@bp.route("/topics", methods=["GET", "POST"])
@admin_required
def topics():
    """The managed list of training topics; admins add more."""
    form = TopicForm()
    saved, _ = _submit(form, lambda: courses.add_topic(form.name.data, current_user))
    if saved:
        flash(f"{' '.join(form.name.data.split())} has been added.", "success")
        return redirect(url_for("training.topics"))
    names = db.session.scalars(select(Topic.name).order_by(Topic.name)).all()
    return render_template("training/manage/topics.html", form=form, names=names, title="Training topics")
