"""Demo data for `make run`: publishers, enterprises, relief workers and an admin, all with one password."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from .accounts.services import create_user, find_user_by_email
from .core.clock import clock, utcnow
from .cover.demo import seed_cover
from .cover.services import save_relief_profile
from .extensions import db
from .insurance.demo import seed_insurance
from .organisations.models import Area, LegalForm, MemberRole, Organisation, OrgKind, OrgStatus
from .organisations.services import add_member, create_enterprise, create_publisher
from .payments.payee import save_payee_details
from .payments.services import mark_invoice_paid
from .training.attendance import record_attendance
from .training.attendee_cancel import cancel_attendee
from .training.booking import Person, create_booking
from .training.courses import add_session
from .training.models import Attendee, AttendeeStatus, Booking, Course, Topic, TrainingSession
from .training.waiting import join_waiting_list

# The demo accounts' published password (README), for demo data only (bandit B105).
DEMO_PASSWORD = "backstop-demo-2026"  # nosec B105
DOMAIN = "demo.backstop.example"

PUBLISHERS = [
    ("council", "Leeds City Council", ["Leeds"], "leeds"),
    ("council", "Cornwall Council", ["Cornwall"], "cornwall"),
    (
        "nhs",
        "NHS West Yorkshire Integrated Care Board",
        ["Leeds", "Bradford", "Kirklees", "Wakefield", "Calderdale"],
        "wyicb",
    ),
]

# How each publisher is paid (printed on its invoices). Leeds gives 14 days, so an invoice from its past first-aid
# session (booked four weeks ago) is overdue.
PAYEE_DETAILS = {
    "leeds": {
        "payee_name": "Leeds City Council",
        "sort_code": "309430",
        "account_number": "00123456",
        "payment_link": "https://pay.leeds.example/invoices",
        "terms_days": 14,
        "vat_wording": "No VAT is charged: the council is not VAT registered for this service.",
        "address": "Leeds City Council\nCivic Hall\nCalverley Street\nLeeds LS1 1UR",
    },
    "cornwall": {
        "payee_name": "Cornwall Council",
        "sort_code": "201575",
        "account_number": "40876543",
        "terms_days": 30,
        "vat_wording": "Training is exempt from VAT.",
        "address": "Cornwall Council\nLys Kernow\nTreyew Road\nTruro TR1 3AY",
    },
    "wyicb": {
        "payee_name": "NHS West Yorkshire ICB",
        "payment_link": "https://pay.wyicb.example/training",
        "terms_days": 30,
        "address": "NHS West Yorkshire ICB\nWhite Rose House\nWest Parade\nWakefield WF1 1LT",
    },
}

ENTERPRISES = [
    ("Kind Hands Home Support", LegalForm.SOLE_TRADER, "1.0", "Leeds", "LS6 2AB", None, "Amira Hussain"),
    ("Headingley Care Partners", LegalForm.PARTNERSHIP, "2.5", "Leeds", "LS6 3HN", None, "Tom Baker"),
    ("Tamar Valley Care Co-op", LegalForm.COOPERATIVE, "4.0", "Cornwall", "PL17 8AA", "IP031234", "Jenna Trelawny"),
    ("Penwith Companions CIC", LegalForm.CIC, "3.0", "Cornwall", "TR18 2QR", "13579246", "Morwenna Pascoe"),
    ("Aire Support Ltd", LegalForm.LIMITED_COMPANY, "5.0", "Bradford", "BD1 1HY", "12345678", "Kwame Mensah"),
    ("Calder Friends", LegalForm.CHARITY, "1.5", "Calderdale", "HX1 1UJ", "1198765", "Sian Roberts"),
    ("Wakefield Wellbeing at Home", LegalForm.SOLE_TRADER, "0.8", "Wakefield", "WF1 2DA", None, "Peter Nowak"),
    ("Holme Valley Care", LegalForm.LIMITED_COMPANY, "3.5", "Kirklees", "HD9 2QW", "09876543", "Grace Lee"),
]

RELIEF_WORKERS = [
    ("Dawn Mitchell", "Leeds"),
    ("Hassan Ali", "Leeds"),
    ("Kerensa Rowe", "Cornwall"),
    ("Oliver Grant", "Bradford"),
    ("Priya Patel", "Kirklees"),
    ("Sam Clarke", "Wakefield"),
]


def _areas() -> dict[str, Area]:
    return {area.name: area for area in db.session.scalars(select(Area))}


def _person(name: str, local: str, role: str):
    return create_user(name=name, email=f"{local}@{DOMAIN}", password=DEMO_PASSWORD, intended_role=role, verified=True)


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo world and return (role, email) for every login."""
    areas = _areas()
    logins = []
    admin = _person("Alex Admin", "admin", "publisher")
    admin.is_admin = True
    logins.append(("Platform admin", admin.email))
    publishers = {}
    for kind, name, served, slug in PUBLISHERS:
        user = _person(f"{name.split()[0]} Officer", f"officer.{slug}", "publisher")
        organisation = publishers[slug] = Organisation(
            kind=OrgKind(kind), name=name, status=OrgStatus.APPROVED, served_areas=[areas[a] for a in served]
        )
        db.session.add(organisation)
        add_member(user, organisation, MemberRole.OWNER)
        save_payee_details(organisation, user, **PAYEE_DETAILS[slug])
        logins.append((f"Publisher ({name})", user.email))
    finance = _person("Fran Finance", "finance.leeds", "publisher")
    add_member(finance, publishers["leeds"], MemberRole.FINANCE)
    logins.append(("Publisher finance (Leeds City Council)", finance.email))
    applicant = _person("Kit Officer", "officer.kirklees", "publisher")
    create_publisher(applicant, kind=OrgKind.COUNCIL, name="Kirklees Council", areas=[areas["Kirklees"]])
    logins.append(("Publisher waiting for approval (Kirklees Council)", applicant.email))
    for index, (name, form, fte, area, postcode, number, owner) in enumerate(ENTERPRISES, start=1):
        user = _person(owner, f"owner{index}", "entrepreneur")
        create_enterprise(
            user,
            name=name,
            legal_form=form,
            fte=Decimal(fte),
            area_id=areas[area].id,
            postcode=postcode,
            registration_number=number,
        )
        logins.append((f"Entrepreneur ({name})", user.email))
    for index, (name, area) in enumerate(RELIEF_WORKERS, start=1):
        user = _person(name, f"relief{index}", "relief_worker")
        save_relief_profile(user, area_id=areas[area].id, phone=None)
        logins.append(("Relief worker", user.email))
    seed_training(publishers)
    seed_bookings()
    seed_history()
    seed_refund_to_send()
    seed_cover(
        find_user_by_email(f"officer.leeds@{DOMAIN}"),
        publishers["leeds"],
        areas["Leeds"],
        [find_user_by_email(f"owner{n}@{DOMAIN}") for n in (1, 2)],
        [find_user_by_email(f"relief{n}@{DOMAIN}") for n in (1, 2)],
    )
    seed_insurance(
        publishers,
        {slug: find_user_by_email(f"officer.{slug}@{DOMAIN}") for slug in publishers},
        areas,
        [find_user_by_email(f"owner{n}@{DOMAIN}") for n in range(1, len(ENTERPRISES) + 1)],
        finance,
    )
    return logins


