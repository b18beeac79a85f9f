"""The bench's synthetic data set, at a named size, loaded fast: COPY on PostgreSQL, bulk INSERTs on SQLite.

Rows are built in memory as tuples (deterministic, seeded), then written table by table in foreign-key order
through the models' SQLAlchemy Table objects: a column the loader names that a table lacks, or a NOT NULL column
without a default it does not fill, stops the load with its name (so schema changes surface here, not as odd
pages). Ids are given explicitly (the sequences are moved past them afterwards). Every session's seats_taken is the
sum of its live bookings' seats, never above capacity (checked after loading).

    national: 150 publishers, 20,000 enterprises, 5,000 courses, 50,000 sessions, 500,000 bookings (~769,000
              attendees), 176,000 training records, 500,000 audit events, 250,000 notifications, 10,000 waiting-list
              entries, and an invoice for every paid booking (some paid, overdue, cancelled or refunded); relief
              cover: 100 pools, 100,000 relief workers (~1,100 in each pool) with 1,000,000 training records of
              their own, 300,000 past shifts (worked, rated, some cancelled or no-shows), 20,000 accepted shifts to
              come and 5,000 open shifts to match
    default:  national / 10          small: national / 100          tiny: national / 1,000 (with floors)

Whatever the size, the pages measured show the same amount: one entrepreneur with 200 bookings, a roster of 68
people, a course with 30+ sessions; only the data around them grows.
"""

import enum
import json
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Table, func, select, text

from marketplace.accounts.models import User
from marketplace.accounts.passwords import hash_password
from marketplace.core.audit import AuditEvent
from marketplace.core.clock import LONDON, utcnow
from marketplace.core.notifications import Notification
from marketplace.cover.models import (
    CoverRequest,
    CoverShift,
    PoolMember,
    PoolWorker,
    ReliefPool,
    ReliefWorkerProfile,
    RequestSkill,
    ShiftRating,
    WorkerAvailability,
    WorkerBlock,
    WorkerDayOff,
    WorkerSkill,
    pool_areas,
    pool_topics,
    request_topics,
    worker_areas,
)
from marketplace.cover.statuses import DbsLevel, Skill
from marketplace.cover.timing import dbs_issued_after, shift_times
from marketplace.extensions import db
from marketplace.organisations.models import Area, LegalForm, Membership, Organisation, organisation_areas
from marketplace.payments.models import PayeeDetails, Payment, Refund
from marketplace.training.models import (
    Attendee,
    Booking,
    Course,
    Topic,
    TrainingRecord,
    TrainingSession,
    WaitingListEntry,
    course_areas,
)

PASSWORD = "bench-password-2026"
DOMAIN = "bench.example"
NATIONAL = {
    "publishers": 150,
    "enterprises": 20000,
    "courses": 5000,
    "sessions": 50000,
    "bookings": 500000,
    "records": 176000,
    "audit_events": 500000,
    "notifications": 250000,
    "waiting": 10000,
    "pools": 100,  # relief pools, each of a different council or NHS body (never publisher 1, whose pages are measured)
    "relief_workers": 100000,
    "worker_records": 1000000,  # the relief workers' own training records (besides "records", the attendees')
    "past_shifts": 300000,  # in the last 180 days: worked (most), cancelled or no-shows
    "accepted_shifts": 20000,  # in the next 21 days, held by a worker (what "no overlapping shift" checks)
    "open_shifts": 5000,  # in the next 21 days, to match
    "blocks": 2000,
}
DIVISOR = {"national": 1, "default": 10, "small": 100, "tiny": 1000}
PARTNER = {"national": "default", "default": "small", "small": "tiny"}  # each size's growth partner, 10x smaller
FLOORS = {  # the smallest sizes still hold the 50 race bookers, the heavy booker's 200 bookings and the roster
    "publishers": 3,
    "enterprises": 120,
    "courses": 30,
    "sessions": 250,
    "bookings": 600,
    "records": 100,
    "audit_events": 500,
    "notifications": 300,
    "waiting": 20,
    "pools": 2,
    "relief_workers": 100,
    "worker_records": 1000,
    "past_shifts": 300,
    "accepted_shifts": 20,
    "open_shifts": 20,
    "blocks": 2,
}
HEAVY_BOOKINGS = 200  # "Your bookings" for one busy entrepreneur
ROSTER_CAPACITY = 68  # the full session whose roster is measured
RACE_BOOKERS = 50
RACE_FREE_PLACES, RACE_PAID_PLACES, RACE_PRICE = 25, 5, 4500
WRITE_CAPACITY = 1_000_000  # the free session the booking POST books over and over
SEATS = (1,) * 60 + (2,) * 26 + (3,) * 14  # ~1.54 people a booking
CHUNK = 5000

LEVELS = ("introduction", "level 2", "level 3", "refresher", "for managers", "in practice")
DESCRIPTION = (
    "A practical course for people running or working in small care businesses.\n\n"
    "You will cover:\n\n* the law and good practice\n* what to do when things go wrong\n"
    "* how to record and report\n\nYou leave with a certificate and notes to share with your team."
)
ACTIONS = (
    ("booking.confirmed", "Booking"),
    ("booking.cancelled", "Booking"),
    ("booking.reserved", "Booking"),
    ("course.published", "Course"),
    ("session.created", "TrainingSession"),
    ("attendance.marked", "TrainingSession"),
    ("organisation.approved", "Organisation"),
    ("account.signed_in", "User"),
    ("payment.succeeded", "Payment"),
)
DETAILS = tuple(json.dumps({"seats": n, "note": "synthetic"}) for n in (1, 2, 3))
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

