"""People who chose one email a day get their notifications in the service at once and, the next UK day, one digest
email of the day's notifications: once, however often the job runs, and not at all for a day with nothing to tell."""

from datetime import UTC, datetime

import pytest

from marketplace.core.clock import utcnow
from marketplace.core.jobs import run_due
from marketplace.core.notifications import Notification, notify, notify_each, send_digests
from marketplace.extensions import db
from tests import factories
from tests.database import fresh, notifications_for
from tests.races import POSTGRES_ONLY, race

DIGEST_SUBJECT = "Your Backstop notifications for 2 November 2026"


def _person(choice: str, email: str):
    person = factories.user(email=email, name=email.split("@")[0].title())
    person.notification_email = choice
    db.session.commit()
    return person


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def dee(ctx, clock):
    """Dee chose a daily digest and is told two things on Monday 2 November (10am): nothing is emailed."""
    person = _person("daily", "dee@example.com")
    notify(person, "test", title="Your cover is confirmed", body="See you Monday.", link="https://backstop.test/c")
    db.session.commit()
    clock.advance(hours=3)
    notify_each([person], "test", title="A refund was sent", link="https://backstop.test/r")
    db.session.commit()
    return person


def test_a_daily_reader_is_notified_at_once_but_not_emailed(dee, outbox):
    """Both notifications are in the service straight away; no email, and neither is marked emailed."""
    assert [note.title for note in notifications_for(dee)] == ["Your cover is confirmed", "A refund was sent"]
    assert outbox.messages() == []
    assert {note.emailed_at for note in notifications_for(dee)} == {None}


def test_the_digest_goes_the_next_day_once(dee, outbox, clock):
    """The same day the job sends nothing; the next day one email lists both; running it again sends no more."""
    assert send_digests(utcnow()) == 0
    db.session.commit()
    assert outbox.messages() == []

    clock.set(datetime(2026, 11, 3, 0, 5, tzinfo=UTC))
    results = run_due()
    assert results["send-notification-digests"] == 1
    [message] = outbox.to("dee@example.com")
    assert message["Subject"] == DIGEST_SUBJECT
    body = _text(message)
    assert "Dear Dee," in body and "2 things that happened" in body
    assert body.index("Your cover is confirmed") < body.index("See you Monday.") < body.index("A refund was sent")
    assert "https://backstop.test/c" in body and "https://backstop.test/r" in body
    fresh()
    assert all(note.emailed_at is not None for note in notifications_for(dee))

    clock.advance(hours=5)
    assert run_due()["send-notification-digests"] == 0
    assert len(outbox.to("dee@example.com")) == 1


def test_the_digest_covers_the_day_before_only(dee, outbox, clock):
    """Tuesday's notification waits for Wednesday's digest; Monday's are in Tuesday's."""
    clock.set(datetime(2026, 11, 3, 8, 0, tzinfo=UTC))
    notify(dee, "test", title="Tuesday news")
    db.session.commit()
    send_digests(utcnow())
    db.session.commit()
    [monday] = outbox.to("dee@example.com")
    assert "Tuesday news" not in _text(monday)

    clock.set(datetime(2026, 11, 4, 8, 0, tzinfo=UTC))
    assert send_digests(utcnow()) == 1
    db.session.commit()
    tuesday = outbox.to("dee@example.com")[-1]
    assert tuesday["Subject"] == "Your Backstop notifications for 3 November 2026"
    assert "Tuesday news" in _text(tuesday) and "Your cover is confirmed" not in _text(tuesday)
    assert "This is what happened" in _text(tuesday)


def test_nothing_to_tell_sends_nothing(ctx, clock, outbox):
    """A daily reader with no notifications the day before gets no email."""
    _person("daily", "quiet@example.com")
    clock.set(datetime(2026, 11, 3, 8, 0, tzinfo=UTC))
    assert send_digests(utcnow()) == 0
    db.session.commit()
    assert outbox.messages() == []


def test_only_daily_readers_get_a_digest(ctx, clock, outbox):
    """Someone emailed each time is not emailed again; someone who chose no emails gets none."""
    each = _person("each", "each@example.com")
    none = _person("none", "none@example.com")
    for person in (each, none):
        notify(person, "test", title="News")
    db.session.commit()
    assert [m["Subject"] for m in outbox.messages()] == ["News"]
    clock.set(datetime(2026, 11, 3, 8, 0, tzinfo=UTC))
    assert send_digests(utcnow()) == 0
    db.session.commit()
    assert [m["To"] for m in outbox.messages()] == ["each@example.com"]
    assert notifications_for(none)[0].emailed_at is None


def test_a_digest_built_twice_is_delivered_once(dee, outbox, clock):
    """The digest's Message-ID is fixed per person and day: a second copy of its delivery job sends nothing."""
    clock.set(datetime(2026, 11, 3, 8, 0, tzinfo=UTC))
    send_digests(utcnow())
    db.session.commit()
    db.session.execute(db.update(Notification).values(emailed_at=None))  # as if the claim had been lost
    db.session.commit()
    send_digests(utcnow())
    db.session.commit()
    assert len(outbox.to("dee@example.com")) == 1


@pytest.mark.parametrize("run", [pytest.param(number, marks=POSTGRES_ONLY) for number in range(3)])
def test_concurrent_runs_send_one_digest(app, dee, outbox, clock, run):
    """Two job runs at once on PostgreSQL: one claims the notifications and sends; the other finds none."""
    clock.set(datetime(2026, 11, 3, 8, 0, tzinfo=UTC))
    outcomes = race(app, [lambda: lambda: send_digests(utcnow())] * 2)
    assert sorted(outcomes) == [0, 1]
    assert len(outbox.to("dee@example.com")) == 1


def test_days_the_job_missed_are_caught_up(dee, outbox, clock):
    """If the job did not run on Wednesday, Thursday's digest carries Tuesday's news too (from ... to ...)."""
    clock.set(datetime(2026, 11, 3, 8, 0, tzinfo=UTC))
    send_digests(utcnow())  # Tuesday: Monday's digest
    notify(dee, "test", title="Tuesday news")
    db.session.commit()
    clock.set(datetime(2026, 11, 5, 8, 0, tzinfo=UTC))  # nothing ran on Wednesday
    notify(dee, "test", title="Thursday morning news")  # today's waits for tomorrow
    db.session.commit()
    assert send_digests(utcnow()) == 1
    db.session.commit()
    latest = _text(outbox.to("dee@example.com")[-1])
    assert "Tuesday news" in latest and "Thursday morning news" not in latest
    assert "from 3 November 2026 to 4 November 2026" in latest