COURSES = [
    # publisher slug, title, topic, delivery, full £, subsidised £, validity months, sessions (days ahead, capacity)
    ("leeds", "Safeguarding adults: level 2", "Safeguarding adults", "in_person", 60, 10, 36, [(10, 12), (40, 12)]),
    ("leeds", "Emergency first aid at work", "First aid", "in_person", 95, 20, 36, [(5, 2), (25, 10)]),
    ("leeds", "Medication: safe handling and recording", "Medication", "online", 40, 0, 12, [(14, 20)]),
    ("cornwall", "Moving and handling people", "Moving and handling", "in_person", 70, 15, 12, [(12, 8)]),
    ("cornwall", "Dementia awareness", "Dementia awareness", "online", 0, 0, None, [(8, 30)]),
    ("wyicb", "Infection prevention and control", "Infection control", "online", 30, 0, 12, [(6, 25), (36, 25)]),
    ("wyicb", "Mental capacity act in practice", "Mental capacity", "in_person", 55, 10, 24, [(18, 15)]),
]
VENUES = {
    "leeds": "Leeds Civic Hall, Calverley Street, Leeds LS1 1UR",
    "cornwall": "Lys Kernow, Treyew Road, Truro TR1 3AY",
    "wyicb": "White Rose House, West Parade, Wakefield WF1 1LT",
}


def seed_training(publishers: dict) -> None:
    """Published courses with upcoming sessions for each demo publisher."""
    topics = {topic.name: topic for topic in db.session.scalars(select(Topic))}
    today = utcnow().replace(hour=9, minute=30, second=0, microsecond=0)
    for slug, title, topic, delivery, full, subsidised, months, dates in COURSES:
        course = Course(
            organisation=publishers[slug],
            title=title,
            topic=topics[topic],
            delivery=delivery,
            status="published",
            description=f"A practical course for people running or working in small care businesses.\n\n"
            f"You will cover the essentials of {topic.lower()} and leave with a certificate.",
            accreditation="CPD Certification Service",
            cpd_hours=Decimal("3"),
            certificate_validity_months=months,
            full_price_pence=full * 100,
            subsidised_price_pence=subsidised * 100,
        )
        db.session.add(course)
        for days, capacity in dates:
            starts = today + timedelta(days=days)
            db.session.add(
                TrainingSession(
                    course=course,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=3),
                    capacity=capacity,
                    booking_deadline=starts - timedelta(days=1),
                    venue_address=VENUES[slug] if delivery == "in_person" else None,
                    online_link="https://meet.example.org/backstop-training" if delivery == "online" else None,
                )
            )
    db.session.flush()


