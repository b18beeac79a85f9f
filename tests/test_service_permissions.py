"""Services that change state check who is acting, so a job, a command or a new page cannot skip the check a page
makes: someone without the relationship (or no one at all) gets NotAllowed and nothing changes."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from marketplace.core.errors import NotAllowed
from marketplace.extensions import db
from marketplace.organisations import areas as org_areas
from marketplace.organisations import services as organisations
from marketplace.organisations.models import MemberRole, Membership, MembershipStatus, OrgStatus
from marketplace.payments import services as payments
from marketplace.payments.models import Payment
from marketplace.training import attendance, courses, waiting
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from marketplace.training.models import (
    AttendeeStatus,
    BookingStatus,
    Course,
    CourseStatus,
    SessionStatus,
    TrainingSession,
    WaitingListEntry,
)
from tests import factories


@pytest.fixture
def world(ctx, clock):
    """A council (owner and plain member) with a course, a session and a booking by an enterprise (owner and
    member); a rival council's officer; a platform admin; a pending council; a request to join the council."""
    officer, clerk, rival = factories.user(name="Officer"), factories.user(name="Clerk"), factories.user(name="Rival")
    council = factories.publisher(officer, name="Leeds City Council")
    factories.membership(clerk, council, role=MemberRole.MEMBER)
    factories.publisher(rival, name="Rival Council")
    course = factories.course(council, title="First aid at work")
    session = factories.training_session(course)
    owner, staff = factories.user(name="Owner"), factories.user(name="Staff")
    enterprise = factories.enterprise(owner, name="Care Co")
    staff_row = factories.membership(staff, enterprise, role=MemberRole.MEMBER)
    booking = factories.booking(session, owner, enterprise, people=[("Ann", "ann@example.com")])
    requester = factories.user(name="Requester")
    request = factories.membership(requester, council, role=MemberRole.MEMBER, status=MembershipStatus.REQUESTED)
    pending = factories.publisher(factories.user(), status=OrgStatus.PENDING, name="Pending Council")
    invitation, _ = factories.invitation(enterprise, "new.person@example.com")
    admin = factories.user(name="Admin", admin=True)
    db.session.commit()
    return SimpleNamespace(
        officer=officer,
        clerk=clerk,
        rival=rival,
        admin=admin,
        council=council,
        course=course,
        session=session,
        owner=owner,
        staff=staff,
        staff_row=staff_row,
        enterprise=enterprise,
        booking=booking,
        request=request,
        pending=pending,
        invitation=invitation,
        area=factories.area("Leeds"),
    )


def _times(session) -> dict:
    return {
        "starts_at": session.starts_at + timedelta(hours=1),
        "ends_at": session.ends_at + timedelta(hours=1),
        "booking_deadline": session.booking_deadline,
        "place": "Somewhere else",
    }


def _course(like) -> dict:
    """Details of a new course, copied from an existing one."""
    names = ("topic_id", "description", "delivery", "full_price_pence", "subsidised_price_pence")
    return {"title": "Manual handling", "cancellation_cutoff_days": 7, **{name: getattr(like, name) for name in names}}


TRAINING_ACTIONS = {
    "create a course": lambda w, actor: courses.create_course(w.council, actor, **_course(w.course)),
    "change a course": lambda w, actor: courses.update_course(w.course, actor, title="Renamed"),
    "archive a course": lambda w, actor: courses.change_course_status(w.course, CourseStatus.ARCHIVED, actor),
    "add a session": lambda w, actor: courses.add_session(w.course, actor, capacity=5, **_times(w.session)),
    "change a session": lambda w, actor: courses.update_session(w.session, actor, capacity=4, **_times(w.session)),
    "cancel a session": lambda w, actor: courses.cancel_session(w.session, actor, "Trainer ill"),
    "cancel a booking as its publisher": lambda w, actor: bookings.cancel_booking(
        w.booking, actor, by_publisher=True, reason="Room lost"
    ),
}