# relief cover
COMMON_TOPICS = 8  # pools require one to three of the first topics (safeguarding, first aid, moving and handling…)
SKILLS = tuple(skill.value for skill in Skill)
DBS_LEVELS = tuple(level.value for level in DbsLevel)
WORKER_DBS_WEIGHTS = (5, 10, 35, 50)  # basic, standard, enhanced, enhanced with barred lists
POOL_DBS_WEIGHTS = (0, 10, 70, 20)
VALIDITY_MONTHS, VALIDITY_WEIGHTS = (12, 24, 36, None), (35, 30, 15, 20)
AVAILABILITY = (  # (starts minute, ends minute) of a worker's usual day; an end past 1440 is the next morning
    (7 * 60, 20 * 60),
    (6 * 60, 14 * 60),
    (14 * 60, 23 * 60),
    (8 * 60, 18 * 60),
    (0, 24 * 60),
    (20 * 60, 31 * 60),
)
SHIFT_HOURS = ((7, 4), (8, 8), (9, 8), (9, 3), (12, 6), (14, 8), (17, 5), (20, 3), (22, 9))  # UK start hour, length
WORKER_STATUSES, WORKER_STATUS_WEIGHTS = ("approved", "applied", "declined", "suspended"), (88, 5, 4, 3)
MEMBER_STATUSES, MEMBER_STATUS_WEIGHTS = ("approved", "pending", "declined", "suspended"), (85, 8, 4, 3)
ABSENCES = ("sickness", "injury", "bereavement", "caring_emergency", "planned")


