"""Training pages for bookers: book and pay, see and cancel bookings, the waiting list."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...core.clock import utcnow
from ...core.errors import DomainError
from ...core.money import format_pence
from ...core.pagination import paginate
from ...extensions import db
from ...payments import services as payments
from ...payments.models import PaymentStatus
from .. import booking as bookings
from .. import calendar, catalogue, waiting
from ..eligibility import NotEligible, check_eligible, price_for
from ..forms_booking import MAX_PLACES, BookingForm, booker_options, booking_form
from ..models import HOLDS_SEATS, BookingStatus, WaitStatus
from . import bp

# --- booking ---------------------------------------------------------------------------------------------------


def _session_or_404(session_id: int):
    """A session the person may see."""
    return catalogue.visible_session(session_id, current_user) or abort(404)


def _options_or_403():
    """Who the person can book for; people who are neither entrepreneurs nor relief workers cannot book."""
    return booker_options(current_user) or abort(403)


def _prices(session, options) -> list[dict]:
    """Each option's price per place, or why it cannot book this course."""
    rows = []
    for option in options:
        try:
            check_eligible(session.course, current_user, option.organisation)
        except NotEligible as error:
            rows.append({"option": option, "problem": str(error)})
        else:
            rows.append({"option": option, "unit": price_for(session.course, current_user, option.organisation)[1]})
    return rows


def _book_page(session, form: BookingForm, options, *, full: bool):
    """The booking form (or the waiting-list form when full) with prices and the total."""
    prices = _prices(session, options)
    chosen = next((row for row in prices if row["option"].value == form.booker_for.data and "unit" in row), None)
    places = 1 if form.for_myself() else max(1, sum(1 for name, _ in form.rows() if (name.data or "").strip()))
    if full:
        form.submit.label.text = "Join the waiting list"
    verb = "Join the waiting list for" if full else "Book places on"
    action = "training.join_waiting_list" if full else "training.book_session"
    return render_template(
        "training/book.html",
        session=session,
        form=form,
        prices=prices,
        chosen=chosen,
        places=places,
        full=full,
        action=url_for(action, session_id=session.id),
        max_places=MAX_PLACES,
        title=f"{verb} {session.course.title}",
    )


def _error_page(session, form: BookingForm, options, error: DomainError, *, full: bool = False):
    """Show a rule the booking broke on the form (by the email it names, if any); nothing was written."""
    db.session.rollback()
    message = str(error)
    named = [email for _, email in form.rows() if email.data and email.data.strip().lower() in message]
    if named and isinstance(error, bookings.AlreadyBooked):
        for email in named:
            email.errors.append(message)
    else:
        flash(message, "error")
    return _book_page(session, form, options, full=full or isinstance(error, bookings.SessionFull))


@bp.route("/sessions/<int:session_id>/book", methods=["GET", "POST"])
@login_required
def book_session(session_id: int):
    """Book places on a session for named people (or yourself as a relief worker); the waiting list when full."""
    session = _session_or_404(session_id)
    options = _options_or_403()
    if not catalogue.is_bookable(session):
        flash("This session is not open for booking.", "error")
        return redirect(url_for("training.show_session", session_id=session.id))
    form = booking_form(options, current_user)
    if form.adding or not form.validate_on_submit():
        return _book_page(session, form, options, full=session.seats_left == 0)
    option = form.option(options)
    try:
        booking = bookings.create_booking(session, current_user, option.organisation, form.people(current_user))
    except DomainError as error:
        return _error_page(session, form, options, error)
    db.session.commit()
    return _continue_to_payment(booking)


def _awaiting_card_payment(booking) -> bool:
    """Reserved while a card payment (not an invoice) is still to be made."""
    payment = booking.payment
    return (
        booking.status == BookingStatus.RESERVED
        and payment is not None
        and payment.status == PaymentStatus.PENDING
        and not payments.confirms_on_order(payment)
    )


