"""Jobs: a reminder 2 days before a session, and a warning 30 days before a training record expires, each once."""

import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.core.features import registry
from marketplace.core.notifications import Notification
from marketplace.extensions import db
from marketplace.training import reminders
from marketplace.training.models import TrainingRecord, TrainingSession
from tests import factories
from tests.conftest import path_of


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def soon(ctx, clock):
    """A session starting in 36 hours with a confirmed booking of two and a reserved one; another in 5 days."""
    session = factories.training_session(days_ahead=1, starts_at=clock.now() + timedelta(hours=36))
    booker = factories.user(name="Booker")
    factories.booking(session, booker, people=[("Ann", "ann@example.com"), ("Bob", "bob@example.com")])
    factories.booking(session, factories.user(), people=[("Held", "held@example.com")], status="reserved")
    later = factories.training_session(session.course, days_ahead=5)
    db.session.commit()
    return session, later, booker


def test_reminders_are_sent_once_even_if_the_job_runs_twice(soon, clock, outbox):
    """Each confirmed booker is notified and each attendee emailed, once; unpaid holds and later sessions wait."""
    session, later, booker = soon
    assert reminders.send_session_reminders(clock.now()) == 1
    db.session.commit()
    assert reminders.send_session_reminders(clock.now()) == 0
    db.session.commit()
    assert count(Notification, Notification.user_id == booker.id, Notification.kind == "session_reminder") == 1
    for address in ("ann@example.com", "bob@example.com"):
        (message,) = outbox.to(address)
        assert message["Subject"].startswith(f"Reminder: {session.course.title}")
        assert "Civic Hall" in message.get_body(preferencelist=("plain",)).get_content()
    assert outbox.to("held@example.com") == []
    assert db.session.get(TrainingSession, session.id).reminder_sent_at == clock.now()
    assert db.session.get(TrainingSession, later.id).reminder_sent_at is None


def test_later_sessions_are_reminded_when_their_time_comes(soon, clock, outbox):
    """The 5-day session is reminded three days later; cancelled sessions never are."""
    _, later, _ = soon
    cancelled = factories.training_session(later.course, days_ahead=4, status="cancelled")
    db.session.commit()
    reminders.send_session_reminders(clock.now())
    clock.advance(days=3, hours=1)
    assert reminders.send_session_reminders(clock.now()) == 1
    assert db.session.get(TrainingSession, later.id).reminder_sent_at is not None
    assert db.session.get(TrainingSession, cancelled.id).reminder_sent_at is None


def test_both_jobs_are_registered(app):
    """flask jobs run-due runs them."""
    assert {"send-training-reminders", "warn-expiring-training"} <= set(registry(app).jobs)


@pytest.fixture
def expiring(ctx, clock):
    """Ann's first aid record expires in 20 days; Bob's (no account) in 40; sessions to suggest or not."""
    ann = factories.user(name="Ann", email="ann@example.com")
    first_aid = factories.course(title="First aid refresher", topic_name="First aid")
    done = factories.training_session(first_aid, days_ahead=-400)
    booking = factories.booking(done, factories.user(), people=[("Ann", "ann@example.com"), ("Bob", "bob@x.com")])
    ann_record = factories.training_record(booking.attendees[0])
    ann_record.user_id = ann.id
    ann_record.expires_on = clock.now().date() + timedelta(days=20)
    bob_record = factories.training_record(booking.attendees[1])
    bob_record.expires_on = clock.now().date() + timedelta(days=40)
    upcoming = factories.training_session(first_aid, days_ahead=10)
    draft = factories.training_session(factories.course(status="draft", topic_name="First aid"), days_ahead=10)
    other_topic = factories.training_session(factories.course(topic_name="Food hygiene"), days_ahead=10)
    db.session.commit()
    return ann, ann_record, bob_record, upcoming, draft, other_topic


def test_expiry_warning_links_to_upcoming_sessions_of_the_topic(expiring, clock, outbox):
    """One email with links to bookable sessions of the same topic; an in-app notification for account holders."""
    ann, ann_record, bob_record, upcoming, draft, other_topic = expiring
    assert reminders.warn_expiring_records(clock.now()) == 1
    db.session.commit()
    (message,) = outbox.to("ann@example.com")
    assert "First aid training expires on" in message["Subject"]
    assert path_of(outbox.last_link("ann@example.com", "/training/sessions/")) == f"/training/sessions/{upcoming.id}"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"/training/sessions/{draft.id}" not in body and f"/training/sessions/{other_topic.id}" not in body
    assert count(Notification, Notification.user_id == ann.id, Notification.kind == "training_expiring") == 1
    assert db.session.get(TrainingRecord, ann_record.id).expiry_warned_at == clock.now()
    assert outbox.to("bob@x.com") == []


def test_expiry_warning_is_sent_once_and_reaches_people_without_accounts(expiring, clock, outbox):
    """Running again sends nothing new; 10 days on, Bob (no account) is emailed."""
    ann, ann_record, bob_record, *_ = expiring
    reminders.warn_expiring_records(clock.now())
    db.session.commit()
    assert reminders.warn_expiring_records(clock.now()) == 0
    db.session.commit()
    assert len(outbox.to("ann@example.com")) == 1
    clock.advance(days=11)
    assert reminders.warn_expiring_records(clock.now()) == 1
    db.session.commit()
    assert len(outbox.to("bob@x.com")) == 1 and len(outbox.to("ann@example.com")) == 1


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="concurrent job runs are proven on PostgreSQL (make test runs it when TEST_DATABASE_URL is set)",
)
def test_concurrent_job_runs_send_each_reminder_once(app, soon, expiring, clock, outbox):
    """Five simultaneous runs of both jobs: one reminder per attendee, one warning per record."""
    from tests.training.test_concurrency import run_concurrently

    def both():
        return reminders.send_session_reminders(clock.now()) + reminders.warn_expiring_records(clock.now())

    outcomes = run_concurrently(app, [both] * 5)
    assert all(isinstance(n, int) for n in outcomes) and sum(outcomes) == 2, outcomes
    assert len(outbox.to("bob@example.com")) == 1
    assert len(outbox.to("ann@example.com")) == 2  # her reminder for the session, and her expiry warning
