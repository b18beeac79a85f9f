"""One factory function per model; each flushes and returns the object (tests commit if they need to)."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from marketplace.accounts.models import IntendedRole, User
from marketplace.accounts.passwords import hash_password
from marketplace.core.clock import utcnow
from marketplace.core.notifications import Notification
from marketplace.core.tokens import new_token
from marketplace.cover.models import ReliefWorkerProfile
from marketplace.extensions import db
from marketplace.organisations.models import (
    Area,
    Invitation,
    LegalForm,
    MemberRole,
    Membership,
    MembershipStatus,
    Organisation,
    OrgKind,
    OrgStatus,
)
from marketplace.payments.models import PayeeDetails, Payment, PaymentPurpose, PaymentStatus
from marketplace.payments.providers.invoice import InvoiceProvider
from marketplace.training.models import (
    HOLDS_SEATS,
    Attendee,
    AttendeeStatus,
    Booking,
    BookingStatus,
    Course,
    CourseStatus,
    PriceBand,
    Topic,
    TrainingRecord,
    TrainingSession,
    WaitingListEntry,
    WaitStatus,
)

PASSWORD = "correct horse battery staple"
_seq = count(1)


def area(name: str = "Leeds") -> Area:
    """A seeded area by name."""
    return db.session.scalar(select(Area).where(Area.name == name))


def user(
    *,
    name: str | None = None,
    email: str | None = None,
    verified: bool = True,
    admin: bool = False,
    role: str = IntendedRole.ENTREPRENEUR,
) -> User:
    """A person who can sign in with PASSWORD."""
    n = next(_seq)
    person = User(
        name=name or f"Person {n}",
        email=email or f"person{n}@example.com",
        password_hash=hash_password(PASSWORD),
        intended_role=role,
        email_verified_at=utcnow() if verified else None,
        is_admin=admin,
    )
    db.session.add(person)
    db.session.flush()
    return person


def membership(
    person: User, organisation: Organisation, role: str = MemberRole.OWNER, status: str = MembershipStatus.ACTIVE
) -> Membership:
    """A person's place in an organisation."""
    row = Membership(user=person, organisation=organisation, role=role, status=status)
    db.session.add(row)
    db.session.flush()
    return row


def enterprise(
    owner: User | None = None, *, name: str | None = None, area_name: str = "Leeds", **fields
) -> Organisation:
    """An approved enterprise, with an owner."""
    organisation = Organisation(
        kind=OrgKind.ENTERPRISE,
        status=OrgStatus.APPROVED,
        name=name or f"Enterprise {next(_seq)}",
        legal_form=fields.pop("legal_form", LegalForm.SOLE_TRADER),
        fte=fields.pop("fte", Decimal("1.0")),
        area_id=area(area_name).id,
        postcode=fields.pop("postcode", "LS1 4AP"),
        **fields,
    )
    db.session.add(organisation)
    db.session.flush()
    membership(owner or user(), organisation)
    return organisation


def publisher(
    owner: User | None = None,
    *,
    kind: str = OrgKind.COUNCIL,
    status: str = OrgStatus.APPROVED,
    name: str | None = None,
    areas=("Leeds",),
    payment_details: bool = True,
) -> Organisation:
    """A council or NHS body, approved by default, with an owner and (unless told not to) its payment details."""
    organisation = Organisation(
        kind=kind, status=status, name=name or f"Council {next(_seq)}", served_areas=[area(a) for a in areas]
    )
    db.session.add(organisation)
    db.session.flush()
    membership(owner or user(role=IntendedRole.PUBLISHER), organisation)
    if payment_details:
        payee_details(organisation)
    return organisation


def payee_details(organisation: Organisation, **fields) -> PayeeDetails:
    """How a publisher is paid: bank details, 30 days' terms and an address unless fields say otherwise."""
    values = {
        "payee_name": organisation.name,
        "sort_code": "309430",
        "account_number": "12345678",
        "payment_link": None,
        "terms_days": 30,
        "vat_wording": None,
        "address": "Civic Hall\nCalverley Street\nLeeds LS1 1UR",
    }
    row = PayeeDetails(organisation_id=organisation.id, **{**values, **fields})
    db.session.add(row)
    db.session.flush()
    return row


def relief_worker(person: User | None = None, area_name: str = "Leeds") -> ReliefWorkerProfile:
    """A relief worker profile."""
    profile = ReliefWorkerProfile(user=person or user(role=IntendedRole.RELIEF_WORKER), area_id=area(area_name).id)
    db.session.add(profile)
    db.session.flush()
    return profile


