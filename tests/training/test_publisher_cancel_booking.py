"""A publisher cancels one booking from the roster: full refund even after the cut-off, and the booker is told."""

from sqlalchemy import select

from marketplace.core.notifications import Notification
from marketplace.extensions import db
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from tests import factories


def test_publisher_cancels_a_booking_with_full_refund_after_cutoff(client, login_as, ctx, clock):
    """Inside the cut-off a booker would get nothing back, but a publisher's cancellation refunds in full."""
    officer = factories.user(name="Officer")
    council = factories.publisher(officer, areas=("Leeds",))
    session = factories.training_session(factories.course(council), days_ahead=3)
    owner = factories.user(name="Owner")
    booking = bookings.create_booking(session, owner, factories.enterprise(owner), [Person("Ann", "ann@example.com")])
    db.session.commit()
    login_as(officer)
    roster = client.get(f"/training/manage/sessions/{session.id}/roster").get_data(as_text=True)
    # the roster's per-person link cancels that person's place (the only one here, so the whole booking)
    assert f"/training/manage/bookings/{booking.id}/people/{booking.attendees[0].id}/cancel" in roster
    empty = client.post(f"/training/manage/bookings/{booking.id}/cancel", data={"reason": ""})
    assert "Enter a reason for cancelling the booking" in empty.get_data(as_text=True)
    client.post(f"/training/manage/bookings/{booking.id}/cancel", data={"reason": "Trainer unavailable"})
    db.session.refresh(booking)
    assert booking.status == "cancelled" and booking.payment.refunded_pence == booking.total_pence == 1000
    assert session.seats_taken == 0
    note = db.session.scalar(
        select(Notification).where(Notification.user_id == owner.id, Notification.kind == "booking_cancelled")
    )
    assert note.title.startswith(council.name) and "Trainer unavailable" in note.body


def test_another_publisher_cannot_cancel(client, login_as, ctx):
    """A council that does not run the course gets 404 and the booking stays."""
    session = factories.training_session(factories.course(factories.publisher()))
    owner = factories.user()
    booking = factories.booking(session, owner, factories.enterprise(owner))
    stranger = factories.user()
    factories.publisher(stranger)
    db.session.commit()
    login_as(stranger)
    assert client.post(f"/training/manage/bookings/{booking.id}/cancel", data={"reason": "x"}).status_code == 404
    db.session.refresh(booking)
    assert booking.status == "confirmed"
