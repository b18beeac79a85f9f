"""Every list page sends the same number of SQL queries with a few rows as with ten times as many (no per-row
queries), and never more than MAX_QUERIES (tests/test_access_matrix.py holds every other page to it too)."""

from datetime import timedelta

import pytest

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.organisations.models import MemberRole
from marketplace.training.models import BookingStatus, WaitStatus
from tests import factories
from tests.queries import MAX_QUERIES, counted_queries


def _publisher_world(rows: int):
    """A council whose one session has `rows` bookings from as many enterprises, each with an invoice."""
    officer = factories.user(name="Officer")
    council = factories.publisher(officer)
    session = factories.training_session(factories.course(council), capacity=rows + 1)
    for _ in range(rows):
        owner = factories.user()
        enterprise = factories.enterprise(owner)
        booking = factories.booking(session, owner, enterprise)
        booking.payment = factories.payment(payer_organisation=enterprise, payee_organisation=council)
    return officer, council, session


def roster(rows):
    officer, _, session = _publisher_world(rows)
    return officer, f"/training/manage/sessions/{session.id}/roster"


def roster_csv(rows):
    officer, _, session = _publisher_world(rows)
    return officer, f"/training/manage/sessions/{session.id}/roster.csv"


def publisher_invoices(rows):
    officer, council, _ = _publisher_world(rows)
    return officer, f"/payments/organisations/{council.id}/invoices"


def manage_course(rows):
    officer = factories.user()
    course = factories.course(factories.publisher(officer))
    for day in range(rows):
        factories.training_session(course, days_ahead=10 + day)
    return officer, f"/training/manage/courses/{course.id}"


def my_bookings(rows):
    owner = factories.user()
    enterprise = factories.enterprise(owner)
    council = factories.publisher()
    for day in range(rows):
        session = factories.training_session(factories.course(council), days_ahead=5 + day)
        factories.booking(session, owner, enterprise).payment = factories.payment(payer_organisation=enterprise)
    return owner, "/training/bookings"


def staff_records(rows):
    owner = factories.user()
    enterprise = factories.enterprise(owner)
    session = factories.training_session(factories.course(factories.publisher()), days_ahead=-3, capacity=rows + 1)
    for n in range(rows):
        booking = factories.booking(session, owner, enterprise, people=[(f"Staff {n}", f"staff{n}@example.com")])
        factories.training_record(booking.attendees[0])
    return owner, f"/training/organisations/{enterprise.id}/records"


def members(rows):
    owner = factories.user()
    enterprise = factories.enterprise(owner)
    for _ in range(rows):
        factories.membership(factories.user(), enterprise, role=MemberRole.MEMBER)
    return owner, f"/organisations/{enterprise.id}/members"


def notifications(rows):
    person = factories.user()
    for n in range(rows):
        factories.notification(person, title=f"Note {n}")
    return person, "/notifications/"


def audit_log(rows):
    admin = factories.user(admin=True)
    owners = [factories.user() for _ in range(rows)]
    for owner in owners:
        enterprise = factories.enterprise(owner)
        db.session.add(AuditEvent(action="test.event", actor_id=owner.id, organisation_id=enterprise.id, details={}))
    return admin, "/admin/audit"


def admin_organisations(rows):
    admin = factories.user(admin=True)
    for _ in range(rows):
        factories.publisher(status="pending", areas=("Leeds", "Bradford"))
    return admin, "/admin/organisations"


def publisher_dashboard(rows):
    """A council's owner (so also its finance person) with `rows` courses, each with sessions to come and one
    started session to mark, invoices awaiting payment and overdue, and refunds to send."""
    officer = factories.user(name="Officer")
    council = factories.publisher(officer)
    for n in range(rows):
        course = factories.course(council, title=f"Course {n}")
        for day in range(4):
            factories.training_session(course, days_ahead=5 + day + n)
        started = factories.training_session(course, days_ahead=-1)
        owner = factories.user()
        enterprise = factories.enterprise(owner)
        factories.booking(started, owner, enterprise)
        overdue = factories.payment(payer_organisation=enterprise, payee_organisation=council)
        overdue.due_on = started.starts_at.date() - timedelta(days=1)
    return officer, "/dashboard"


def booker_dashboard(rows):
    """An enterprise owner with `rows` places held to pay for, waiting-list offers and overdue invoices."""
    owner = factories.user()
    enterprise = factories.enterprise(owner)
    council = factories.publisher()
    for n in range(rows):
        session = factories.training_session(factories.course(council, title=f"Course {n}"), days_ahead=5 + n)
        factories.booking(session, owner, enterprise, status=BookingStatus.RESERVED)
        entry = factories.waiting_entry(session, owner, enterprise, status=WaitStatus.OFFERED)
        entry.offer_expires_at = session.starts_at - timedelta(days=1)
        overdue = factories.payment(payer_organisation=enterprise, payee_organisation=council)
        overdue.due_on = session.starts_at.date() - timedelta(days=30)
    return owner, "/dashboard"


def booking_page(rows):
    """A booking of `rows` people with a paid invoice."""
    owner = factories.user()
    enterprise = factories.enterprise(owner)
    council = factories.publisher()
    session = factories.training_session(factories.course(council), capacity=rows + 1)
    people = [(f"Person {n}", f"person{n}@example.com") for n in range(rows)]
    booking = factories.booking(session, owner, enterprise, people=people)
    booking.payment = factories.payment(payer_organisation=enterprise, payee_organisation=council)
    return owner, f"/training/bookings/{booking.id}"


def course_page(rows):
    """A published course with `rows` sessions to come."""
    course = factories.course(factories.publisher())
    for day in range(rows):
        factories.training_session(course, days_ahead=3 + day)
    return factories.user(), f"/training/courses/{course.id}"


PAGES = [
    publisher_dashboard,
    booker_dashboard,
    booking_page,
    course_page,
    roster,
    roster_csv,
    publisher_invoices,
    manage_course,
    my_bookings,
    staff_records,
    members,
    notifications,
    audit_log,
    admin_organisations,
]


def _queries(client, login_as, build, rows: int) -> int:
    person, url = build(rows)
    db.session.commit()
    login_as(person)
    db.session.expire_all()  # as in a fresh request: nothing built above is reused
    with counted_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    client.post("/sign-out")
    return len(statements)


FEW, MANY = 3, 30  # two data sizes ten times apart


@pytest.mark.parametrize("build", PAGES, ids=[page.__name__ for page in PAGES])
def test_query_count_does_not_grow_with_rows(client, login_as, ctx, build):
    """The page costs the same number of queries for 3 rows as for 30, and at most MAX_QUERIES."""
    few = _queries(client, login_as, build, FEW)
    many = _queries(client, login_as, build, MANY)
    assert many == few, f"{build.__name__}: {few} queries for {FEW} rows, {many} for {MANY}"
    assert many <= MAX_QUERIES, f"{build.__name__}: {many} queries"