def _booked_message(booking) -> str:
    """The success banner after booking (the confirmation, and any invoice, are emailed to the booker)."""
    payment = booking.payment
    if payment is not None and payment.invoice_reference:
        amount = format_pence(booking.total_pence)
        return f"Your places are booked. We have emailed you the confirmation and invoice {payment.invoice_reference} for {amount}."
    return "Your places are booked. We have emailed you the confirmation."


def _continue_to_payment(booking):
    """Send the booker to pay by card if the booking waits for it; otherwise to the booking page."""
    if not _awaiting_card_payment(booking):
        flash(_booked_message(booking), "success")
        return redirect(url_for("training.show_booking", booking_id=booking.id))
    try:
        address = payments.start(booking.payment, bookings.checkout_request(booking))
    except payments.PaymentNotStarted as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("training.show_booking", booking_id=booking.id))
    db.session.commit()
    return redirect(address)


@bp.route("/bookings/<int:booking_id>/pay", methods=["POST"])
@login_required
def pay_booking(booking_id: int):
    """Try the card payment again (the same idempotency key, so never two checkouts)."""
    booking = catalogue.visible_booking(booking_id, current_user) or abort(404)
    if booking.booker_id != current_user.id:
        abort(403)
    if not _awaiting_card_payment(booking):
        flash("This booking is not waiting for payment.", "info")
        return redirect(url_for("training.show_booking", booking_id=booking.id))
    return _continue_to_payment(booking)


# --- a booking -------------------------------------------------------------------------------------------------


@bp.route("/bookings/<int:booking_id>")
@login_required
def show_booking(booking_id: int):
    """A booking: status, people, price and payment; the venue once confirmed."""
    booking = catalogue.visible_booking(booking_id, current_user) or abort(404)
    session = booking.session
    return render_template(
        "training/booking.html",
        booking=booking,
        session=session,
        course=session.course,
        private=booking.status == BookingStatus.CONFIRMED and catalogue.can_see_private(current_user, session),
        can_cancel=booking.status in HOLDS_SEATS and catalogue.can_cancel_booking(current_user, booking),
        can_pay=_awaiting_card_payment(booking) and booking.booker_id == current_user.id,
        minutes_left=catalogue.hold_minutes_left(booking),
        amount_owed=payments.amount_owed(booking.payment) if booking.payment else 0,
        title=f"Booking for {session.course.title}",
    )


@bp.route("/bookings/<int:booking_id>/paid")
@login_required
def booking_paid(booking_id: int):
    """Back from the card payment page: the payment webhook confirms the booking, never this page."""
    booking = catalogue.visible_booking(booking_id, current_user) or abort(404)
    confirmed = booking.status == BookingStatus.CONFIRMED
    title = "Your booking is confirmed" if confirmed else "Payment received"
    return render_template("training/booking_paid.html", booking=booking, confirmed=confirmed, title=title)


