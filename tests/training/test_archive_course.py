"""Archiving a course: a confirmation that names who is booked, then its upcoming sessions cancelled with refunds."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.core.clock import utcnow
from marketplace.core.errors import DomainError, NotAllowed
from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.payments import services as payments
from marketplace.payments.models import Payment, PaymentStatus, Refund
from marketplace.training import booking as bookings
from marketplace.training import courses
from marketplace.training.booking import Person
from marketplace.training.models import Booking, BookingStatus, Course, CourseStatus, SessionStatus, TrainingSession
from tests import factories


@pytest.fixture
def council(ctx, clock):
    """Leeds City Council (owner 'Officer') with a published course, and a plain member of another council."""
    officer = factories.user(name="Officer", role="publisher")
    organisation = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    course = factories.course(organisation, title="First aid at work")
    outsider = factories.user(name="Outsider", role="publisher")
    factories.membership(outsider, factories.publisher(name="Other Council"), role=MemberRole.MEMBER)
    db.session.commit()
    return course, officer, outsider


@pytest.fixture
def booked(council):
    """Two upcoming sessions with invoice bookings (one paid), an empty one, and one running now."""
    course, officer, outsider = council
    first = factories.training_session(course, days_ahead=20, capacity=5)
    second = factories.training_session(course, days_ahead=40, capacity=5)
    empty = factories.training_session(course, days_ahead=60)
    started = utcnow() - timedelta(hours=1)
    running = factories.training_session(course, starts_at=started, booking_deadline=started - timedelta(days=1))
    owner = factories.user(name="Owner")
    enterprise = factories.enterprise(owner, name="Cafe Ltd", area_name="Leeds")
    db.session.commit()
    pair = bookings.create_booking(
        first, owner, enterprise, [Person("Ann Archer", "ann@example.com"), Person("Bob Baker", "bob@example.com")]
    )
    single = bookings.create_booking(second, owner, enterprise, [Person("Cat Cole", "cat@example.com")])
    payments.mark_invoice_paid(single.payment, officer)
    db.session.commit()
    return course, officer, outsider, owner, (first, second, empty, running), (pair, single)


def status_of(model, row_id):
    """A row's status as the database has it now."""
    db.session.expire_all()
    return db.session.get(model, row_id).status


def test_confirmation_lists_who_is_booked(client, login_as, booked):
    """The course page's button leads to a page naming each session's bookers, people and places."""
    course, officer, *_ = booked
    login_as(officer)
    course_page = client.get(f"/training/manage/courses/{course.id}").get_data(as_text=True)
    assert f'href="/training/manage/courses/{course.id}/archive"' in course_page
    response = client.get(f"/training/manage/courses/{course.id}/archive")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Ann Archer", "Bob Baker", "Cat Cole", "Owner", "Cafe Ltd", "2 places booked", "1 place booked"):
        assert text in page
    assert "Everyone booked is told by email and refunded in full" in page
    assert "Reason for cancelling the sessions" in page and "Archive course and refund everyone" in page
    assert status_of(Course, course.id) == CourseStatus.PUBLISHED


def test_archiving_cancels_upcoming_sessions_with_refunds_and_notices(client, login_as, booked, outbox):
    """Archived; every upcoming session cancelled, bookings refunded in full and people told; a running one stays."""
    course, officer, _, owner, (first, second, empty, running), (pair, single) = booked
    login_as(officer)
    response = client.post(f"/training/manage/courses/{course.id}/archive", data={"reason": "The trainer has left"})
    assert response.status_code == 302
    assert status_of(Course, course.id) == CourseStatus.ARCHIVED
    for session in (first, second, empty):
        assert status_of(TrainingSession, session.id) == SessionStatus.CANCELLED
    assert status_of(TrainingSession, running.id) == SessionStatus.SCHEDULED
    for booking_id in (pair.id, single.id):
        booking = db.session.get(Booking, booking_id)
        assert booking.status == BookingStatus.CANCELLED and booking.cancellation_reason == "The trainer has left"
        payment = db.session.get(Payment, booking.payment_id)
        assert payment.refunded_pence == payment.amount_pence == booking.total_pence > 0  # credit on the unpaid one
    assert db.session.get(Payment, single.payment_id).status == PaymentStatus.REFUNDED
    assert payments.reconciliation_problems() == []
    for address in ("ann@example.com", "bob@example.com", "cat@example.com"):
        (message,) = [m for m in outbox.to(address) if "is cancelled" in m["Subject"]]
        assert "The trainer has left" in message.get_body().get_content()
    assert any("cancelled your booking" in m["Subject"] for m in outbox.to(owner.email))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Its 3 upcoming sessions are cancelled. All 2 bookings have been refunded in full" in page