def _unchanged(w) -> None:
    """Nothing the refused call could have changed has changed."""
    db.session.rollback()
    assert w.course.title == "First aid at work" and w.course.status == CourseStatus.PUBLISHED
    assert w.session.status == SessionStatus.SCHEDULED and w.session.capacity == 10
    assert w.booking.status == BookingStatus.CONFIRMED
    assert db.session.scalar(select(func.count()).select_from(Course)) == 1
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 1


@pytest.mark.parametrize("action", sorted(TRAINING_ACTIONS))
@pytest.mark.parametrize("who", ["rival", "owner", "admin", "nobody"])
def test_only_the_publisher_manages_its_courses(world, action, who):
    """A rival council's officer, the booker, a platform admin and a job with no actor are all refused."""
    actor = None if who == "nobody" else getattr(world, who)
    with pytest.raises(NotAllowed):
        TRAINING_ACTIONS[action](world, actor)
    _unchanged(world)


@pytest.mark.parametrize("action", sorted(TRAINING_ACTIONS))
def test_any_member_of_the_publisher_may(world, action):
    """The same calls by a plain member of the council go through (the check is membership, not ownership)."""
    TRAINING_ACTIONS[action](world, world.clerk)


@pytest.mark.parametrize("who", ["rival", "owner", "staff", "nobody"])
def test_only_the_publisher_records_attendance(world, clock, who):
    """Marking attendance issues certificates: nobody outside the council may, even once the session has started."""
    clock.set(world.session.starts_at + timedelta(hours=3))
    attendee = world.booking.attendees[0]
    actor = None if who == "nobody" else getattr(world, who)
    with pytest.raises(NotAllowed):
        attendance.record_attendance(world.session, {attendee.id: "attended"}, actor)
    db.session.rollback()
    assert attendee.status == AttendeeStatus.BOOKED and attendee.record is None
    assert attendance.record_attendance(world.session, {attendee.id: "attended"}, world.clerk) == 1


@pytest.mark.parametrize("who", ["staff", "rival", "officer"])
def test_only_the_booker_or_the_enterprise_owner_cancels_as_a_booker(world, who):
    """A plain member of the enterprise, a stranger and the publisher (who has its own way) cannot cancel as the
    booker; the enterprise's owner can."""
    with pytest.raises(NotAllowed):
        bookings.cancel_booking(world.booking, getattr(world, who))
    db.session.rollback()
    assert world.booking.status == BookingStatus.CONFIRMED
    bookings.cancel_booking(world.booking, world.owner)
    assert world.booking.status == BookingStatus.CANCELLED


def test_only_platform_admins_add_topics(world):
    """The managed topic list is the platform's."""
    with pytest.raises(NotAllowed):
        courses.add_topic("Oral health", world.officer)
    assert courses.add_topic("Oral health", world.admin).name == "Oral health"


# action -> (whose owner may do it: the enterprise's or the council's, the call)
ORGANISATION_ACTIONS = {
    "change an enterprise's details": (
        "owner",
        lambda w, actor: organisations.update_enterprise(w.enterprise, actor, name="Taken Over"),
    ),
    "change a council's details": (
        "officer",
        lambda w, actor: organisations.update_publisher(w.council, actor, name="Taken Over", areas=[]),
    ),
    "invite someone": (
        "owner",
        lambda w, actor: organisations.invite(w.enterprise, "x@example.com", MemberRole.OWNER, actor),
    ),
    "remove a member": ("owner", lambda w, actor: organisations.remove_member(w.staff_row, actor)),
    "make a member an owner": (
        "owner",
        lambda w, actor: organisations.change_role(w.staff_row, MemberRole.OWNER, actor),
    ),
    "accept a request to join": (
        "officer",
        lambda w, actor: organisations.decide_join_request(w.request, actor, approve=True),
    ),
    "cancel an invitation": ("owner", lambda w, actor: organisations.revoke_invitation(w.invitation, actor)),
}


