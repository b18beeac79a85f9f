"""Booking rules: hold seats, confirm, pay, cancel with the cut-off refund rule, expire unpaid holds."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..core import audit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.mail import send_email
from ..core.money import format_pence
from ..core.notifications import Notification, notify, notify_each
from ..core.queue import enqueue
from ..core.states import advance, change
from ..extensions import db
from ..organisations.services import owners
from ..payments import services as payments
from ..payments.models import PaymentPurpose, RefundStatus
from ..payments.providers import CheckoutRequest
from . import publisher_notices
from .attendee_emails import booking_message_id, email_attendees, email_invoice
from .calendar import booking_ics
from .eligibility import check_eligible, price_for
from .models import (
    ATTENDEE_STATES,
    BOOKING_STATES,
    Attendee,
    AttendeeStatus,
    Booking,
    BookingStatus,
    CourseStatus,
    TrainingSession,
)
from .offers import offer_seats
from .permissions import require
from .seats import give_back_seats, lock_session, seats_left, take_seats

HOLD_MINUTES = 15
log = logging.getLogger(__name__)


class SessionFull(DomainError):
    """Not enough seats left: seats_left says how many there are, wanted how many were asked for."""

    def __init__(self, seats_left: int, wanted: int):
        self.seats_left, self.wanted = seats_left, wanted
        if seats_left == 0:
            super().__init__("This session is full. You can join the waiting list")
        else:
            places = "1 place is" if seats_left == 1 else f"{seats_left} places are"
            super().__init__(f"Only {places} left on this session")


class BookingClosed(DomainError):
    """The session cannot be booked now."""


class AlreadyBooked(DomainError):
    """A named person already has a place on the session."""


@dataclass(frozen=True)
class Person:
    """A named attendee."""

    name: str
    email: str


def _check_bookable(session: TrainingSession, people: list[Person], booker, organisation) -> None:
    if not session.is_bookable:
        closed = session.booking_has_closed and session.course.status == CourseStatus.PUBLISHED
        raise BookingClosed("Booking for this session has closed" if closed else "This session is not open for booking")
    check_people(session, people, booker, organisation)


def check_people(
    session: TrainingSession, people: list[Person], booker=None, organisation=None, *, only_own: bool = False
) -> None:
    """At least one person, none named twice, none already holding a place on the session.

    Only places this booker (or their enterprise) booked are named; others are not revealed. With only_own (joining
    a full session's waiting list) someone else's place is not mentioned at all, so a full session cannot be used to
    find out who has a place on it; the booking made from an offer checks again.
    """
    emails = [person.email for person in people]
    if not people:
        raise DomainError("Add at least one person to book")
    if len(set(emails)) != len(emails):
        raise AlreadyBooked("Each person can only have one place: remove the repeated email address")
    taken = db.session.execute(
        select(Attendee.email, Booking.booker_id, Booking.organisation_id)
        .join(Booking, Booking.id == Attendee.booking_id)
        .where(
            Attendee.session_id == session.id, Attendee.email.in_(emails), Attendee.status != AttendeeStatus.CANCELLED
        )
    ).all()
    own = sorted(email for email, booker_id, org_id in taken if _is_ours(booker_id, org_id, booker, organisation))
    if own:
        raise AlreadyBooked(f"{', '.join(own)} already has a place on this session")
    if taken and not only_own:
        raise AlreadyBooked("Someone you named already has a place on this session")


def _is_ours(booker_id, org_id, booker, organisation) -> bool:
    return (booker is not None and booker_id == booker.id) or (organisation is not None and org_id == organisation.id)


def normalise_people(people: list[Person]) -> list[Person]:
    """Trim names and lower-case email addresses so duplicates are caught."""
    return [Person(p.name.strip(), p.email.strip().lower()) for p in people]


def _checked_people(session: TrainingSession, booker, organisation, people: list[Person]) -> list[Person]:
    """Who may book, the session open, the people (normalised) and eligibility: what every booking checks first."""
    require(booker, "books_for", organisation)
    people = normalise_people(people)
    _check_bookable(session, people, booker, organisation)
    check_eligible(session.course, booker, organisation)
    return people


def check_booking(session: TrainingSession, booker, organisation, people: list[Person]) -> list[Person]:
    """Every check create_booking makes, writing nothing (for the check-your-answers page): SessionFull if fewer
    places are left now than people named. The people, normalised. Confirming checks it all again."""
    people = _checked_people(session, booker, organisation, people)
    if session.seats_left < len(people):
        raise SessionFull(max(0, session.seats_left), len(people))
    return people


def create_booking(
    session: TrainingSession, booker, organisation, people: list[Person], *, seats_held: bool = False
) -> Booking:
    """Record a reserved booking with its attendees (and its payment, or its confirmation), then take its seats.

    The seat change is the transaction's last statement: every row of the booking is written first, so the session
    row is locked (by the conditional UPDATE) only from the seat change to the caller's commit, and people booking
    one session at once wait for each other's seat change, never for each other's whole booking (when the places
    have gone, the UPDATE changes nothing and the caller rolls the rows back). Emails and notices are queued jobs,
    run after the commit.
    seats_held: a waiting-list offer already holds the seats (its caller locked the session first).
    """
    now = utcnow()
    people = _checked_people(session, booker, organisation, people)
    band, unit = price_for(session.course, booker, organisation)
    booking = Booking(
        session=session,
        booker=booker,
        organisation=organisation,
        seats=len(people),
        price_band=band,
        unit_price_pence=unit,
        total_pence=unit * len(people),
        hold_expires_at=now + timedelta(minutes=HOLD_MINUTES),
    )
    _add_attendees(booking, people)
    audit.record(
        "booking.reserved", obj=booking, organisation=organisation, seats=booking.seats, total=booking.total_pence
    )
    _arrange_payment(booking)
    if not seats_held:
        db.session.flush()  # the booking's rows first: nothing is written between the seat change and the commit
        if not take_seats(session.id, len(people)):  # the places went meanwhile: the caller rolls back
            raise SessionFull(min(seats_left(session.id), len(people) - 1), len(people))
    return booking


def _add_attendees(booking: Booking, people: list[Person]) -> None:
    """Insert the booking and its attendees; the unique index is the last word on double booking. (No savepoint:
    a DomainError rolls the caller's whole transaction back, so the failed INSERT needs no separate undoing.)"""
    db.session.add(booking)
    for person in people:
        db.session.add(Attendee(booking=booking, session_id=booking.session.id, name=person.name, email=person.email))
    try:
        db.session.flush()
    except IntegrityError as error:
        raise AlreadyBooked("Someone you named already has a place on this session") from error


def _arrange_payment(booking: Booking) -> None:
    """Free: confirm now. Otherwise a payment, and (if the provider confirms on order) the confirmation and invoice."""
    if booking.total_pence == 0:
        confirm(booking)
        return
    course = booking.session.course
    booking.payment = payments.create_payment(
        purpose=PaymentPurpose.TRAINING_BOOKING,
        amount_pence=booking.total_pence,
        description=f"{course.title}, {booking.seats} place{'s' if booking.seats > 1 else ''}",
        key=f"training-booking-{booking.id}",
        payer_organisation=booking.organisation,
        payer_user=booking.booker,
        payee_organisation=course.organisation,
    )
    invoiced = payments.issues_invoice(booking.payment)
    if payments.confirms_on_order(booking.payment):
        confirm(booking, invoiced=invoiced)
    elif invoiced:
        enqueue(send_booking_emails, booking.id, confirmed=False, invoiced=True)


def checkout_request(booking: Booking) -> CheckoutRequest:
    """What the payment provider needs to take payment for a reserved booking."""
    return CheckoutRequest(
        description=booking.payment.description,
        quantity=booking.seats,
        unit_amount_pence=booking.unit_price_pence,
        success_url=url_for("training.booking_paid", booking_id=booking.id, _external=True),
        cancel_url=url_for("training.show_booking", booking_id=booking.id, _external=True),
        # Fixed per booking, so a retried call carries the same parameters (and idempotency key) as the first;
        # hosted checkouts stay open at least 30 minutes, and the seats are held for 15, so it is always in range.
        expires_at=booking.created_at + timedelta(minutes=45),
        customer_email=booking.booker.email,
    )


def confirm(booking: Booking, *, invoiced: bool = False) -> None:
    """Confirm a booking and tell the booker in-app; once the transaction commits, a queued job emails the
    confirmation (and the invoice, if `invoiced`), the people named and the publisher (send_booking_emails)."""
    advance(
        booking,
        BOOKING_STATES,
        BookingStatus.CONFIRMED,
        actor=None,
        organisation=booking.organisation,
        values={"confirmed_at": utcnow(), "hold_expires_at": None},
    )
    title = f"Your booking for {booking.session.course.title} is confirmed"
    link = url_for("training.show_booking", booking_id=booking.id, _external=True)
    # The in-app notification only: the email is the full confirmation (send_booking_emails), not notify()'s.
    db.session.add(
        Notification(user_id=booking.booker.id, kind="booking_confirmed", title=title, link=link, emailed_at=utcnow())
    )
    enqueue(send_booking_emails, booking.id, confirmed=True, invoiced=invoiced)


def send_booking_emails(booking_id: int, *, confirmed: bool, invoiced: bool) -> None:
    """Job, after the booking's commit: the booker's confirmation (when, where, who, price, invoice reference) with a
    calendar file, each person named, the publisher's training people; the invoice email if one was raised.

    Rendering happens here, not in the booker's request. Each email has a fixed Message-ID and the publisher's
    notice a fixed fan-out key, so a retried job sends nothing twice."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        return
    if confirmed:
        _email_confirmation(booking)
        email_attendees(booking)
        publisher_notices.booking_made(booking)
    if invoiced:
        email_invoice(booking)
    db.session.commit()  # hands the deliveries and the fan-out to the queue


def _email_confirmation(booking: Booking) -> None:
    session, payment = booking.session, booking.payment
    invoiced = payment is not None and payments.issues_invoice(payment)
    link = url_for("training.show_booking", booking_id=booking.id, _external=True)
    send_email(
        booking.booker.email,
        "training_booking_confirmed",
        message_id=booking_message_id(booking, "confirmed"),
        booking=booking,
        session=session,
        course=session.course,
        people=[attendee for attendee in booking.attendees if attendee.status == AttendeeStatus.BOOKED],
        invoice_reference=payment.invoice_reference if invoiced else None,
        invoice_link=url_for("payments.show_invoice", payment_id=payment.id, _external=True) if invoiced else None,
        booking_link=link,
        attachments=(("backstop-training.ics", booking_ics(booking), "text/calendar"),),
    )


def _release(booking: Booking) -> None:
    give_back_seats(booking.session_id, booking.seats)
    for attendee in booking.attendees:
        if attendee.status == AttendeeStatus.BOOKED:
            advance(attendee, ATTENDEE_STATES, AttendeeStatus.CANCELLED, actor=None, organisation=booking.organisation)


def refund_due(booking: Booking, *, by_publisher: bool, now: datetime) -> int:
    """Full refund if the publisher cancels or the booker cancels before the cut-off; nothing after."""
    if by_publisher:
        return booking.total_pence
    cutoff = booking.session.starts_at - timedelta(days=booking.session.course.cancellation_cutoff_days)
    return booking.total_pence if now < cutoff else 0


def cancel_booking(booking: Booking, actor, *, by_publisher: bool = False, reason: str = "") -> int:
    """Cancel a live booking, free its seats, refund per the rules and offer the seats on; returns pence refunded."""
    require(actor, "training_publisher" if by_publisher else "booking_canceller", booking)
    session = lock_session(booking.session_id)  # one lock order for every seat change on a session: no deadlocks
    now = utcnow()
    if now >= session.starts_at:
        raise BookingClosed("This session has started, so its bookings can no longer be cancelled")
    due = refund_due(booking, by_publisher=by_publisher, now=now)
    values = {"cancelled_at": now, "cancellation_reason": reason[:200] or None}
    if not change(
        booking, BOOKING_STATES, BookingStatus.CANCELLED, actor=actor, values=values, by_publisher=by_publisher, due=due
    ):
        raise DomainError("This booking has already been cancelled")
    _release(booking)
    refunded = _settle_cancelled_payment(booking, due)  # the payment's own audit event records what was refunded
    _tell_cancelled(booking, refunded, by_publisher)
    publisher_notices.booking_cancelled(booking, by_publisher=by_publisher)
    offer_seats(booking.session_id)
    return refunded


def _settle_cancelled_payment(booking: Booking, refund_pence: int) -> int:
    """Stop an unpaid checkout or give back refund_pence; the pence actually given back."""
    if booking.payment is None:
        return 0
    refund = payments.settle_cancelled_order(booking.payment, refund_pence, "Training booking cancelled")
    if refund is None:
        return 0
    if refund.status == RefundStatus.FAILED:
        _tell_refund_failed(booking, refund.amount_pence)
        return 0
    return refund.amount_pence


def _tell_refund_failed(booking: Booking, amount_pence: int) -> None:
    """A refund the provider refused needs people: the booker is told, and the publisher's owners must act."""
    course = booking.session.course
    link = url_for("training.show_booking", booking_id=booking.id, _external=True)
    audit.record(
        "payment.refund_failed",
        obj=booking.payment,
        organisation=booking.organisation,
        actor=None,
        amount=amount_pence,
        booking_id=booking.id,
    )
    notify(
        booking.booker,
        "refund_failed",
        title=f"We could not refund {format_pence(amount_pence)} for {course.title}",
        body=f"{course.organisation.name} has been told and will contact you.",
        link=link,
    )
    notify_each(
        owners(course.organisation),
        "refund_failed",
        title=f"A refund of {format_pence(amount_pence)} for {course.title} failed",
        body=f"Refund {booking.booker.name} by another means (booking {booking.id}).",
        link=link,
    )


def _tell_cancelled(booking: Booking, refunded: int, by_publisher: bool) -> None:
    course = booking.session.course
    who = course.organisation.name if by_publisher else "You"
    money = f" {payments.refunded_words(booking.payment, refunded)}" if refunded else ""  # the provider words it
    notify(
        booking.booker,
        "booking_cancelled",
        title=f"{who} cancelled your booking for {course.title}",
        body=f"{booking.cancellation_reason or ''}{money}".strip(),
        link=url_for("training.show_booking", booking_id=booking.id, _external=True),
    )


def expire_hold(booking: Booking) -> bool:
    """An unpaid hold lapsed: release its seats, stop its checkout, offer the seats on."""
    lock_session(booking.session_id)
    if not change(booking, BOOKING_STATES, BookingStatus.EXPIRED, actor=None):
        return False
    _release(booking)
    if booking.payment is not None:
        payments.cancel_unpaid(booking.payment)
    offer_seats(booking.session_id)
    return True


def expire_holds(now: datetime) -> int:
    """Job: expire every reserved booking whose hold has passed."""
    due = db.session.scalars(
        select(Booking)
        .where(Booking.status == BookingStatus.RESERVED, Booking.hold_expires_at <= now)
        .order_by(Booking.session_id, Booking.id)  # sessions locked in one order: concurrent runs cannot deadlock
    ).all()
    expired = 0
    for booking in due:
        try:
            with db.session.begin_nested():  # one bad hold must not keep the others' seats
                expired += expire_hold(booking)
        except (DomainError, SQLAlchemyError):
            log.exception("Could not expire the hold of booking %s", booking.id)
    return expired


def live_seats(session_id: int) -> int:
    """Seats held by reserved and confirmed bookings (for the invariant checks)."""
    query = select(func.coalesce(func.sum(Booking.seats), 0)).where(
        Booking.session_id == session_id, Booking.status.in_((BookingStatus.RESERVED, BookingStatus.CONFIRMED))
    )
    return db.session.scalar(query)
