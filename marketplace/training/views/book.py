"""Training pages for bookers: book and pay, see and cancel bookings, the waiting list."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...core.actions import attempt
from ...core.clock import utcnow
from ...core.errors import DomainError
from ...core.money import format_pence
from ...core.pagination import paginate
from ...core.permissions import allows, policy, signed_in
from ...payments import services as payments
from ...payments.models import PaymentStatus
from .. import attendee_cancel, booker_pages, calendar, catalogue, waiting
from .. import booking as bookings
from ..eligibility import NotEligible, check_eligible, price_for
from ..forms_booking import MAX_PLACES, BookingForm, booker_options, booking_form
from ..models import Booking, BookingStatus, TrainingSession, WaitingListEntry, WaitStatus
from ..permissions import own_waiting_entry, visible_booking, visible_session
from .blueprint import bp

# --- booking ---------------------------------------------------------------------------------------------------


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


def _book_page(session, form: BookingForm, options, *, full: bool, short: dict | None = None):
    """The booking form (or the waiting-list form when full) with prices and the total; `short` when fewer places
    are left than were asked for (how many, and who the places left would go to)."""
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
        short=short,
        waiting_action=url_for("training.join_waiting_list", session_id=session.id),
        title=f"{verb} {session.course.title}",
    )


def _explainer(form: BookingForm):
    """Shows a rule the booking broke on the form: by the email addresses it names, if any, or as a banner."""

    def explain(error: DomainError) -> None:
        """Put the message where the person will see what to fix."""
        message = str(error)
        named = [email for _, email in form.rows() if email.data and email.data.strip().lower() in message]
        if named and isinstance(error, bookings.AlreadyBooked):
            for email in named:
                email.errors.append(message)
        else:
            flash(message, "error")

    return explain


@bp.route("/sessions/<int:session_id>/book", methods=["GET", "POST"])
@policy("may_book", load=visible_session)
def book_session(session: TrainingSession):
    """Book places on a session for named people (or yourself as a relief worker); the waiting list when full."""
    options = booker_options(current_user)
    if not catalogue.is_bookable(session):
        flash("This session is not open for booking.", "error")
        return redirect(url_for("training.show_session", session_id=session.id))
    form = booking_form(options, current_user)
    if form.adding or not form.validate_on_submit():
        return _book_page(session, form, options, full=session.seats_left == 0)
    option = form.option(options)
    people = _first_people(form.people(current_user))
    booked = attempt(
        lambda: bookings.create_booking(session, current_user, option.organisation, people), report=_explainer(form)
    )
    if isinstance(booked.error, bookings.SessionFull):
        return _places_left_page(session, form, options, booked.error, people)
    if not booked.ok:
        return _book_page(session, form, options, full=False)
    return _continue_to_payment(booked.result)


def _first_people(people: list) -> list:
    """Everyone named, or only the first few when the booker chose to book the places that are left."""
    first = request.form.get("book_first", type=int)
    return people[:first] if first and 0 < first < len(people) else people


def _places_left_page(session, form: BookingForm, options, error: bookings.SessionFull, people: list):
    """Fewer places left than asked for: book that many (the first people named) or join the waiting list for all."""
    if error.seats_left == 0:
        return _book_page(session, form, options, full=True)
    first = [person.name for person in people[: error.seats_left]]
    names = first[0] if len(first) == 1 else f"{', '.join(first[:-1])} and {first[-1]}"
    short = {"left": error.seats_left, "wanted": error.wanted, "names": names}
    return _book_page(session, form, options, full=False, short=short)


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
    started = attempt(lambda: payments.start(booking.payment, bookings.checkout_request(booking)))
    if not started.ok:
        return redirect(url_for("training.show_booking", booking_id=booking.id))
    return redirect(started.result)


@bp.route("/bookings/<int:booking_id>/pay", methods=["POST"])
@policy("booker", load=visible_booking)
def pay_booking(booking: Booking):
    """Try the card payment again (the same idempotency key, so never two checkouts)."""
    if not _awaiting_card_payment(booking):
        flash("This booking is not waiting for payment.", "info")
        return redirect(url_for("training.show_booking", booking_id=booking.id))
    return _continue_to_payment(booking)


# --- a booking -------------------------------------------------------------------------------------------------


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
        can_pay=_awaiting_card_payment(booking) and allows(current_user, "booker", booking),
        minutes_left=booker_pages.hold_minutes_left(booking),
        amount_owed=payments.amount_owed(booking.payment) if booking.payment else 0,
        owed=_still_owed(booking),
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
    page = paginate(booker_pages.past_bookings_query(current_user), request.args.get("page", 1, type=int))
    return render_template(
        "training/my_bookings.html",
        upcoming=booker_pages.upcoming_bookings(current_user),
        page=page,
        booked_for_me=booker_pages.places_booked_for(current_user),
        title="Your bookings",
    )


# --- waiting list ----------------------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/waiting-list", methods=["POST"])
@policy("may_book", load=visible_session)
def join_waiting_list(session: TrainingSession):
    """Queue for places on a full session with the names given."""
    options = booker_options(current_user)
    form = booking_form(options, current_user)
    if form.adding or not form.validate_on_submit():
        return _book_page(session, form, options, full=True)
    option = form.option(options)
    people = form.people(current_user)
    joined = attempt(
        lambda: waiting.join_waiting_list(session, current_user, option.organisation, people),
        success="You are on the waiting list. We will email you if places come up.",
        report=_explainer(form),
    )
    if isinstance(joined.error, waiting.AlreadyWaiting):
        return redirect(url_for("training.waiting_list_entry", entry_id=joined.error.entry_id))
    if not joined.ok:
        return _book_page(session, form, options, full=True)
    return redirect(url_for("training.waiting_list_entry", entry_id=joined.result.id))


@bp.route("/waiting-list/<int:entry_id>")
@policy("waiting_entry_holder", load=own_waiting_entry)
def waiting_list_entry(entry: WaitingListEntry):
    """The person's place on a waiting list, and any offer of places."""
    live_offer = entry.status == WaitStatus.OFFERED and entry.offer_expires_at > utcnow()
    return render_template(
        "training/waiting_list_entry.html",
        entry=entry,
        course=entry.session.course,
        live_offer=live_offer,
        ahead=waiting.people_ahead(entry) if entry.status == WaitStatus.WAITING else None,
        title=f"Waiting list for {entry.session.course.title}",
    )


@bp.route("/waiting-list/<int:entry_id>/accept", methods=["POST"])
@policy("waiting_entry_holder", load=own_waiting_entry)
def accept_offer(entry: WaitingListEntry):
    """Take the places offered: they are booked, then paid for like any booking."""
    back = redirect(url_for("training.waiting_list_entry", entry_id=entry.id))
    accepted = attempt(lambda: waiting.accept_offer(entry, current_user))
    return _continue_to_payment(accepted.result) if accepted.ok else back


@bp.route("/waiting-list/<int:entry_id>/withdraw", methods=["POST"])
@policy("waiting_entry_holder", load=own_waiting_entry)
def withdraw_waiting(entry: WaitingListEntry):
    """Leave the waiting list (offered places go to the next person)."""
    back = redirect(url_for("training.waiting_list_entry", entry_id=entry.id))
    attempt(lambda: waiting.withdraw(entry, current_user), success="You have left the waiting list.")
    return back