def seed_bookings() -> None:
    """A few bookings: the small first-aid session is full (so its waiting list can be tried)."""

    newest_first = select(TrainingSession).order_by(TrainingSession.starts_at.desc())
    sessions = {row.course.title: row for row in db.session.scalars(newest_first)}  # the soonest session wins
    owner = find_user_by_email(f"owner1@{DOMAIN}")
    enterprise = owner.memberships[0].organisation
    create_booking(
        sessions["Emergency first aid at work"],
        owner,
        enterprise,
        [Person(owner.name, owner.email), Person("Ruth Okafor", "ruth.okafor@example.com")],
    )
    create_booking(sessions["Safeguarding adults: level 2"], owner, enterprise, [Person(owner.name, owner.email)])
    # The small first-aid session now has a waiting list, and the safeguarding invoice has been paid.
    leeds_officer = find_user_by_email(f"officer.leeds@{DOMAIN}")
    paid = db.session.scalars(select(Booking).where(Booking.session == sessions["Safeguarding adults: level 2"]))
    mark_invoice_paid(paid.first().payment, leeds_officer)
    waiter = find_user_by_email(f"owner2@{DOMAIN}")
    join_waiting_list(
        sessions["Emergency first aid at work"],
        waiter,
        waiter.memberships[0].organisation,
        [Person(waiter.name, waiter.email)],
    )


def _past_session(title: str, days_ago: int, booker_local: str, people: list[Person], capacity: int = 10):
    """A session of a Leeds course that happened days_ago, booked back then through the real services.

    add_session and create_booking refuse the past, so both run with the clock moved to before the session."""
    course = db.session.scalars(select(Course).where(Course.title == title)).one()
    officer = find_user_by_email(f"officer.leeds@{DOMAIN}")
    booker = find_user_by_email(f"{booker_local}@{DOMAIN}")
    starts = utcnow().replace(hour=9, minute=30, second=0, microsecond=0) - timedelta(days=days_ago)
    place = VENUES["leeds"] if course.delivery == "in_person" else "https://meet.example.org/backstop-training"
    with clock.at(starts - timedelta(days=7)):
        session = add_session(
            course,
            officer,
            capacity=capacity,
            starts_at=starts,
            ends_at=starts + timedelta(hours=3),
            booking_deadline=starts - timedelta(days=1),
            place=place,
        )
        create_booking(session, booker, booker.memberships[0].organisation, people)
    return session, officer


def _mark_everyone(session: TrainingSession, officer, no_show: set[str] = frozenset()) -> None:
    """The publisher marks attendance: attended (a certificate each) except the named no-shows."""
    attendees = db.session.scalars(select(Attendee).where(Attendee.session_id == session.id))
    marks = {a.id: AttendeeStatus.NO_SHOW if a.name in no_show else AttendeeStatus.ATTENDED for a in attendees}
    record_attendance(session, marks, officer)


def seed_history() -> None:
    """Sessions that have happened: one still to mark, one marked with certificates issued, and a medication
    certificate (valid 12 months) that expires within 30 days, so the refresher warning shows."""
    amira = Person("Amira Hussain", f"owner1@{DOMAIN}")
    tom = Person("Tom Baker", f"owner2@{DOMAIN}")
    _past_session("Safeguarding adults: level 2", 2, "owner2", [tom, Person("Lily Chen", "lily.chen@example.com")])
    marked, officer = _past_session(
        "Emergency first aid at work", 21, "owner1", [amira, Person("Ruth Okafor", "ruth.okafor@example.com")]
    )
    _mark_everyone(marked, officer, no_show={"Ruth Okafor"})
    expiring, officer = _past_session("Medication: safe handling and recording", 345, "owner1", [amira])
    _mark_everyone(expiring, officer)


def seed_refund_to_send() -> None:
    """A paid Cornwall invoice with one of its two places cancelled since: Cornwall's officer has a refund to send."""
    session = db.session.scalars(
        select(TrainingSession).join(Course).where(Course.title == "Moving and handling people")
    ).first()
    booker = find_user_by_email(f"owner3@{DOMAIN}")
    booking = create_booking(
        session,
        booker,
        booker.memberships[0].organisation,
        [Person(booker.name, booker.email), Person("Ben Hocking", "ben.hocking@example.com")],
    )
    mark_invoice_paid(booking.payment, find_user_by_email(f"officer.cornwall@{DOMAIN}"))
    ben = next(attendee for attendee in booking.attendees if attendee.name == "Ben Hocking")
    cancel_attendee(ben, booker, reason="Ben has left the co-op")