@bp.route("/bookings/<int:booking_id>/calendar.ics")
@login_required
def booking_ics(booking_id: int):
    """A confirmed booking as a calendar event (it includes the venue, so only for those who may see it)."""
    booking = catalogue.visible_booking(booking_id, current_user) or abort(404)
    if booking.status != BookingStatus.CONFIRMED or not catalogue.can_see_private(current_user, booking.session):
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
    if payment.status in (PaymentStatus.PENDING, PaymentStatus.CANCELLED) and not payments.confirms_on_order(payment):
        return "You have not paid, so there is nothing to refund."
    due = bookings.refund_due(booking, by_publisher=False, now=utcnow())
    if due == 0:
        days = booking.session.course.cancellation_cutoff_days
        return f"The session starts in less than {days} days, so you will not get a refund."
    if payment.status == PaymentStatus.PENDING:
        return f"You will not have to pay: we will take {format_pence(due)} off invoice {payment.invoice_reference}."
    return f"You will get a full refund of {format_pence(due)}."


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_booking(booking_id: int):
    """Check, then cancel a booking (refund in full before the course's cut-off, nothing after)."""
    booking = catalogue.visible_booking(booking_id, current_user) or abort(404)
    if not catalogue.can_cancel_booking(current_user, booking):
        abort(403)
    back = redirect(url_for("training.show_booking", booking_id=booking.id))
    if booking.status not in HOLDS_SEATS:
        flash("This booking is no longer active.", "info")
        return back
    if request.method == "GET":
        title = "Are you sure you want to cancel this booking?"
        return render_template(
            "training/cancel_booking.html", booking=booking, refund=_refund_text(booking), title=title
        )
    unpaid_invoice = booking.payment is not None and booking.payment.status == PaymentStatus.PENDING
    try:
        refunded = bookings.cancel_booking(booking, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return back
    db.session.commit()
    flash(f"Your booking has been cancelled.{_refunded_text(booking, refunded, unpaid_invoice)}", "success")
    return back


def _refunded_text(booking, refunded: int, unpaid_invoice: bool) -> str:
    """What happened to the money, for the cancellation banner."""
    if not refunded:
        return ""
    if unpaid_invoice:
        return f" We have taken {format_pence(refunded)} off invoice {booking.payment.invoice_reference}."
    return f" We have refunded {format_pence(refunded)}."


@bp.route("/bookings")
@login_required
def my_bookings():
    """The person's bookings: still to come, then past and cancelled ones."""
    page = paginate(catalogue.past_bookings_query(current_user), request.args.get("page", 1, type=int))
    return render_template(
        "training/my_bookings.html",
        upcoming=catalogue.upcoming_bookings(current_user),
        page=page,
        booked_for_me=catalogue.places_booked_for(current_user),
        title="Your bookings",
    )


# --- waiting list ----------------------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/waiting-list", methods=["POST"])
@login_required
def join_waiting_list(session_id: int):
    """Queue for places on a full session with the names given."""
    session = _session_or_404(session_id)
    options = _options_or_403()
    form = booking_form(options, current_user)
    if form.adding or not form.validate_on_submit():
        return _book_page(session, form, options, full=True)
    option = form.option(options)
    try:
        entry = waiting.join_waiting_list(session, current_user, option.organisation, form.people(current_user))
    except waiting.AlreadyWaiting as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("training.waiting_list_entry", entry_id=error.entry_id))
    except DomainError as error:
        return _error_page(session, form, options, error, full=True)
    db.session.commit()
    flash("You are on the waiting list. We will email you if places come up.", "success")
    return redirect(url_for("training.waiting_list_entry", entry_id=entry.id))


@bp.route("/waiting-list/<int:entry_id>")
@login_required
def waiting_list_entry(entry_id: int):
    """The person's place on a waiting list, and any offer of places."""
    entry = catalogue.own_waiting_entry(entry_id, current_user) or abort(404)
    live_offer = entry.status == WaitStatus.OFFERED and entry.offer_expires_at > utcnow()
    return render_template(
        "training/waiting_list_entry.html",
        entry=entry,
        course=entry.session.course,
        live_offer=live_offer,
        title=f"Waiting list for {entry.session.course.title}",
    )


@bp.route("/waiting-list/<int:entry_id>/accept", methods=["POST"])
@login_required
def accept_offer(entry_id: int):
    """Take the places offered: they are booked, then paid for like any booking."""
    entry = catalogue.own_waiting_entry(entry_id, current_user) or abort(404)
    try:
        booking = waiting.accept_offer(entry, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("training.waiting_list_entry", entry_id=entry_id))
    db.session.commit()
    return _continue_to_payment(booking)


@bp.route("/waiting-list/<int:entry_id>/withdraw", methods=["POST"])
@login_required
def withdraw_waiting(entry_id: int):
    """Leave the waiting list (offered places go to the next person)."""
    entry = catalogue.own_waiting_entry(entry_id, current_user) or abort(404)
    try:
        waiting.withdraw(entry, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash("You have left the waiting list.", "success")
    return redirect(url_for("training.waiting_list_entry", entry_id=entry_id))
