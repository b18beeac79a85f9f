"""Training pages for publishers: who is booked on a session, taking attendance, cancelling one booking."""

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ...core.actions import submit
from ...core.money import format_pence
from ...core.permissions import policy
from .. import attendance, attendee_cancel
from ..booking import cancel_booking
from ..forms import CancelBookingForm, attendance_form, marks_from
from ..models import HOLDS_SEATS, AttendeeStatus, Booking, TrainingSession
from ..permissions import managed_booking, managed_session
from .blueprint import bp


@bp.route("/manage/sessions/<int:session_id>/roster")
@policy("training_publisher", load=managed_session)
def roster(session: TrainingSession):
    """Who is booked on a session."""
    return render_template(
        "training/manage/roster.html",
        session=session,
        attendees=attendance.roster(session.id),
        can_mark=attendance.can_mark(session),
        title="Roster",
    )


@bp.route("/manage/sessions/<int:session_id>/roster.csv")
@policy("training_publisher", load=managed_session)
def roster_csv(session: TrainingSession):
    """The roster as a CSV download."""
    return Response(
        attendance.roster_csv(session.id),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="roster-session-{session.id}.csv"'},
    )


@bp.route("/manage/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@policy("training_publisher", load=managed_session)
def mark_attendance(session: TrainingSession):
    """Mark each attendee attended or did not attend, once the session has started."""
    back = redirect(url_for("training.roster", session_id=session.id))
    if not attendance.can_mark(session):
        flash("You can mark attendance once the session has started.", "error")
        return back
    form = attendance_form(attendance.markable(session.id))
    record = lambda: attendance.record_attendance(session, marks_from(form), current_user)  # noqa: E731
    first = next((field for field in form if field.name.startswith("attendee_")), None)  # "nothing marked" goes here
    saved = submit(
        form, record, success="Attendance has been saved. People who attended have a training record.", report=first
    )
    if saved.ok:
        return back
    lead = f"{session.course.title}. Everyone marked attended gets a training record and a certificate."
    return render_template("components/form_page.html", form=form, title="Mark attendance", lead=lead)


@bp.route("/manage/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@policy("training_publisher", load=managed_booking)
def publisher_cancel_booking(booking: Booking):
    """A publisher cancels one booking: always refunded in full, and the booker is told why."""
    back = redirect(url_for("training.roster", session_id=booking.session_id))
    if not booking.can_cancel:
        started = booking.status in HOLDS_SEATS  # live, so the session must have started
        flash(
            "The session has started, so this booking can no longer be cancelled."
            if started
            else "This booking is no longer active.",
            "info",
        )
        return back
    form = CancelBookingForm()
    form.submit.label.text = f"Cancel the whole booking ({booking.seats} place{'' if booking.seats == 1 else 's'})"
    cancel = lambda: cancel_booking(booking, current_user, by_publisher=True, reason=form.reason.data.strip())  # noqa: E731
    saved = submit(form, cancel)
    if saved.ok:
        flash(f"The booking is cancelled and {format_pence(saved.result, free_word='nothing')} refunded.", "success")
        return back
    names = ", ".join(a.name for a in booking.attendees if a.status == AttendeeStatus.BOOKED)
    lead = f"{booking.session.course.title}: {names}, booked by {booking.booker.name}. They get a full refund."
    return render_template("components/form_page.html", form=form, title="Cancel this booking", lead=lead)


@bp.route("/manage/bookings/<int:booking_id>/people/<int:attendee_id>/cancel", methods=["GET", "POST"])
@policy("training_publisher", load=managed_booking)
def publisher_cancel_attendee(booking: Booking, attendee_id: int):
    """A publisher cancels one person's place: that place refunded in full, the rest of the booking kept."""
    attendee = attendee_cancel.place_on(booking, attendee_id) or abort(404)
    back = url_for("training.roster", session_id=booking.session_id)
    if not attendee_cancel.can_cancel_place(booking, attendee):
        flash("This place can no longer be cancelled.", "info")
        return redirect(back)
    form = CancelBookingForm()
    facts = attendee_cancel.check_page_facts(booking, attendee, by_publisher=True)
    form.submit.label.text = facts["button"]
    reason = lambda: form.reason.data.strip()  # noqa: E731
    cancel = lambda: attendee_cancel.cancel_attendee(attendee, current_user, by_publisher=True, reason=reason())  # noqa: E731
    saved = submit(form, cancel)
    if saved.ok:
        flash(attendee_cancel.cancelled_message(booking, attendee, saved.result, payer=False), "success")
        return redirect(back)
    whole = url_for("training.publisher_cancel_booking", booking_id=booking.id)
    action = url_for("training.publisher_cancel_attendee", booking_id=booking.id, attendee_id=attendee.id)
    return render_template(
        "training/cancel_attendee.html",
        **facts,
        form=form,
        action=action,
        whole_booking=None if facts["last"] else whole,
        back=back,
        back_text="Back to the roster",
    )