def invitation(
    organisation: Organisation, email: str, *, role: str = MemberRole.MEMBER, days: int = 7
) -> tuple[Invitation, str]:
    """An invitation and the raw token its link carries."""
    token, token_hash = new_token()
    row = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def notification(person: User, *, title: str = "Something happened", read: bool = False) -> Notification:
    """An in-app notification."""
    row = Notification(user_id=person.id, kind="test", title=title, read_at=utcnow() if read else None)
    db.session.add(row)
    db.session.flush()
    return row


# --- training and payments -------------------------------------------------------------------------------------


def topic(name: str = "First aid"):
    """A seeded training topic by name."""
    return db.session.scalar(select(Topic).where(Topic.name == name))


def course(
    owner_org: Organisation | None = None,
    *,
    status: str = CourseStatus.PUBLISHED,
    topic_name: str = "First aid",
    **fields,
):
    """A course of a publisher (published by default, £40 full / £10 subsidised)."""
    row = Course(
        organisation=owner_org or publisher(),
        title=fields.pop("title", f"Course {next(_seq)}"),
        topic=topic(topic_name),
        description=fields.pop("description", "A practical course."),
        full_price_pence=fields.pop("full_price_pence", 4000),
        subsidised_price_pence=fields.pop("subsidised_price_pence", 1000),
        status=status,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def training_session(course_row=None, *, days_ahead: int = 30, capacity: int = 10, **fields):
    """A scheduled session of a course, days_ahead from the (injectable) clock."""
    starts = utcnow().replace(hour=9, minute=30, second=0, microsecond=0) + timedelta(days=days_ahead)
    row = TrainingSession(
        course=course_row or course(),
        starts_at=fields.pop("starts_at", starts),
        ends_at=fields.pop("ends_at", starts + timedelta(hours=3)),
        booking_deadline=fields.pop("booking_deadline", starts - timedelta(days=1)),
        venue_address=fields.pop("venue_address", "Civic Hall, Calverley Street, Leeds LS1 1UR"),
        capacity=capacity,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def booking(
    session_row,
    booker: User,
    organisation: Organisation | None = None,
    *,
    people=None,
    status: str = BookingStatus.CONFIRMED,
):
    """A booking with named attendees, taking seats on the session (no payment)."""
    people = people or [(booker.name, booker.email)]
    row = Booking(
        session=session_row,
        booker=booker,
        organisation=organisation,
        status=status,
        seats=len(people),
        price_band=PriceBand.FREE,
        unit_price_pence=0,
        total_pence=0,
        hold_expires_at=utcnow() + timedelta(minutes=15) if status == BookingStatus.RESERVED else None,
    )
    db.session.add(row)
    for name, email in people:
        db.session.add(Attendee(booking=row, session_id=session_row.id, name=name, email=email.lower()))
    if status in HOLDS_SEATS:
        session_row.seats_taken += len(people)
    db.session.flush()
    return row


def waiting_entry(
    session_row,
    person: User,
    organisation: Organisation | None = None,
    *,
    seats: int = 1,
    status: str = WaitStatus.WAITING,
):
    """A waiting-list entry."""
    row = WaitingListEntry(
        session=session_row,
        user=person,
        organisation=organisation,
        seats=seats,
        status=status,
        attendees=[{"name": f"Waiting {i}", "email": f"waiting{next(_seq)}@example.com"} for i in range(seats)],
    )
    db.session.add(row)
    db.session.flush()
    return row


def training_record(attendee, *, number: str | None = None, months: int | None = 12):
    """A training record for an attendee who attended, valid for `months` from the session (None: no expiry)."""
    booking_row = attendee.booking
    course_row = booking_row.session.course
    completed = booking_row.session.starts_at.date()
    row = TrainingRecord(
        attendee=attendee,
        user_id=booking_row.booker_id if attendee.email == booking_row.booker.email else None,
        organisation_id=booking_row.organisation_id,
        person_name=attendee.name,
        email=attendee.email,
        topic_id=course_row.topic_id,
        course_id=course_row.id,
        completed_on=completed,
        expires_on=completed + relativedelta(months=months) if months else None,
        certificate_number=number or f"BSC-TEST{next(_seq):04d}",
    )
    attendee.status = AttendeeStatus.ATTENDED
    db.session.add(row)
    db.session.flush()
    return row


def payment(
    *,
    amount_pence: int = 2000,
    provider: str = InvoiceProvider.name,
    status: str = PaymentStatus.PENDING,
    payer_organisation=None,
    payee_organisation=None,
):
    """A payment record."""
    n = next(_seq)
    row = Payment(
        purpose=PaymentPurpose.TRAINING_BOOKING,
        amount_pence=amount_pence,
        description="Test payment",
        provider=provider,
        status=status,
        idempotency_key=f"test-payment-{n}",
        invoice_reference=f"BSP-TEST-{n:06d}" if provider == InvoiceProvider.name else None,
        payer_organisation=payer_organisation,
        payee_organisation=payee_organisation,
    )
    db.session.add(row)
    db.session.flush()
    return row