@pytest.mark.parametrize("action", sorted(ORGANISATION_ACTIONS))
@pytest.mark.parametrize("who", ["staff", "clerk", "rival", "admin", "nobody"])
def test_only_owners_manage_their_organisation(world, action, who):
    """Plain members, other organisations' people, platform admins and jobs with no actor are refused."""
    actor = None if who == "nobody" else getattr(world, who)
    _, call = ORGANISATION_ACTIONS[action]
    with pytest.raises(NotAllowed):
        call(world, actor)
    db.session.rollback()
    assert world.enterprise.name == "Care Co" and world.council.name == "Leeds City Council"
    assert db.session.get(Membership, world.staff_row.id).role == MemberRole.MEMBER
    assert db.session.get(Membership, world.request.id).status == MembershipStatus.REQUESTED
    assert world.invitation.revoked is False


@pytest.mark.parametrize("action", sorted(ORGANISATION_ACTIONS))
def test_owners_do_manage_their_organisation(world, action):
    """The organisation's owner may."""
    owner, call = ORGANISATION_ACTIONS[action]
    call(world, getattr(world, owner))


@pytest.mark.parametrize("who", ["officer", "owner", "nobody"])
def test_only_platform_admins_decide_publishers_and_areas(world, who):
    """Approving a council and changing the list of areas are the platform's decisions."""
    actor = None if who == "nobody" else getattr(world, who)
    with pytest.raises(NotAllowed):
        organisations.decide_organisation(world.pending, actor, approve=True)
    with pytest.raises(NotAllowed):
        org_areas.add_area(name="Nowhere", gss_code="E99999999", nation="England", actor=actor)
    with pytest.raises(NotAllowed):
        org_areas.update_area(world.area, name="Renamed", gss_code=world.area.gss_code, nation="England", actor=actor)
    db.session.rollback()
    assert world.pending.status == OrgStatus.PENDING and world.area.name == "Leeds"
    organisations.decide_organisation(world.pending, world.admin, approve=True)
    assert world.pending.status == OrgStatus.APPROVED


@pytest.mark.parametrize("who", ["clerk", "owner", "rival", "admin", "nobody"])
def test_only_the_payees_finance_people_mark_an_invoice_paid(world, who):
    """Plain council members, the payer, strangers, admins and jobs with no actor are refused; the owner may."""
    booking = bookings.create_booking(world.session, world.owner, world.enterprise, [Person("Bo", "bo@example.com")])
    payment = booking.payment
    db.session.commit()
    assert payment.status == "pending"
    actor = None if who == "nobody" else getattr(world, who)
    with pytest.raises(NotAllowed):
        payments.mark_invoice_paid(payment, actor)
    db.session.rollback()
    assert db.session.get(Payment, payment.id).status == "pending"
    payments.mark_invoice_paid(payment, world.officer)
    assert payment.status == "succeeded"


@pytest.mark.parametrize("who", ["staff_of_another", "officer", "nobody"])
def test_nobody_books_or_queues_in_the_name_of_an_enterprise_they_are_not_part_of(world, who):
    """A job or page cannot book (or join the waiting list) for an enterprise the booker does not belong to."""
    actor = {"staff_of_another": world.rival, "officer": world.officer, "nobody": None}[who]
    people = [Person("Bo", "bo@example.com")]
    with pytest.raises(NotAllowed):
        bookings.create_booking(world.session, actor, world.enterprise, people)
    with pytest.raises(NotAllowed):
        waiting.join_waiting_list(world.session, actor, world.enterprise, people)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(WaitingListEntry)) == 0
    assert bookings.create_booking(world.session, world.staff, world.enterprise, people).seats == 1


def test_only_the_holder_accepts_or_leaves_a_waiting_list_place(world):
    """Someone else's waiting-list entry cannot be accepted or withdrawn, whoever calls the service."""
    entry = factories.waiting_entry(world.session, world.owner, seats=1)
    db.session.commit()
    for call in (waiting.accept_offer, waiting.withdraw):
        with pytest.raises(NotAllowed):
            call(entry, world.rival)
        db.session.rollback()
    waiting.withdraw(entry, world.owner)
    assert entry.status == "withdrawn"
