"""Training pages for a booking: see it, back from paying, its calendar event, cancel it or one place; your bookings."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...core.actions import attempt
from ...core.clock import utcnow
from ...core.pagination import CURSOR_ARG, keyset_page
from ...core.permissions import allows, policy, signed_in
from ...payments import services as payments
from .. import attendee_cancel, booker_pages, calendar
from .. import booking as bookings
from ..models import Booking, BookingStatus
from ..permissions import visible_booking
from .blueprint import bp
from .book import awaiting_card_payment


@bp.route("/bookings/<int:booking_id>")
@policy("booking_viewer", load=visible_booking)
def show_booking(booking: Booking):
    """A booking: status, people, price and payment; the venue once confirmed."""
    session = booking.session
    return render_template(
        "training/booking.html",
        booking=booking,
        session=session,
        course=session.course,
        private=booking.status == BookingStatus.CONFIRMED and allows(current_user, "booking_session_details", booking),
        can_cancel=booking.can_cancel and allows(current_user, "booking_canceller", booking),
        can_cancel_places=_can_cancel_places(booking),
        can_pay=awaiting_card_payment(booking) and allows(current_user, "booker", booking),
        minutes_left=booker_pages.hold_minutes_left(booking),
        amount_owed=payments.amount_owed(booking.payment) if booking.payment else 0,
        owed=_still_owed(booking),
        refunds=payments.refund_lines(booking.payment),
        title=f"Booking for {session.course.title}",
    )


def _can_cancel_places(booking) -> bool:
    """Places can be cancelled one by one: a confirmed booking of several people, by someone who may cancel it."""
    several = booking.status == BookingStatus.CONFIRMED and attendee_cancel.live_places(booking) > 1
    return several and booking.can_cancel and allows(current_user, "booking_canceller", booking)


def _still_owed(booking) -> str:
    """A cancelled booking whose invoice is still to be paid says so, until it is paid."""
    if booking.status != BookingStatus.CANCELLED or booking.payment is None:
        return ""
    return payments.owed_words(booking.payment)


@bp.route("/bookings/<int:booking_id>/paid")
@policy("booking_viewer", load=visible_booking)
def booking_paid(booking: Booking):
    """Back from the card payment page: the payment webhook confirms the booking, never this page."""
    confirmed = booking.status == BookingStatus.CONFIRMED
    title = "Your booking is confirmed" if confirmed else "Payment received"
    return render_template("training/booking_paid.html", booking=booking, confirmed=confirmed, title=title)


@bp.route("/bookings/<int:booking_id>/calendar.ics")
@policy("booking_session_details", load=visible_booking)
def booking_ics(booking: Booking):
    """A confirmed booking as a calendar event (it includes the venue, so only for those who may see it)."""
    if booking.status != BookingStatus.CONFIRMED:
        abort(404)
    disposition = f'attachment; filename="backstop-training-{booking.id}.ics"'
    return Response(
        calendar.booking_ics(booking), mimetype="text/calendar", headers={"Content-Disposition": disposition}
    )


def _refund_text(booking) -> str:
    """What cancelling now means for the booker's money."""
    payment = booking.payment
    if payment is None or booking.total_pence == 0:
        return "This booking is free, so there is nothing to refund."
    if payments.is_unpaid_checkout(payment):
        return "You have not paid, so there is nothing to refund."
    due = bookings.refund_due(booking, by_publisher=False, now=utcnow())
    if due == 0:
        days = booking.session.course.cancellation_cutoff_days
        late = f"The session starts in less than {days} days, so you will not get a refund."
        return f"{late} {payments.owed_words(payment)}".rstrip()
    return payments.refund_words(payment, due)


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@policy("booking_canceller", load=visible_booking)
def cancel_booking(booking: Booking):
    """Check, then cancel a booking (refund in full before the course's cut-off, nothing after)."""
    back = redirect(url_for("training.show_booking", booking_id=booking.id))
    if not booking.can_cancel:
        live = booking.can_become(BookingStatus.CANCELLED)  # live, so the session must have started
        flash(
            "The session has started, so this booking can no longer be cancelled."
            if live
            else "This booking is no longer active.",
            "info",
        )
        return back
    if request.method == "GET":
        title = "Are you sure you want to cancel this booking?"
        return render_template(
            "training/cancel_booking.html", booking=booking, refund=_refund_text(booking), title=title
        )
    cancelled = attempt(lambda: bookings.cancel_booking(booking, current_user))
    if cancelled.ok:
        refunded = f" {payments.refunded_words(booking.payment, cancelled.result)}" if cancelled.result else ""
        owed = f" {payments.owed_words(booking.payment)}" if booking.payment else ""
        flash(f"Your booking has been cancelled.{refunded}{owed}".rstrip(), "success")
    return back


@bp.route("/bookings/<int:booking_id>/people/<int:attendee_id>/cancel", methods=["GET", "POST"])
@policy("booking_canceller", load=visible_booking)
def cancel_attendee(booking: Booking, attendee_id: int):
    """Check, then cancel one person's place (that place refunded before the course's cut-off, nothing after)."""
    attendee = attendee_cancel.place_on(booking, attendee_id) or abort(404)
    back = url_for("training.show_booking", booking_id=booking.id)
    if not attendee_cancel.can_cancel_place(booking, attendee):
        flash("This place can no longer be cancelled.", "info")
        return redirect(back)
    if request.method == "GET":
        facts = attendee_cancel.check_page_facts(booking, attendee, by_publisher=False)
        action = url_for("training.cancel_attendee", booking_id=booking.id, attendee_id=attendee.id)
        return render_template(
            "training/cancel_attendee.html", **facts, action=action, back=back, back_text="Keep this place"
        )
    cancelled = attempt(lambda: attendee_cancel.cancel_attendee(attendee, current_user))
    if cancelled.ok:
        flash(attendee_cancel.cancelled_message(booking, attendee, cancelled.result, payer=True), "success")
    return redirect(back)


@bp.route("/bookings")
@signed_in
def my_bookings():
    """The person's bookings: still to come, then past and cancelled ones."""
    query = booker_pages.past_bookings_query(current_user)
    page = keyset_page(query, booker_pages.PAST_BOOKINGS_ORDER, request.args.get(CURSOR_ARG))
    return render_template(
        "training/my_bookings.html",
        upcoming=booker_pages.upcoming_bookings(current_user),
        waiting=booker_pages.waiting_entries(current_user),
        page=page,
        booked_for_me=booker_pages.places_booked_for(current_user),
        title="Your bookings",
    )