def counts_for(size: str) -> dict:
    """How many of each thing a size has."""
    return {name: max(FLOORS[name], count // DIVISOR[size]) for name, count in NATIONAL.items()}


@dataclass
class Targets:
    """What the benchmark requests: who signs in and which rows the pages show."""

    admin_email: str = ""
    publisher_email: str = ""
    entrepreneur_email: str = ""
    writer: tuple = ()  # (email, enterprise id): books the write session over and over (the booking POST)
    race_bookers: list = field(default_factory=list)  # (email, enterprise id) of 50 owners of distinct enterprises
    course_id: int = 0
    course_title: str = ""
    session_id: int = 0
    session_title: str = ""
    roster_session_id: int = 0
    roster_people: int = 0
    heavy_bookings: int = 0
    write_session_id: int = 0
    race_free_session_id: int = 0
    race_paid_session_id: int = 0
    search: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)


def _certificate(number: int) -> str:
    digits = []
    for _ in range(8):
        number, digit = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return "BSC-" + "".join(reversed(digits))


class World:
    """Builds the rows in memory (deterministic): self.rows maps each Table to (column names, tuples)."""

    def __init__(self, size: str, seed: int = 2026) -> None:
        self.n = counts_for(size)
        self.rng, self.seed = random.Random(seed), seed
        self.now = utcnow().astimezone(UTC).replace(microsecond=0, tzinfo=None)  # stored as naive UTC
        self.today = self.now.date()
        self.rows: dict[Table, tuple[tuple, list]] = {}
        self.targets = Targets()
        self.area_ids = list(db.session.scalars(select(Area.id).order_by(Area.id)))
        self.topics = dict(db.session.execute(select(Topic.id, Topic.name).order_by(Topic.id)).all())

    def ago(self, days: float):
        return self.now - timedelta(days=days)

    def add(self, model, columns: str, rows: list) -> None:
        self.rows[getattr(model, "__table__", model)] = (tuple(columns.split()), rows)

    # --- people and organisations --------------------------------------------------------------------------

    def people_and_organisations(self) -> None:
        rng, password_hash, made = self.rng, hash_password(PASSWORD), self.ago(400)
        users, orgs, members, served, payees = [], [], [], [], []

        def person(name: str, email: str, role: str, admin: bool = False) -> int:
            users.append((len(users) + 1, email, name, password_hash, role, made, admin, True, made))
            return len(users)

        def organisation(user_id: int, kind: str, name: str, legal=None, fte=None, area=None, postcode=None) -> int:
            org_id = len(orgs) + 1
            orgs.append((org_id, kind, name, "approved", legal, fte, area, postcode, None, made))
            members.append((len(members) + 1, user_id, org_id, "owner", "active", made))
            return org_id

        self.targets.admin_email = f"admin@{DOMAIN}"
        person("Bench Admin", self.targets.admin_email, "publisher", admin=True)
        self.publisher_ids, self.served = [], {}
        for n in range(1, self.n["publishers"] + 1):
            user_id = person(f"Officer {n}", f"officer{n}@{DOMAIN}", "publisher")
            kind = "nhs" if n % 5 == 0 else "council"
            org_id = organisation(user_id, kind, f"{'NHS Body' if kind == 'nhs' else 'Council'} {n}")
            self.publisher_ids.append(org_id)
            self.served[org_id] = set(rng.sample(self.area_ids, rng.randint(1, 4)))
            served += [(org_id, area_id) for area_id in sorted(self.served[org_id])]
            payees.append(
                (len(payees) + 1, org_id, f"Council {n}", "309430", f"{10000000 + n}", 30, "Civic Hall\nLS1 1UR", made)
            )
        self.owner_of, self.area_of = {}, {}  # enterprise id -> owner user id, area id
        legal_forms = [form.value for form in LegalForm]
        for n in range(1, self.n["enterprises"] + 1):
            user_id = person(f"Owner {n}", f"owner{n}@{DOMAIN}", "entrepreneur")
            area = rng.choice(self.area_ids)
            fte = Decimal(rng.randint(5, 50)) / 10
            org_id = organisation(user_id, "enterprise", f"Care Enterprise {n}", rng.choice(legal_forms), fte, area)
            self.owner_of[org_id], self.area_of[org_id] = user_id, area
        self.users = users
        self.emails = {row[0]: row[1] for row in users}
        self.names = {row[0]: row[2] for row in users}
        enterprises = list(self.owner_of)
        self.heavy_enterprise, self.writer_enterprise = enterprises[0], enterprises[1]
        self.race_enterprises = enterprises[2 : 2 + RACE_BOOKERS]
        self.targets.publisher_email = self.emails[2]  # officer1, owner of publisher 1
        self.targets.entrepreneur_email = self.emails[self.owner_of[self.heavy_enterprise]]
        self.targets.writer = (self.emails[self.owner_of[self.writer_enterprise]], self.writer_enterprise)
        self.targets.race_bookers = [(self.emails[self.owner_of[org]], org) for org in self.race_enterprises]
        cols = "id email name password_hash intended_role email_verified_at is_admin is_active_account created_at"
        self.add(User, cols, users)
        cols = "id kind name status legal_form fte area_id postcode registration_number created_at"
        self.add(Organisation, cols, orgs)
        self.add(Membership, "id user_id organisation_id role status created_at", members)
        self.add(organisation_areas, "organisation_id area_id", served)
        cols = "id organisation_id payee_name sort_code account_number terms_days address created_at"
        self.add(PayeeDetails, cols, payees)

    # --- courses and sessions ------------------------------------------------------------------------------

    def courses_and_sessions(self) -> None:
        rng, courses, restricted, sessions = self.rng, [], [], []
        self.course_org, self.course_price, self.course_topic, self.course_title = {}, {}, {}, {}
        self.course_months, published = {}, []

        def course(org_id, title, topic_id, delivery, full, subsidised, status, months) -> int:
            course_id = len(courses) + 1
            courses.append(
                (course_id, org_id, title, topic_id, DESCRIPTION, delivery, "CPD Certification Service", Decimal(3))
                + (months, full, subsidised, 7, None, status, self.ago(380))
            )
            self.course_org[course_id], self.course_price[course_id] = org_id, (full, subsidised)
            self.course_topic[course_id], self.course_title[course_id] = topic_id, title
            self.course_months[course_id] = months
            return course_id

        for n in range(1, self.n["courses"] + 1):
            org_id = self.publisher_ids[0] if n <= 10 else rng.choice(self.publisher_ids)  # publisher 1 has 10+
            topic_id = rng.choice(list(self.topics))
            full = rng.choice((0, 2500, 4000, 6000, 9500))
            status = "published" if n <= 10 or rng.random() < 0.9 else rng.choice(("draft", "archived"))
            title = f"{self.topics[topic_id]}: {rng.choice(LEVELS)} ({n})"
            delivery = rng.choice(("in_person", "online"))
            months = rng.choice((None, 12, 24, 36))
            course(org_id, title, topic_id, delivery, full, rng.choice((0, full // 4, full)), status, months)
            if status == "published":
                published.append(n)
            if rng.random() < 0.2:
                for area_id in sorted(self.served[org_id])[: rng.randint(1, 3)]:
                    restricted.append((n, area_id))
        second = self.publisher_ids[1]
        topic = next(iter(self.topics))
        write_course = course(second, "Bench: booked over and over", topic, "online", 0, 0, "published", None)
        free_course = course(second, "Bench: 50 people, 25 free places", topic, "online", 0, 0, "published", None)
        paid_course = course(
            second, "Bench: 50 people, 5 paid places", topic, "online", RACE_PRICE, RACE_PRICE, "published", None
        )
        today = self.now.replace(hour=9, minute=30, second=0)

        def session(course_id, starts, capacity, status="scheduled") -> dict:
            row = {"id": len(sessions) + 1, "course_id": course_id, "starts_at": starts, "capacity": capacity}
            sessions.append({**row, "seats_taken": 0, "status": status})
            return sessions[-1]

        for n in range(1, self.n["sessions"] + 1):
            course_id = 1 if n <= 30 else rng.choice(published)  # course 1 has 30+ sessions
            days = rng.randint(-300, 300) or 1
            status = "cancelled" if rng.random() < 0.04 else ("completed" if days < 0 else "scheduled")
            session(course_id, today + timedelta(days=days), rng.choice((6, 8, 10, 12, 15, 20, 25, 30, 40)), status)
        self.regular = list(sessions)
        later = today + timedelta(days=60)
        self.targets.write_session_id = session(write_course, later, WRITE_CAPACITY)["id"]
        self.targets.race_free_session_id = session(free_course, later, RACE_FREE_PLACES)["id"]
        self.targets.race_paid_session_id = session(paid_course, later, RACE_PAID_PLACES)["id"]
        roster = next(
            s for s in sessions if s["course_id"] == 1 and s["status"] == "scheduled" and s["starts_at"] > later
        )
        roster["capacity"] = ROSTER_CAPACITY
        self.targets.roster_session_id, self.targets.course_id = roster["id"], 1
        self.targets.session_id = next(
            s["id"]
            for s in self.regular
            if s["course_id"] != 1 and s["status"] == "scheduled" and s["starts_at"] > today + timedelta(days=2)
        )
        self.targets.course_title = self.course_title[1]
        self.targets.session_title = self.course_title[sessions[self.targets.session_id - 1]["course_id"]]
        self.sessions = sessions
        self.add(
            Course,
            "id organisation_id title topic_id description delivery accreditation cpd_hours "
            "certificate_validity_months full_price_pence subsidised_price_pence cancellation_cutoff_days max_fte "
            "status created_at",
            courses,
        )
        self.add(course_areas, "course_id area_id", restricted)

    def session_rows(self) -> None:
        """Written once the bookings have taken their seats."""
        rows = []
        for s in self.sessions:
            starts, online = s["starts_at"], self.rows[Course.__table__][1][s["course_id"] - 1][5] == "online"
            venue, link = (None, "https://meet.example.org/bench") if online else ("Civic Hall, Leeds LS1 1UR", None)
            rows.append(
                (s["id"], s["course_id"], starts, starts + timedelta(hours=3), starts - timedelta(days=1), venue)
                + (link, s["capacity"], s["seats_taken"], s["status"], self.ago(370))
            )
        cols = "id course_id starts_at ends_at booking_deadline venue_address online_link capacity seats_taken status"
        self.add(TrainingSession, cols + " created_at", rows)

    # --- bookings, attendees, payments, records ------------------------------------------------------------

    def bookings(self) -> None:
        """Full sessions first (5% of those open, the roster's among them), the heavy booker's 200, then random."""
        rng = self.rng
        self.booking_rows, self.attendee_rows, self.payment_rows, self.refund_rows = [], [], [], []
        self.live_emails, self.attended = set(), []
        open_sessions = [s for s in self.regular if s["status"] == "scheduled" and s["starts_at"] > self.now]
        roster = self.sessions[self.targets.roster_session_id - 1]
        self.full = [roster] + rng.sample([s for s in open_sessions if s is not roster], len(open_sessions) // 20)
        others = [org for org in self.owner_of if org not in (self.heavy_enterprise, self.writer_enterprise)]
        for session in self.full:
            while session["seats_taken"] < session["capacity"]:
                self.book(session, rng.choice(others), "confirmed")
        for session in rng.sample(self.regular, min(HEAVY_BOOKINGS, len(self.regular))):
            self.book(session, self.heavy_enterprise, self.status_for(session))
        while len(self.booking_rows) < self.n["bookings"]:
            session = rng.choice(self.regular)
            self.book(session, rng.choice(others), self.status_for(session))
        self.targets.heavy_bookings = sum(1 for b in self.booking_rows if b[3] == self.heavy_enterprise)
        self.targets.roster_people = roster["seats_taken"]
        cols = "id purpose payer_organisation_id payer_user_id payee_organisation_id description amount_pence "
        cols += "refunded_pence currency status provider invoice_reference idempotency_key paid_at due_on created_at"
        self.add(Payment, cols, self.payment_rows)
        cols = "id session_id booker_id organisation_id status seats price_band unit_price_pence total_pence "
        cols += "hold_expires_at payment_id confirmed_at cancelled_at cancellation_reason created_at"
        self.add(Booking, cols, self.booking_rows)
        self.add(Attendee, "id booking_id session_id name email status marked_at created_at", self.attendee_rows)
        cols = "id payment_id amount_pence status reason idempotency_key sent_on sent_reference created_at"
        self.add(Refund, cols, self.refund_rows)

    def status_for(self, session: dict) -> str:
        if session["status"] == "cancelled":
            return "cancelled"
        roll = self.rng.random()
        return "confirmed" if roll < 0.85 else ("cancelled" if roll < 0.95 else "expired")

    def book(self, session: dict, enterprise: int, status: str) -> None:
        rng, booker = self.rng, self.owner_of[enterprise]
        seats = rng.choice(SEATS)
        if status == "confirmed":
            seats = min(seats, session["capacity"] - session["seats_taken"])
            if seats == 0:
                status, seats = "cancelled", 1
        course_id = session["course_id"]
        full, subsidised = self.course_price[course_id]
        if self.area_of[enterprise] in self.served[self.course_org[course_id]]:
            band, unit = ("free" if subsidised == 0 else "subsidised"), subsidised
        else:
            band, unit = ("free" if full == 0 else "full"), full
        booking_id = len(self.booking_rows) + 1
        made = min(session["starts_at"] - timedelta(days=rng.randint(2, 60)), self.now - timedelta(hours=1))
        cancelled = made + timedelta(hours=20) if status == "cancelled" else None
        payment_id = self.payment(booking_id, enterprise, course_id, unit * seats, seats, status, made, cancelled)
        self.booking_rows.append(
            (booking_id, session["id"], booker, enterprise, status, seats, band, unit, unit * seats)
            + (made + timedelta(minutes=15) if status == "expired" else None, payment_id)
            + (made if status == "confirmed" else None, cancelled, "Plans changed" if cancelled else None, made)
        )
        if status == "confirmed":
            session["seats_taken"] += seats
        self.attendees(session, booking_id, booker, enterprise, seats, status, made)

    def payment(self, booking_id, enterprise, course_id, amount, seats, status, made, cancelled) -> int | None:
        """An invoice for a paid booking: paid (60%) or awaiting payment (overdue 30 days after it was raised); for a
        cancelled booking, cancelled unpaid or paid and refunded (half each)."""
        if amount == 0 or status == "expired":
            return None
        rng, payment_id = self.rng, len(self.payment_rows) + 1
        paid = (status == "confirmed" and rng.random() < 0.6) or (status == "cancelled" and rng.random() < 0.5)
        state = ("refunded" if paid else "cancelled") if status == "cancelled" else ("succeeded" if paid else "pending")
        paid_at = min(made + timedelta(days=rng.randint(1, 25)), self.now) if paid else None
        title = self.course_title[course_id]
        self.payment_rows.append(
            (payment_id, "training_booking", enterprise, self.owner_of[enterprise], self.course_org[course_id])
            + (f"{title}, {seats} place{'s' if seats > 1 else ''}", amount, amount if state == "refunded" else 0)
            + ("GBP", state, "invoice", f"BSP-{made:%Y}-{payment_id:06d}", f"training-booking-{booking_id}")
            + (paid_at, made.date() + timedelta(days=30), made)
        )
        if state == "refunded":
            sent = max(cancelled, paid_at) + timedelta(days=2)
            self.refund_rows.append(
                (len(self.refund_rows) + 1, payment_id, amount, "succeeded", "Booking cancelled")
                + (f"refund-{payment_id}", sent.date(), "BACS", sent)
            )
        return payment_id

    def attendees(self, session, booking_id, booker, enterprise, seats, status, made) -> None:
        past = session["status"] == "completed"
        for i in range(seats):
            email = self.emails[booker] if i == 0 else f"staff{booking_id}.{i}@{DOMAIN}"
            if (session["id"], email) in self.live_emails:
                email = f"staff{booking_id}.{i}@{DOMAIN}"
            if status == "confirmed":
                state = self.rng.choice(("attended", "attended", "no_show")) if past else "booked"
                self.live_emails.add((session["id"], email))
            else:
                state = "cancelled"
            attendee_id = len(self.attendee_rows) + 1
            name = self.names[booker] if i == 0 else f"Person {booking_id}-{i}"
            marked = session["starts_at"] + timedelta(hours=3) if state in ("attended", "no_show") else None
            self.attendee_rows.append((attendee_id, booking_id, session["id"], name, email, state, marked, made))
            if state == "attended":
                user_id = booker if i == 0 and email == self.emails[booker] else None
                self.attended.append((attendee_id, user_id, enterprise, name, email, session, marked))

    def training_records(self) -> None:
        rows = []
        chosen = sorted(self.rng.sample(range(len(self.attended)), min(self.n["records"], len(self.attended))))
        for record_id, index in enumerate(chosen, start=1):
            attendee_id, user_id, enterprise, name, email, session, marked = self.attended[index]
            course_id, completed = session["course_id"], session["starts_at"].date()
            months = self.course_months[course_id]
            expires = completed + timedelta(days=months * 30) if months else None
            rows.append(
                (record_id, attendee_id, user_id, enterprise, name, email, self.course_topic[course_id], course_id)
                + (completed, expires, _certificate(record_id * 7919 + 12345), marked)
            )
        cols = "id attendee_id user_id organisation_id person_name email topic_id course_id completed_on expires_on "
        self.add(TrainingRecord, cols + "certificate_number created_at", rows)

    def waiting_list(self) -> None:
        rng, rows, others = self.rng, [], list(self.owner_of)[2 + RACE_BOOKERS :] or list(self.owner_of)
        for entry_id in range(1, self.n["waiting"] + 1):
            session, enterprise = rng.choice(self.full), rng.choice(others)
            user_id = self.owner_of[enterprise]
            people = [{"name": self.names[user_id], "email": self.emails[user_id]}]
            people += [{"name": f"Waiting {entry_id}-{i}", "email": f"wait{entry_id}.{i}@{DOMAIN}"} for i in (1, 2)]
            seats = rng.choice((1, 1, 2, 3))
            made = self.ago(rng.uniform(0, 20))
            rows.append(
                (entry_id, session["id"], user_id, enterprise, seats, json.dumps(people[:seats]), "waiting", made)
            )
        cols = "id session_id user_id organisation_id seats attendees status created_at"
        self.add(WaitingListEntry, cols, rows)

    # --- audit log and notifications -----------------------------------------------------------------------

    def audit_and_notifications(self) -> None:
        rng, user_count, org_count = self.rng, len(self.users), len(self.rows[Organisation.__table__][1])
        events = []
        for n in range(1, self.n["audit_events"] + 1):
            action, object_type = rng.choice(ACTIONS)
            org_id = rng.randint(1, org_count) if rng.random() < 0.8 else None
            events.append(
                (n, self.ago(rng.uniform(0, 365)), rng.randint(1, user_count), org_id, action, object_type)
                + (rng.randint(1, 20000), rng.choice(DETAILS), str(uuid.UUID(int=rng.getrandbits(128))))
                + (f"192.0.2.{rng.randint(1, 254)}",)
            )
        self.add(
            AuditEvent, "id at actor_id organisation_id action object_type object_id details request_id ip", events
        )
        notes, heavy_user = [], self.owner_of[self.heavy_enterprise]
        for n in range(1, self.n["notifications"] + 1):
            created = self.ago(rng.uniform(0, 200))
            user_id = heavy_user if n <= 30 else rng.randint(1, user_count)
            read = created + timedelta(hours=3) if (n > 5 if n <= 30 else rng.random() < 0.7) else None
            notes.append(
                (n, user_id, "booking_confirmed", f"Your booking {n} is confirmed")
                + ("We have emailed the details to everyone booked.", "/training/bookings/1", read, created, created)
            )
        self.add(Notification, "id user_id kind title body link read_at emailed_at created_at", notes)

    # --- relief cover --------------------------------------------------------------------------------------

    def relief_cover(self) -> None:
        """Relief pools with their enterprises, relief workers with their checks, availability and training
        records, and cover shifts: past (worked and rated), accepted to come, and open (to match). Built last, from
        a random stream of its own, so the rest of the data set is as it was without it. The measured pages'
        publisher and entrepreneurs are in no pool."""
        self.cover_rng = random.Random(self.seed + 1)
        self.relief_pools()
        self.relief_workers()
        self.cover_shifts()

    def relief_pools(self) -> None:
        rng, made, topic_ids = self.cover_rng, self.ago(400), list(self.topics)
        owners = {row[2]: row[1] for row in self.rows[Membership.__table__][1]}  # organisation -> its owner
        councils = self.publisher_ids[1:]  # never publisher 1 (its dashboard is measured)
        pools, areas, topics, members = [], [], [], []
        self.pool_areas, self.pool_topics, self.pool_max_age, self.pool_manager = {}, {}, {}, {}
        self.pool_members = defaultdict(list)  # pool id -> approved (member id, enterprise, area)
        measured = {self.heavy_enterprise, self.writer_enterprise, *self.race_enterprises}
        by_area = defaultdict(list)
        for org_id, area_id in self.area_of.items():
            if org_id not in measured:
                by_area[area_id].append(org_id)
        for pool_id, org_id in enumerate(sorted(rng.sample(councils, min(self.n["pools"], len(councils)))), 1):
            self.pool_areas[pool_id] = sorted(self.served[org_id])
            self.pool_topics[pool_id] = sorted(rng.sample(topic_ids[:COMMON_TOPICS], rng.randint(1, 3)))
            self.pool_max_age[pool_id] = rng.choice((None, None, 24, 36))
            self.pool_manager[pool_id] = owners[org_id]
            level = rng.choices(DBS_LEVELS, POOL_DBS_WEIGHTS)[0]
            rate = rng.choice((1250, 1400, 1500, 1650))
            pools.append(
                (pool_id, org_id, f"Relief pool {pool_id}", "Vetted relief carers for the area.", "open")
                + ("england_and_wales", level, self.pool_max_age[pool_id], rng.random() < 0.9, rate, 20, 25)
                + (rate + 600, rng.choice((0, 10, 20)), rng.choice((0, 0, 12)), made)
            )
            areas += [(pool_id, area_id) for area_id in self.pool_areas[pool_id]]
            topics += [(pool_id, topic_id) for topic_id in self.pool_topics[pool_id]]
            nearby = [org for area_id in self.pool_areas[pool_id] for org in by_area[area_id]]
            joined = rng.sample(nearby, int(len(nearby) * 0.6)) or [
                rng.choice([o for a in by_area.values() for o in a])
            ]
            for number, enterprise in enumerate(joined):
                status = "approved" if number == 0 else rng.choices(MEMBER_STATUSES, MEMBER_STATUS_WEIGHTS)[0]
                member_id = len(members) + 1
                members.append((member_id, pool_id, enterprise, status, made + timedelta(days=2), made))
                if status == "approved":
                    area_id = self.area_of[enterprise]
                    area_id = area_id if area_id in self.pool_areas[pool_id] else self.pool_areas[pool_id][0]
                    self.pool_members[pool_id].append((member_id, enterprise, area_id))
        self.pool_ids = [row[0] for row in pools]
        cols = "id organisation_id name description status region dbs_level dbs_max_age_months "
        cols += "right_to_work_required hourly_rate_pence night_uplift_percent weekend_uplift_percent "
        self.add(ReliefPool, cols + "hourly_charge_pence funded_hours_per_year min_notice_hours created_at", pools)
        self.add(pool_areas, "pool_id area_id", areas)
        self.add(pool_topics, "pool_id topic_id", topics)
        self.add(PoolMember, "id pool_id organisation_id status decided_at created_at", members)

    def relief_workers(self) -> None:
        """Each worker in one pool (a fifth in two), covering areas of their pools, with a weekly pattern, a few
        days off, skills, a DBS check of some level and age, and their own training records: the pools' topics
        most of the time, some expired, some renewed (an old record beside the current one)."""
        rng, made, password_hash, users = self.cover_rng, self.ago(300), hash_password(PASSWORD), self.users
        profiles, covered, skills, slots, days_off, places = [], [], [], [], [], []
        self.pool_workers = defaultdict(list)  # pool id -> approved worker user ids
        records = self.rows[TrainingRecord.__table__][1]
        course_of = {}
        for course_id, topic_id in sorted(self.course_topic.items(), reverse=True):
            course_of[topic_id] = course_id
        topic_ids, workers = list(self.topics), self.n["relief_workers"]
        per_worker, extra = divmod(self.n["worker_records"], workers)
        for n in range(1, workers + 1):
            user_id = len(users) + 1
            email, name = f"relief{n}@{DOMAIN}", f"Relief Worker {n}"
            users.append((user_id, email, name, password_hash, "relief_worker", made, False, True, made))
            home = rng.choice(self.pool_ids)
            joined = [home] + ([rng.choice(self.pool_ids)] if rng.random() < 0.2 else [])
            joined = sorted(set(joined))
            home_area = rng.choice(self.pool_areas[home])
            nearby = sorted({area_id for pool_id in joined for area_id in self.pool_areas[pool_id]})
            areas = {home_area, *rng.sample(nearby, rng.randint(0, min(2, len(nearby))))}
            if rng.random() < 0.1:
                areas.add(rng.choice(self.area_ids))
            profile_id = len(profiles) + 1
            level = rng.choices(DBS_LEVELS, WORKER_DBS_WEIGHTS)[0]
            profiles.append(
                (profile_id, user_id, home_area, f"07700 9{n % 100000:05d}", "Experienced carer.", level)
                + (self.today - timedelta(days=rng.randint(10, 5 * 365)), rng.random() < 0.4)
                + ("Referee One, one@example.com", "Referee Two, two@example.com", made)
            )
            covered += [(profile_id, area_id) for area_id in sorted(areas)]
            skills += [(profile_id, skill) for skill in sorted(rng.sample(SKILLS, rng.randint(2, 6)))]
            starts, ends = rng.choice(AVAILABILITY)
            slots += [(profile_id, day, starts, ends) for day in sorted(rng.sample(range(7), rng.randint(4, 7)))]
            if rng.random() < 0.3:
                off = rng.sample(range(1, 60), rng.randint(1, 5))
                days_off += [(profile_id, self.today + timedelta(days=d)) for d in sorted(off)]
            for pool_id in joined:
                status = rng.choices(WORKER_STATUSES, WORKER_STATUS_WEIGHTS)[0]
                decided = status != "applied"
                places.append(
                    (len(places) + 1, pool_id, user_id, status, decided and rng.random() < 0.95)
                    + (self.today - timedelta(days=rng.randint(1, 250)) if decided and rng.random() < 0.97 else None,)
                    + (made + timedelta(days=3) if decided else None, self.pool_manager[pool_id] if decided else None)
                    + (made,)
                )
                if status == "approved":
                    self.pool_workers[pool_id].append(user_id)
            wanted = [t for pool_id in joined for t in self.pool_topics[pool_id] if rng.random() < 0.92]
            others = [t for t in topic_ids if t not in wanted]
            rng.shuffle(others)
            count = per_worker + (1 if n <= extra else 0)
            for topic_id in dict.fromkeys(wanted + others):
                if count <= 0:
                    break
                months = rng.choices(VALIDITY_MONTHS, VALIDITY_WEIGHTS)[0]
                days = months * 30 if months else 4 * 365
                completed = self.today - timedelta(days=rng.randint(0, int(days * 1.15)))
                renewed = count >= 2 and months and rng.random() < 0.3  # an older record of the same topic
                for done in (completed - timedelta(days=days), completed) if renewed else (completed,):
                    record_id = len(records) + 1
                    records.append(
                        (record_id, None, user_id, None, name, email, topic_id, course_of.get(topic_id, 1), done)
                        + (done + timedelta(days=days) if months else None,)
                        + (_certificate(record_id * 7919 + 12345), datetime.combine(done, time(17)))
                    )
                    count -= 1
        cols = (
            "id user_id area_id phone about dbs_level dbs_issued_on dbs_update_service referee_1 referee_2 created_at"
        )
        self.add(ReliefWorkerProfile, cols, profiles)
        self.add(worker_areas, "profile_id area_id", covered)
        self.add(WorkerSkill, "profile_id skill", skills)
        self.add(WorkerAvailability, "profile_id weekday starts_minute ends_minute", slots)
        self.add(WorkerDayOff, "profile_id day", days_off)
        cols = "id pool_id user_id status dbs_verified right_to_work_checked_on decided_at decided_by_id created_at"
        self.add(PoolWorker, cols, places)

    def cover_shifts(self) -> None:
        """Past shifts (one a request: worked, cancelled or a no-show; most worked ones rated), accepted shifts to
        come, and open requests of one to three shifts needing some skills and now and then extra training."""
        rng = self.cover_rng
        self.cover_pools = [p for p in self.pool_ids if self.pool_members[p] and self.pool_workers[p]]
        self.request_rows, self.shift_rows, self.rating_rows = [], [], []
        self.past_shifts()
        for _ in range(self.n["accepted_shifts"]):
            pool_id, member, worker = self.cover_pair()
            day = self.today + timedelta(days=rng.randint(1, 21))
            request_id = self.cover_request(pool_id, member, "filled", datetime.combine(day, time(23)), self.ago(5))
            self.cover_shift(request_id, pool_id, member, day, "accepted", worker)
        needs, extra_topics = self.open_shifts()
        blocks = set()
        while len(blocks) < self.n["blocks"]:
            _, member, worker = self.cover_pair()
            blocks.add((member[1], worker))
        cols = "id pool_id organisation_id created_by_id area_id description private_notes absence_category status "
        self.add(CoverRequest, cols + "ends_at private_erased_at created_at", self.request_rows)
        self.add(RequestSkill, "request_id skill", needs)
        self.add(request_topics, "request_id topic_id", extra_topics)
        cols = "id request_id pool_id organisation_id area_id starts_at ends_at minutes day last_day weekday "
        cols += "start_minute end_minute dbs_issued_after status worker_id accepted_at alerted_at widened_at created_at"
        self.add(CoverShift, cols, self.shift_rows)
        self.add(ShiftRating, "shift_id by_enterprise score comment created_at", self.rating_rows)
        self.add(WorkerBlock, "organisation_id user_id created_at", [(*pair, self.ago(30)) for pair in sorted(blocks)])

    def cover_pair(self) -> tuple:
        """A pool, one of its approved enterprises and one of its approved workers."""
        pool_id = self.cover_rng.choice(self.cover_pools)
        return (
            pool_id,
            self.cover_rng.choice(self.pool_members[pool_id]),
            self.cover_rng.choice(self.pool_workers[pool_id]),
        )

    def cover_request(self, pool_id, member, status, ends, made) -> int:
        """A request of the member's enterprise; its private notes erased 90 days after it ended."""
        _, enterprise, area_id = member
        request_id, erased = len(self.request_rows) + 1, ends < self.now - timedelta(days=90)
        self.request_rows.append(
            (request_id, pool_id, enterprise, self.owner_of[enterprise], area_id, "Calls at home for an older man")
            + (None if erased else "Key safe 1234 at 1 Park Row", self.cover_rng.choice(ABSENCES), status, ends)
            + (ends + timedelta(days=90) if erased else None, made)
        )
        return request_id

    def cover_shift(self, request_id, pool_id, member, day, status, worker=None) -> tuple:
        """A shift starting at a UK wall-clock hour on the day, its matching columns as the app computes them."""
        hour, length = self.cover_rng.choice(SHIFT_HOURS)
        starts = datetime.combine(day, time(hour), LONDON).astimezone(UTC)
        times = shift_times(starts, starts + timedelta(hours=length))
        naive = lambda moment: moment.astimezone(UTC).replace(tzinfo=None)  # noqa: E731 (stored as naive UTC)
        accepted = naive(starts) - timedelta(hours=self.cover_rng.randint(2, 72)) if worker else None
        self.shift_rows.append(
            (len(self.shift_rows) + 1, request_id, pool_id, member[1], member[2], naive(times.starts_at))
            + (naive(times.ends_at), times.minutes, times.day, times.last_day, times.weekday, times.start_minute)
            + (times.end_minute, dbs_issued_after(times.last_day, self.pool_max_age[pool_id]), status, worker)
            + (accepted, None, None, min(accepted or self.now, self.now) - timedelta(days=1))
        )
        return self.shift_rows[-1]

    def past_shifts(self) -> None:
        """In the last 180 days: worked (most rated by the enterprise, some by the worker), cancelled, no-shows."""
        rng = self.cover_rng
        for _ in range(self.n["past_shifts"]):
            pool_id, member, worker = self.cover_pair()
            day = self.today - timedelta(days=rng.randint(1, 180))
            status = rng.choices(("completed", "cancelled", "no_show"), (92, 4, 4))[0]
            ends = datetime.combine(day, time(23))
            state = "cancelled" if status == "cancelled" else "completed"
            request_id = self.cover_request(pool_id, member, state, ends, ends - timedelta(days=3))
            row = self.cover_shift(request_id, pool_id, member, day, status, None if status == "cancelled" else worker)
            if status == "completed" and rng.random() < 0.6:
                score = rng.choices((1, 2, 3, 4, 5), (2, 3, 10, 35, 50))[0]
                self.rating_rows.append((row[0], True, score, None, row[6] + timedelta(days=1)))
            if status == "completed" and rng.random() < 0.4:
                self.rating_rows.append((row[0], False, rng.choice((4, 5)), None, row[6] + timedelta(days=1)))

    def open_shifts(self) -> tuple[list, list]:
        """Open requests of one to three shifts on consecutive days in the next three weeks; their skills and extra
        training topics."""
        rng, needs, extra_topics, opened = self.cover_rng, [], [], 0
        while opened < self.n["open_shifts"]:
            pool_id, member, _ = self.cover_pair()
            first, count = self.today + timedelta(days=rng.randint(1, 21)), rng.choice((1, 1, 2, 3))
            request_id = self.cover_request(pool_id, member, "open", datetime.combine(first, time(23)), self.ago(0.5))
            needs += [(request_id, skill) for skill in sorted(rng.sample(SKILLS, rng.choice((0, 0, 1, 1, 2))))]
            if rng.random() < 0.2:
                extra_topics.append((request_id, rng.choice(list(self.topics))))
            shifts = [
                self.cover_shift(request_id, pool_id, member, first + timedelta(days=offset), "open")
                for offset in range(count)
            ]
            row = self.request_rows[-1]
            self.request_rows[-1] = row[:9] + (max(s[6] for s in shifts),) + row[10:]  # ends_at: its last shift's end
            opened += count
        return needs, extra_topics

    def build(self) -> Targets:
        self.people_and_organisations()
        self.courses_and_sessions()
        self.bookings()
        self.session_rows()
        self.training_records()
        self.waiting_list()
        self.audit_and_notifications()
        self.relief_cover()
        served = [row[1] for row in self.rows[organisation_areas][1]]
        busiest_area = max(set(served), key=served.count)
        self.targets.search = {"q": "level", "area": str(busiest_area), "delivery": "in_person"}
        return self.targets


# --- writing ---------------------------------------------------------------------------------------------------

ORDER = (
    User,
    Organisation,
    Membership,
    organisation_areas,
    PayeeDetails,
    Course,
    course_areas,
    TrainingSession,
    Payment,
    Booking,
    Attendee,
    Refund,
    TrainingRecord,
    WaitingListEntry,
    AuditEvent,
    Notification,
    ReliefWorkerProfile,
    worker_areas,
    WorkerSkill,
    WorkerAvailability,
    WorkerDayOff,
    ReliefPool,
    pool_areas,
    pool_topics,
    PoolMember,
    PoolWorker,
    CoverRequest,
    RequestSkill,
    request_topics,
    CoverShift,
    ShiftRating,
    WorkerBlock,
)


def complete_columns(table: Table, names: tuple) -> tuple[tuple, tuple]:
    """The columns to write: those named plus any the loader left out that have a plain default (its value is
    added to every row). Left-out columns that are nullable or have a server default are left to the database.
    A name the table lacks, or a left-out NOT NULL column with no such default, is an error naming it."""
    unknown = sorted(set(names) - set(table.c.keys()))
    extra, unfilled = {}, []
    for column in table.c:
        if column.name in names:
            continue
        default = column.default
        if default is not None and getattr(default, "is_scalar", False):
            value = default.arg
            extra[column.name] = value.value if isinstance(value, enum.Enum) else value
        elif default is not None or not (column.nullable or column.server_default is not None):
            unfilled.append(column.name)
    if unknown or unfilled:
        raise RuntimeError(
            f"bench/data.py is out of step with table {table.name}: no column {unknown}; not filled {unfilled}"
        )
    return names + tuple(extra), tuple(extra.values())


def _sqlite_value(value):
    if hasattr(value, "hour"):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return float(value) if isinstance(value, Decimal) else value


def write(world: World, targets: Targets) -> None:
    """Every table, in foreign-key order, in one transaction; then the id sequences (PostgreSQL)."""
    connection = db.session.connection()
    postgres = connection.dialect.name == "postgresql"
    for model in ORDER:
        table = getattr(model, "__table__", model)
        names, rows = world.rows.pop(table)
        names, extra = complete_columns(table, names)
        if postgres:
            with connection.connection.driver_connection.cursor() as cursor:
                with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row + extra)
        else:
            statement = f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            raw = connection.connection.driver_connection
            for start in range(0, len(rows), CHUNK):
                raw.executemany(
                    statement, [tuple(map(_sqlite_value, row + extra)) for row in rows[start : start + CHUNK]]
                )
        targets.counts[table.name] = len(rows)
        if postgres and "id" in table.c and rows:
            sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
            connection.execute(text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table.name}))"))
    db.session.commit()


def load(size: str) -> Targets:
    """Fill an empty, migrated database (inside an app context) and say what to request."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise RuntimeError("The bench database is not empty.")
    world = World(size)
    targets = world.build()
    write(world, targets)
    check_seats()
    if db.engine.dialect.name == "postgresql":  # what autovacuum does soon after a bulk load; plans are poor before
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return targets


def live_seats_by_session():
    booking = Booking.__table__
    return (
        select(booking.c.session_id, func.sum(booking.c.seats).label("seats"))
        .where(booking.c.status.in_(("reserved", "confirmed")))
        .group_by(booking.c.session_id)
        .subquery()
    )


def check_seats() -> None:
    """Every session's seats_taken equals its live bookings' seats, and nobody is over capacity."""
    live, session = live_seats_by_session(), TrainingSession.__table__
    seats = func.coalesce(live.c.seats, 0)
    wrong = db.session.scalar(
        select(func.count())
        .select_from(session.outerjoin(live, live.c.session_id == session.c.id))
        .where((seats != session.c.seats_taken) | (seats > session.c.capacity))
    )
    if wrong:
        raise RuntimeError(f"{wrong} sessions have seats_taken out of step with their bookings, or are overbooked.")


def session_seats(session_id: int) -> tuple[int, int, int]:
    """(capacity, seats_taken, live bookings' seats) of one session, read now."""
    live, session = live_seats_by_session(), TrainingSession.__table__
    row = db.session.execute(
        select(session.c.capacity, session.c.seats_taken, func.coalesce(live.c.seats, 0))
        .select_from(session.outerjoin(live, live.c.session_id == session.c.id))
        .where(session.c.id == session_id)
    ).one()
    return tuple(row)
