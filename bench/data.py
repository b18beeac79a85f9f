"""A large synthetic data set, loaded with bulk INSERTs of dicts (no ORM objects, no per-row flush).

Ids are given explicitly so rows can point at each other without reading anything back; on PostgreSQL the id
sequences are moved past them afterwards and the tables analysed. seats_taken of every session is the sum of the seats of its live
(reserved or confirmed) bookings, and no session is over capacity.
"""

import random
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select, text

from marketplace.accounts.models import User
from marketplace.accounts.passwords import hash_password
from marketplace.core.audit import AuditEvent
from marketplace.core.clock import utcnow
from marketplace.core.notifications import Notification
from marketplace.extensions import db
from marketplace.organisations.models import Area, LegalForm, Membership, Organisation, organisation_areas
from marketplace.training.models import (
    Attendee,
    Booking,
    Course,
    Topic,
    TrainingSession,
    course_areas,
)

PASSWORD = "bench-password-2026"
DOMAIN = "bench.example"
SIZES = {
    "publishers": 50,
    "enterprises": 2000,
    "courses": 300,
    "sessions": 3000,
    "bookings": 20000,
    "audit_events": 20000,
    "notifications": 5000,
}
HEAVY_BOOKER_BOOKINGS = 200  # "Your bookings" for one busy entrepreneur
ROSTER_CAPACITY = 60  # the full session whose roster is measured
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


@dataclass
class Targets:
    """What the benchmark requests: who signs in and which rows the pages show."""

    admin_email: str = ""
    publisher_email: str = ""
    entrepreneur_email: str = ""
    course_id: int = 0
    session_id: int = 0
    roster_session_id: int = 0
    roster_people: int = 0
    heavy_bookings: int = 0
    search: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)


