"""Training changes raced by real threads on PostgreSQL: session changes, topics and calendar feeds."""

import secrets
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.training import calendar, courses
from marketplace.training.models import CalendarFeed, SessionStatus, Topic, TrainingSession
from tests import factories
from tests.races import POSTGRES_ONLY, lost, race, repeat, summary

pytestmark = POSTGRES_ONLY

RUNS = 25


def _session_and_owner() -> tuple[int, int]:
    """A scheduled session of a council course, and an owner of the council (ids)."""
    owner = factories.user(role="publisher")
    session = factories.training_session(factories.course(factories.publisher(owner)))
    db.session.commit()
    return session.id, owner.id


def _move(session_id: int, actor_id: int, hours: int):
    """A contender moving the session `hours` later (a change everyone booked is told about)."""

    def load():
        session, actor = db.session.get(TrainingSession, session_id), db.session.get(User, actor_id)
        starts = session.starts_at + timedelta(hours=hours)
        times = {
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=3),
            "booking_deadline": starts - timedelta(days=1),
        }
        return lambda: courses.update_session(
            session, actor, capacity=session.capacity, place=session.venue_address, **times
        )

    return load


def _revision(session_id: int) -> tuple[int, str]:
    db.session.expire_all()
    session = db.session.get(TrainingSession, session_id)
    return session.revision, session.status


def test_two_changes_to_one_session_both_count(app, ctx, clock):
    """Two publishers move one session at once: both changes are made and each raises the calendar revision."""

    def attempt(run):
        session_id, owner = _session_and_owner()
        outcomes = race(app, [_move(session_id, owner, 1), _move(session_id, owner, 2)])
        updates = db.session.scalar(
            select(func.count()).where(AuditEvent.action == "session.updated", AuditEvent.object_id == session_id)
        )
        if outcomes != [0, 0] or _revision(session_id) != (2, SessionStatus.SCHEDULED) or updates != 2:
            return f"revision and status {_revision(session_id)}, {updates} audited, outcomes {outcomes!r}"
        return None

    problems = repeat(RUNS, attempt)
    assert not problems, summary(problems, RUNS)


def test_a_change_and_a_cancellation_at_once(app, ctx, clock):
    """A session is moved as it is cancelled: either the move comes first (two revisions) or it is refused."""

    def attempt(run):
        session_id, owner = _session_and_owner()

        def cancel():
            session, actor = db.session.get(TrainingSession, session_id), db.session.get(User, owner)
            return lambda: courses.cancel_session(session, actor, "Trainer unwell")

        outcomes = race(app, [_move(session_id, owner, 1), cancel])
        revision = _revision(session_id)
        moved_first = outcomes == [0, 0] and revision == (2, SessionStatus.CANCELLED)
        refused = lost(outcomes[0]) == "Only sessions that have not started can be changed" and outcomes[1] == 0
        if not (moved_first or (refused and revision == (1, SessionStatus.CANCELLED))):
            return f"revision and status {revision}, outcomes {outcomes!r}"
        return None

    problems = repeat(RUNS, attempt)
    assert not problems, summary(problems, RUNS)


@pytest.mark.parametrize("names", [("Moving and handling", "Moving and handling"), ("Dementia care", "dementia CARE")])
def test_two_admins_adding_one_topic(app, ctx, names):
    """Two admins add the same topic at once (in any case): one topic is added, the other admin is told it exists."""
    admins = [factories.user(admin=True).id, factories.user(admin=True).id]
    db.session.commit()

    def add(admin_id, name):
        def load():
            actor = db.session.get(User, admin_id)
            return lambda: courses.add_topic(name, actor).id

        return load

    def attempt(run):
        spelt = [f"{name} {run}" for name in names]
        outcomes = race(app, [add(admins[0], spelt[0]), add(admins[1], spelt[1])])
        db.session.expire_all()
        stored = db.session.scalars(select(Topic.name).where(func.lower(Topic.name) == spelt[0].lower())).all()
        messages = sorted(lost(o) for o in outcomes)
        if len(stored) != 1 or messages[0] != "" or not messages[1].startswith("There is already a topic called"):
            return f"topics {stored}, outcomes {outcomes!r}"
        return None

    problems = repeat(RUNS, attempt)
    assert not problems, summary(problems, RUNS)


class _TokensAfterBothLooked:
    """Stands in for `secrets` in calendar.py: a new token is made only once both requests have looked for theirs,
    so every run has the interleaving that matters (both read, then both write) instead of only some runs."""

    def __init__(self):
        self.both_looked = threading.Barrier(2, timeout=10)

    def token_urlsafe(self, length):
        self.both_looked.wait()
        return secrets.token_urlsafe(length)


@pytest.mark.parametrize(
    "renew, existing",
    [(False, False), (True, False), (True, True)],
    ids=["first-use", "create-address-twice", "renew-twice"],
)
def test_two_requests_for_one_calendar_feed(app, ctx, monkeypatch, renew, existing):
    """Two requests get a person's feed address at once: both are given the one working address."""

    def attempt(run):
        person = factories.user()
        old = calendar.feed_token(person) if existing else None
        db.session.commit()
        person_id = person.id

        def ask():
            user = db.session.get(User, person_id)
            return lambda: calendar.feed_token(user, renew=renew)

        with monkeypatch.context() as patch:
            patch.setattr(calendar, "secrets", _TokensAfterBothLooked())
            outcomes = race(app, [ask, ask])
        db.session.expire_all()
        stored = db.session.scalars(select(CalendarFeed.token).where(CalendarFeed.user_id == person_id)).all()
        if len(stored) != 1 or outcomes != [stored[0], stored[0]] or stored[0] == old:
            return f"stored {stored}, old {old}, outcomes {outcomes!r}"
        return None

    problems = repeat(RUNS, attempt)
    assert not problems, summary(problems, RUNS)