def test_a_reason_is_needed_when_people_are_booked(client, login_as, booked):
    """No reason: the page says so and nothing is archived, cancelled or refunded."""
    course, officer, *_ = booked
    login_as(officer)
    response = client.post(f"/training/manage/courses/{course.id}/archive", data={"reason": "  "})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Enter a reason for cancelling the sessions" in page
    assert "<title>Error:" in page and "Ann Archer" in page
    assert status_of(Course, course.id) == CourseStatus.PUBLISHED
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0
    with pytest.raises(DomainError, match="Enter a reason for cancelling the sessions"):
        courses.archive_course(course, officer, "")


def test_a_failed_cancellation_writes_nothing(client, login_as, booked, monkeypatch):
    """The payment provider fails on the second session: no session is cancelled, the course stays published."""
    course, officer, _, _, (first, second, *_), (pair, single) = booked
    settle = payments.settle_cancelled_order

    def fail_second(payment, *args):
        if payment.id == single.payment_id:
            raise payments.PaymentProviderUnavailable("We could not reach the payment provider to make the refund")
        return settle(payment, *args)

    monkeypatch.setattr(bookings.payments, "settle_cancelled_order", fail_second)
    login_as(officer)
    response = client.post(f"/training/manage/courses/{course.id}/archive", data={"reason": "The trainer has left"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "We could not reach the payment provider" in page
    assert status_of(Course, course.id) == CourseStatus.PUBLISHED
    assert status_of(TrainingSession, first.id) == status_of(TrainingSession, second.id) == SessionStatus.SCHEDULED
    assert status_of(Booking, pair.id) == BookingStatus.CONFIRMED
    assert db.session.scalar(select(func.count()).select_from(Refund)) == 0


def test_with_nobody_booked_the_course_is_archived_at_once(client, login_as, council):
    """No upcoming bookings: the button archives straight away, and its empty session is cancelled too."""
    course, officer, _ = council
    empty = factories.training_session(course, days_ahead=10)
    db.session.commit()
    login_as(officer)
    course_page = client.get(f"/training/manage/courses/{course.id}").get_data(as_text=True)
    assert f'href="/training/manage/courses/{course.id}/archive"' not in course_page
    assert f'action="/training/manage/courses/{course.id}/archive"' in course_page
    response = client.post(f"/training/manage/courses/{course.id}/archive", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "First aid at work is archived. Its upcoming session is cancelled. Nobody was booked on it." in page
    assert "refunded" not in page
    assert status_of(Course, course.id) == CourseStatus.ARCHIVED
    assert status_of(TrainingSession, empty.id) == SessionStatus.CANCELLED


def test_a_member_of_another_council_cannot_archive(client, login_as, booked):
    """Neither the confirmation nor the archive is found for them, and the service refuses them."""
    course, _, outsider, *_ = booked
    login_as(outsider)
    assert client.get(f"/training/manage/courses/{course.id}/archive").status_code == 404
    response = client.post(f"/training/manage/courses/{course.id}/archive", data={"reason": "Mine now"})
    assert response.status_code == 404
    assert status_of(Course, course.id) == CourseStatus.PUBLISHED
    with pytest.raises(NotAllowed):
        courses.archive_course(course, outsider, "Mine now")