class World:
    """Builds the rows in memory (deterministic), then inserts them table by table."""

    def __init__(self, seed: int = 2026) -> None:
        self.rng = random.Random(seed)
        self.now = utcnow().replace(microsecond=0)
        self.rows: dict = {}
        self.targets = Targets()
        self.area_ids = list(db.session.scalars(select(Area.id).order_by(Area.id)))
        self.topics = dict(db.session.execute(select(Topic.id, Topic.name).order_by(Topic.id)).all())

    def ago(self, days: float) -> object:
        return self.now - timedelta(days=days)

    # --- people and organisations --------------------------------------------------------------------------

    def people_and_organisations(self) -> None:
        rng, password_hash = self.rng, hash_password(PASSWORD)
        users, orgs, members, served = [], [], [], []

        def person(name: str, email: str, role: str, admin: bool = False) -> int:
            users.append(
                {
                    "id": len(users) + 1,
                    "email": email,
                    "name": name,
                    "password_hash": password_hash,
                    "intended_role": role,
                    "email_verified_at": self.ago(400),
                    "is_admin": admin,
                    "is_active_account": True,
                    "created_at": self.ago(400),
                }
            )
            return len(users)

        def organisation(user_id: int, **columns) -> int:
            org_id = len(orgs) + 1
            base = {"legal_form": None, "fte": None, "area_id": None, "postcode": None, "registration_number": None}
            orgs.append({"id": org_id, "status": "approved", "created_at": self.ago(390), **base, **columns})
            members.append(
                {
                    "user_id": user_id,
                    "organisation_id": org_id,
                    "role": "owner",
                    "status": "active",
                    "created_at": self.ago(390),
                }
            )
            return org_id

        self.targets.admin_email = f"admin@{DOMAIN}"
        person("Bench Admin", self.targets.admin_email, "publisher", admin=True)
        self.publisher_ids = []
        for n in range(1, SIZES["publishers"] + 1):
            user_id = person(f"Officer {n}", f"officer{n}@{DOMAIN}", "publisher")
            kind = "nhs" if n % 5 == 0 else "council"
            org_id = organisation(user_id, kind=kind, name=f"{'NHS Body' if kind == 'nhs' else 'Council'} {n}")
            self.publisher_ids.append(org_id)
            for area_id in rng.sample(self.area_ids, rng.randint(1, 4)):
                served.append({"organisation_id": org_id, "area_id": area_id})
        self.owner_of = {}  # enterprise id -> owner user id
        for n in range(1, SIZES["enterprises"] + 1):
            user_id = person(f"Owner {n}", f"owner{n}@{DOMAIN}", "entrepreneur")
            org_id = organisation(
                user_id,
                kind="enterprise",
                name=f"Care Enterprise {n}",
                legal_form=rng.choice(list(LegalForm)).value,
                fte=Decimal(rng.randint(5, 50)) / 10,
                area_id=rng.choice(self.area_ids),
                postcode="LS1 4AP",
            )
            self.owner_of[org_id] = user_id
        self.users = users
        self.emails = {row["id"]: row["email"] for row in users}
        self.served = {}
        for row in served:
            self.served.setdefault(row["organisation_id"], []).append(row["area_id"])
        self.rows.update({User: users, Organisation: orgs, Membership: members, organisation_areas: served})
        self.targets.publisher_email = users[1]["email"]  # officer1, owner of publisher 1
        self.heavy_enterprise = len(orgs) - SIZES["enterprises"] + 1  # the first enterprise
        self.targets.entrepreneur_email = self.emails[self.owner_of[self.heavy_enterprise]]

    # --- courses and sessions ------------------------------------------------------------------------------

    def courses_and_sessions(self) -> None:
        rng, courses, restricted, sessions = self.rng, [], [], []
        for n in range(1, SIZES["courses"] + 1):
            org_id = self.publisher_ids[0] if n <= 10 else rng.choice(self.publisher_ids)  # publisher 1 has 10+
            topic_id = rng.choice(list(self.topics))
            full = rng.choice((0, 2500, 4000, 6000, 9500))
            courses.append(
                {
                    "id": n,
                    "organisation_id": org_id,
                    "title": f"{self.topics[topic_id]}: {rng.choice(LEVELS)} ({n})",
                    "topic_id": topic_id,
                    "description": DESCRIPTION,
                    "delivery": rng.choice(("in_person", "online")),
                    "accreditation": "CPD Certification Service",
                    "cpd_hours": Decimal(rng.randint(1, 7)),
                    "certificate_validity_months": rng.choice((None, 12, 24, 36)),
                    "full_price_pence": full,
                    "subsidised_price_pence": rng.choice((0, full // 4, full)),
                    "cancellation_cutoff_days": 7,
                    "max_fte": None,
                    "status": "published" if n <= 10 or rng.random() < 0.9 else rng.choice(("draft", "archived")),
                    "created_at": self.ago(380),
                }
            )
            if rng.random() < 0.2:
                for area_id in self.served[org_id][: rng.randint(1, 3)]:
                    restricted.append({"course_id": n, "area_id": area_id})
        self.courses = {row["id"]: row for row in courses}
        published = [row["id"] for row in courses if row["status"] == "published"]
        today = self.now.replace(hour=9, minute=30, second=0)
        for n in range(1, SIZES["sessions"] + 1):
            course_id = 1 if n <= 30 else rng.choice(published)  # course 1 has 30+ sessions
            days = rng.randint(-300, 300) or 1
            starts = today + timedelta(days=days)
            status = "cancelled" if rng.random() < 0.04 else ("completed" if days < 0 else "scheduled")
            in_person = self.courses[course_id]["delivery"] == "in_person"
            sessions.append(
                {
                    "id": n,
                    "course_id": course_id,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(hours=3),
                    "booking_deadline": starts - timedelta(days=1),
                    "venue_address": "Civic Hall, Calverley Street, Leeds LS1 1UR" if in_person else None,
                    "online_link": None if in_person else "https://meet.example.org/bench",
                    "capacity": rng.choice((6, 8, 10, 12, 15, 20, 25, 30, 40)),
                    "seats_taken": 0,
                    "status": status,
                    "reminder_sent_at": None,
                    "created_at": self.ago(370),
                }
            )
        roster = next(
            s
            for s in sessions
            if s["course_id"] == 1 and s["status"] == "scheduled" and s["starts_at"] > today + timedelta(days=7)
        )
        roster["capacity"] = ROSTER_CAPACITY
        self.targets.roster_session_id = roster["id"]
        self.targets.course_id = 1
        self.targets.session_id = next(
            s["id"]
            for s in sessions
            if s["course_id"] != 1 and s["status"] == "scheduled" and s["starts_at"] > today + timedelta(days=2)
        )
        self.sessions = sessions
        self.rows.update({Course: courses, course_areas: restricted, TrainingSession: sessions})

    # --- bookings and attendees ----------------------------------------------------------------------------

    def bookings(self) -> None:
        """Full sessions first (5%, the roster's among them), then random bookings, one busy booker."""
        rng = self.rng
        self.booking_rows, self.attendee_rows, self.live_emails = [], [], set()
        open_sessions = [s for s in self.sessions if s["status"] == "scheduled" and s["starts_at"] > self.now]
        full = [s for s in self.sessions if s["id"] == self.targets.roster_session_id]
        full += rng.sample([s for s in open_sessions if s not in full], len(self.sessions) // 20)
        others = [org_id for org_id in self.owner_of if org_id != self.heavy_enterprise]
        for session in full:
            while session["seats_taken"] < session["capacity"] and len(self.booking_rows) < SIZES["bookings"]:
                self.book(session, rng.choice(others), "confirmed")
        heavy_left = HEAVY_BOOKER_BOOKINGS
        while len(self.booking_rows) < SIZES["bookings"]:
            session = rng.choice(self.sessions)
            heavy = heavy_left > 0 and rng.random() < 0.05
            heavy_left -= heavy
            enterprise = self.heavy_enterprise if heavy else rng.choice(others)
            self.book(session, enterprise, self.status_for(session))
        self.targets.heavy_bookings = sum(1 for b in self.booking_rows if b["organisation_id"] == self.heavy_enterprise)
        roster_id = self.targets.roster_session_id
        self.targets.roster_people = sum(1 for a in self.attendee_rows if a["session_id"] == roster_id)
        self.rows.update({Booking: self.booking_rows, Attendee: self.attendee_rows})

    def status_for(self, session: dict) -> str:
        if session["status"] == "cancelled":
            return "cancelled"
        roll = self.rng.random()
        if session["starts_at"] > self.now and roll < 0.03:
            return "reserved"
        return "confirmed" if roll < 0.85 else ("cancelled" if roll < 0.95 else "expired")

    def book(self, session: dict, enterprise: int, status: str) -> None:
        rng, booker = self.rng, self.owner_of[enterprise]
        seats = rng.choice((1, 1, 1, 2, 2, 3))
        live = status in ("reserved", "confirmed")
        if live:
            seats = min(seats, session["capacity"] - session["seats_taken"])
            if seats == 0:
                status, seats, live = "cancelled", 1, False
        course = self.courses[session["course_id"]]
        band, unit = rng.choice(
            (("full", course["full_price_pence"]), ("subsidised", course["subsidised_price_pence"]))
        )
        band = "free" if unit == 0 else band
        booking_id = len(self.booking_rows) + 1
        made = min(session["starts_at"] - timedelta(days=rng.randint(2, 60)), self.now)
        self.booking_rows.append(
            {
                "id": booking_id,
                "session_id": session["id"],
                "booker_id": booker,
                "organisation_id": enterprise,
                "status": status,
                "seats": seats,
                "price_band": band,
                "unit_price_pence": unit,
                "total_pence": unit * seats,
                "hold_expires_at": self.now + timedelta(minutes=10) if status == "reserved" else None,
                "payment_id": None,
                "confirmed_at": made if status == "confirmed" else None,
                "cancelled_at": made + timedelta(days=1) if status == "cancelled" else None,
                "cancellation_reason": "Plans changed" if status == "cancelled" else None,
                "created_at": made,
            }
        )
        if live:
            session["seats_taken"] += seats
        self.attendees(session, booking_id, booker, seats, status, made)

    def attendees(self, session: dict, booking_id: int, booker: int, seats: int, status: str, made) -> None:
        past = session["status"] == "completed"
        for i in range(seats):
            email = self.emails[booker] if i == 0 else f"staff{booking_id}.{i}@{DOMAIN}"
            if (session["id"], email) in self.live_emails:
                email = f"staff{booking_id}.{i}@{DOMAIN}"
            if status == "confirmed":
                state = self.rng.choice(("attended", "attended", "no_show")) if past else "booked"
            else:
                state = "booked" if status == "reserved" else "cancelled"
            if state != "cancelled":
                self.live_emails.add((session["id"], email))
            self.attendee_rows.append(
                {
                    "id": len(self.attendee_rows) + 1,
                    "booking_id": booking_id,
                    "session_id": session["id"],
                    "name": f"Person {booking_id}-{i}" if i else f"Owner of booking {booking_id}",
                    "email": email,
                    "status": state,
                    "marked_at": session["ends_at"] if state in ("attended", "no_show") else None,
                    "created_at": made,
                }
            )

    # --- audit log and notifications -----------------------------------------------------------------------

    def audit_and_notifications(self) -> None:
        rng, user_ids = self.rng, [row["id"] for row in self.users]
        events = []
        for n in range(1, SIZES["audit_events"] + 1):
            action, object_type = rng.choice(ACTIONS)
            events.append(
                {
                    "id": n,
                    "at": self.ago(rng.uniform(0, 365)),
                    "actor_id": rng.choice(user_ids),
                    "organisation_id": rng.randint(1, len(self.rows[Organisation])) if rng.random() < 0.8 else None,
                    "action": action,
                    "object_type": object_type,
                    "object_id": rng.randint(1, 20000),
                    "details": {"seats": rng.randint(1, 3), "note": "synthetic"},
                    "request_id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "ip": f"192.0.2.{rng.randint(1, 254)}",
                }
            )
        notes = []
        for n in range(1, SIZES["notifications"] + 1):
            created = self.ago(rng.uniform(0, 200))
            notes.append(
                {
                    "id": n,
                    "user_id": rng.choice(user_ids),
                    "kind": "booking_confirmed",
                    "title": f"Your booking {n} is confirmed",
                    "body": "We have emailed the details to everyone booked.",
                    "link": f"/training/bookings/{rng.randint(1, 20000)}",
                    "read_at": created + timedelta(hours=3) if rng.random() < 0.7 else None,
                    "created_at": created,
                }
            )
        self.rows.update({AuditEvent: events, Notification: notes})

    # --- writing -------------------------------------------------------------------------------------------

    def build(self) -> Targets:
        self.people_and_organisations()
        self.courses_and_sessions()
        self.bookings()
        self.audit_and_notifications()
        served = [row["area_id"] for row in self.rows[organisation_areas]]
        busiest_area = max(set(served), key=served.count)
        self.targets.search = {"q": "level", "area": str(busiest_area), "delivery": "in_person"}
        return self.targets

    def write(self) -> None:
        for target, rows in self.rows.items():
            table = getattr(target, "__table__", target)
            for start in range(0, len(rows), CHUNK):
                db.session.execute(insert(table), rows[start : start + CHUNK])
            self.targets.counts[table.name] = len(rows)
        if db.engine.dialect.name == "postgresql":
            for target in self.rows:
                table = getattr(target, "__table__", target)
                if "id" in table.c:
                    db.session.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"
                        )
                    )
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))  # what autovacuum does soon after a bulk load; plans are poor before
            db.session.commit()


def load() -> Targets:
    """Fill an empty, migrated database (inside an app context) and say what to request."""
    if db.session.scalar(select(func.count()).select_from(User)):
        raise RuntimeError("The bench database is not empty.")
    world = World()
    targets = world.build()
    world.write()
    check_seats()
    return targets


def check_seats() -> None:
    """Every session's seats_taken equals its live bookings' seats, within capacity."""
    live = (
        select(Booking.session_id, func.sum(Booking.seats).label("seats"))
        .where(Booking.status.in_(("reserved", "confirmed")))
        .group_by(Booking.session_id)
        .subquery()
    )
    wrong = db.session.scalar(
        select(func.count())
        .select_from(TrainingSession)
        .outerjoin(live, live.c.session_id == TrainingSession.id)
        .where(func.coalesce(live.c.seats, 0) != TrainingSession.seats_taken)
    )
    if wrong:
        raise RuntimeError(f"{wrong} sessions have seats_taken out of step with their bookings.")
