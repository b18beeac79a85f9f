"""Training pages for bookers: book (the form, check your answers, confirm) and pay; the waiting list."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...core.actions import attempt
from ...core.clock import utcnow
from ...core.errors import DomainError
from ...core.money import format_pence
from ...core.permissions import policy
from ...extensions import db
from ...payments import services as payments
from ...payments.models import PaymentStatus
from .. import booker_pages, catalogue, waiting
from .. import booking as bookings
from ..eligibility import NotEligible, check_eligible, price_for
from ..forms_booking import (
    MAX_PLACES,
    BookingForm,
    answers,
    booker_options,
    booking_form,
    checked_seal,
    confirms_what_was_checked,
)
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
    """The booking form (or the waiting-list form when full) with prices and the total for the people entered so
    far; `short` when fewer places are left than were asked for (how many, and who the places left would go to)."""
    prices = _prices(session, options)
    chosen = next((row for row in prices if row["option"].value == form.booker_for.data and "unit" in row), None)
    paid = chosen["unit"] if chosen else max((row.get("unit", 0) for row in prices), default=0)
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
        places=form.places(),
        units={row["option"].value: row["unit"] for row in prices if "unit" in row},
        hold_minutes=booker_pages.minutes_held(paid),
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
    """The booking form for named people (or yourself as a relief worker), the waiting list when full; posted, the
    check-your-answers page. Nothing is booked or written until the booker confirms there."""
    return _booking_step(session, confirming=False)


@bp.route("/sessions/<int:session_id>/book/confirm", methods=["POST"])
@policy("may_book", load=visible_session)
def confirm_booking(session: TrainingSession):
    """Book what the check page showed. The answers come back as hidden fields and are checked again (places may
    have gone meanwhile); if they, the price or the session differ from what was checked, check them again."""
    return _booking_step(session, confirming=True)


CHANGED = "Something changed since you checked your answers. Check them again, then confirm your booking."


def _booking_step(session: TrainingSession, *, confirming: bool):
    """The form until its answers are complete; then the check page, or (confirming what was checked) the booking."""
    options = booker_options(current_user)
    if not catalogue.is_bookable(session):
        flash("This session is not open for booking.", "error")
        return redirect(url_for("training.show_session", session_id=session.id))
    form = booking_form(options, current_user)
    if form.editing or not form.validate_on_submit():
        return _book_page(session, form, options, full=session.seats_left == 0)
    option = form.option(options)
    people = bookings.normalise_people(_first_people(form.people(current_user)))
    if confirming and confirms_what_was_checked(request.form, _facts(session, option, people)):
        return _confirm(session, form, options, option, people)
    if confirming:
        flash(CHANGED, "info")
    checked = attempt(
        lambda: bookings.check_booking(session, current_user, option.organisation, people), report=_explainer(form)
    )
    if not checked.ok:
        return _not_booked_page(session, form, options, checked.error, people)
    return _check_page(session, form, option, checked.result)


def _facts(session: TrainingSession, option, people: list) -> list:
    """What the check page shows: the session (and its revision), who books for whom, the price, the people."""
    unit = price_for(session.course, current_user, option.organisation)[1]
    people = [[person.name, person.email] for person in people]
    return [session.id, session.revision or 0, current_user.id, option.value, unit, people]


def _check_page(session: TrainingSession, form: BookingForm, option, people: list):
    """Check your answers: the session, each person (with Change buttons back to the form), the price per place and
    which price it is, the total, how it is paid and any hold; its confirm button posts the answers to confirm."""
    return render_template(
        "training/book_check.html",
        **booker_pages.money_facts(session, current_user, option.organisation, len(people)),
        session=session,
        course=session.course,
        form=form,
        option=option,
        people=people,
        answers=answers(form, people),
        checked=checked_seal(_facts(session, option, people)),
        change_action=url_for("training.book_session", session_id=session.id),
        action=url_for("training.confirm_booking", session_id=session.id),
        title="Check your answers before booking",
    )


def _confirm(session: TrainingSession, form: BookingForm, options, option, people: list):
    """Book the places (every rule checked again); a confirm sent twice finds the booking the first one made.

    A session already full when this request read it is refused before anything is written (so nothing is rolled
    back, and the page need not read the session again); the booking service decides every other case."""
    if session.seats_left < len(people):
        return _not_booked(
            session, form, options, option, people, bookings.SessionFull(session.seats_left, len(people))
        )
    booked = attempt(lambda: _book(session, option, people), report=lambda _: None)
    if not booked.ok:
        return _not_booked(session, form, options, option, people, booked.error)
    booking_id, message = booked.result
    if message is None:
        return _continue_to_payment(db.session.get(Booking, booking_id))
    flash(message, "success")
    return redirect(url_for("training.show_booking", booking_id=booking_id))


def _book(session: TrainingSession, option, people: list) -> tuple[int, str | None]:
    """Book the places: the booking's id and its success message (None while a card payment is awaited), taken
    before the commit, which would otherwise make the redirect read the booking and its payment again."""
    booking = bookings.create_booking(session, current_user, option.organisation, people)
    return booking.id, None if awaiting_card_payment(booking) else _booked_message(booking)


def _not_booked(session: TrainingSession, form: BookingForm, options, option, people: list, error: DomainError):
    """The booking was refused: the booking a confirm sent twice already made, or the reason on the form."""
    if isinstance(error, (bookings.AlreadyBooked, bookings.SessionFull)):
        emails = [person.email for person in people]
        earlier = booker_pages.live_booking_for(session.id, current_user, option.organisation, emails)
        if earlier is not None:
            return _continue_to_payment(earlier)
    _explainer(form)(error)
    if isinstance(error, bookings.SessionFull) and error.seats_left == 0:
        return _full_page(session, form, people)
    return _not_booked_page(session, form, options, error, people)


def _full_page(session: TrainingSession, form: BookingForm, people: list):
    """The places went between the check and the confirm: nothing booked; join the waiting list for the same people
    in one click (or change them first). A short page, as many people can be told this at once."""
    count = len(people)
    join_words = "Join the waiting list" + ("" if count == 1 else f" for {_everyone(count)}")
    return render_template(
        "training/book_full.html",
        session=session,
        people=people,
        answers=answers(form, people),
        join_words=join_words,
        change_field=None if form.for_myself() else "name_1",
        action=url_for("training.join_waiting_list", session_id=session.id),
        change_action=url_for("training.book_session", session_id=session.id),
        title=f"Join the waiting list for {session.course.title}",
    )


def _not_booked_page(session: TrainingSession, form: BookingForm, options, error, people: list):
    """The form again after a broken rule (already explained): the places-left choice when too few are left."""
    if isinstance(error, bookings.SessionFull):
        return _places_left_page(session, form, options, error, people)
    return _book_page(session, form, options, full=False)


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
    short = {"left": error.seats_left, "wanted": error.wanted, "names": names, "everyone": _everyone(error.wanted)}
    return _book_page(session, form, options, full=False, short=short)


def _everyone(count: int) -> str:
    """The people of a booking of two or more, as in 'join the waiting list for both people'."""
    return "both people" if count == 2 else f"all {count} people"


def awaiting_card_payment(booking) -> bool:
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
    if not awaiting_card_payment(booking):
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
    if not awaiting_card_payment(booking):
        flash("This booking is not waiting for payment.", "info")
        return redirect(url_for("training.show_booking", booking_id=booking.id))
    return _continue_to_payment(booking)


# --- waiting list ----------------------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/waiting-list", methods=["POST"])
@policy("may_book", load=visible_session)
def join_waiting_list(session: TrainingSession):
    """Queue for places on a full session with the names given."""
    options = booker_options(current_user)
    form = booking_form(options, current_user)
    if form.editing or not form.validate_on_submit():
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
