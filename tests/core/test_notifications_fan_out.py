"""notify_each(): one queued job tells several people, after the commit, and a retried job tells nobody twice.

These run without Redis (the default test configuration), so the job runs in this process after the commit;
tests/core/test_queue.py runs the same fan-out through RQ on the local Redis.
"""

import threading

import pytest
from sqlalchemy import func, select

from marketplace.core import notifications
from marketplace.core import queue as queue_module
from marketplace.core.notifications import Notification, fan_out, notify_each
from marketplace.extensions import db
from tests import factories


def told() -> list[tuple[int, str, str, str | None]]:
    """(user id, kind, title, link) of every notification, in user order."""
    db.session.expire_all()
    rows = db.session.execute(select(Notification.user_id, Notification.kind, Notification.title, Notification.link))
    return sorted(tuple(row) for row in rows)


def people(*emails: str) -> list:
    """Committed users with these addresses."""
    users = [factories.user(email=email, name=email.split("@")[0].title()) for email in emails]
    db.session.commit()
    return users


def test_each_person_is_notified_and_emailed_once_the_transaction_commits(ctx, outbox):
    """Nothing is created before the commit; then each person has their notification and their own email."""
    ann, bob = people("ann@example.com", "bob@example.com")
    bystander = factories.user()
    db.session.commit()
    notify_each([ann, bob.id], "test", title="Cover is needed", body="Two shifts.", link="https://backstop.test/x")
    db.session.flush()
    assert told() == [] and outbox.messages() == []
    db.session.commit()
    link = "https://backstop.test/x"
    assert told() == [(ann.id, "test", "Cover is needed", link), (bob.id, "test", "Cover is needed", link)]
    for person in (ann, bob):
        [message] = outbox.to(person.email)
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert message["Subject"] == "Cover is needed"
        assert f"Dear {person.name}," in text and "Two shifts." in text and link in text
    assert outbox.to(bystander.email) == []


def test_one_fan_out_shares_one_key(ctx, outbox):
    """Every notification of one notify_each() carries its job's key; notify() leaves the key empty."""
    ann, bob = people("ann@example.com", "bob@example.com")
    notify_each([ann, bob], "test", title="First")
    notify_each([ann], "test", title="Second")
    db.session.commit()
    keys = dict(
        db.session.execute(
            select(Notification.title, func.count(func.distinct(Notification.fan_out_key))).group_by(Notification.title)
        ).all()
    )
    assert keys == {"First": 1, "Second": 1}


def test_nothing_for_a_transaction_that_rolled_back(ctx, outbox):
    """A rolled-back notify_each() creates no notification and sends no email, even after a later commit."""
    [ann] = people("ann@example.com")
    notify_each([ann], "test", title="Never happened")
    db.session.rollback()
    db.session.commit()
    assert told() == [] and outbox.messages() == []


def test_nothing_for_a_rolled_back_savepoint(ctx, outbox):
    """A fan-out queued inside a savepoint that rolls back is dropped; the outer transaction's one still runs."""
    ann, bob = people("ann@example.com", "bob@example.com")
    notify_each([ann], "test", title="Kept")
    savepoint = db.session.begin_nested()
    notify_each([bob], "test", title="Dropped")
    savepoint.rollback()
    db.session.commit()
    assert [(user_id, title) for user_id, _, title, _ in told()] == [(ann.id, "Kept")]
    assert outbox.to(bob.email) == []


def test_no_one_to_tell_queues_nothing(ctx, outbox, monkeypatch):
    """An empty list of people queues no job at all."""
    dispatched = []
    monkeypatch.setattr(queue_module, "dispatch", lambda app, jobs: dispatched.extend(jobs))
    notify_each([], "test", title="Nobody")
    db.session.commit()
    assert dispatched == []


def test_a_retried_fan_out_job_creates_no_duplicates(ctx, outbox):
    """Running the same job again (as an RQ retry would) creates and emails nothing more."""
    ann, bob = people("ann@example.com", "bob@example.com")
    job = ("key-1", [ann.id, bob.id], "test")
    assert fan_out(*job, title="Once", body="", link=None) == 2
    assert fan_out(*job, title="Once", body="", link=None) == 0
    assert len(told()) == 2
    assert len(outbox.to(ann.email)) == 1 and len(outbox.to(bob.email)) == 1


def test_a_retry_after_a_partial_run_tells_only_the_rest(ctx, outbox):
    """If someone already has this job's notification, the retry tells only the others; another job is separate."""
    ann, bob = people("ann@example.com", "bob@example.com")
    assert fan_out("key-1", [ann.id], "test", title="News", body="", link=None) == 1
    assert fan_out("key-1", [ann.id, bob.id], "test", title="News", body="", link=None) == 1
    assert fan_out("key-2", [ann.id, bob.id], "test", title="News", body="", link=None) == 2
    assert len(outbox.to(ann.email)) == 2 and len(outbox.to(bob.email)) == 2
    assert len(told()) == 4


def test_a_job_that_fails_midway_leaves_nothing_behind(ctx, outbox, monkeypatch):
    """A fan-out that fails before committing keeps no notification and sends no email, so its retry tells all."""
    ann, bob = people("ann@example.com", "bob@example.com")
    calls = []

    def failing_send(to, template, **context):
        calls.append(to)
        if len(calls) == 2:
            raise OSError("template store unavailable")

    monkeypatch.setattr(notifications, "send_email", failing_send)
    with pytest.raises(OSError):
        fan_out("key-1", [ann.id, bob.id], "test", title="News", body="", link=None)
    db.session.rollback()
    monkeypatch.undo()
    assert told() == [] and outbox.messages() == []
    assert fan_out("key-1", [ann.id, bob.id], "test", title="News", body="", link=None) == 2
    assert len(outbox.to(ann.email)) == 1 and len(outbox.to(bob.email)) == 1


def test_concurrent_runs_of_one_fan_out_tell_each_person_once(app, ctx, outbox, monkeypatch):
    """Two workers running the same job at once: the second waits on the first's inserts, then tells nobody."""
    ann, bob = people("ann@example.com", "bob@example.com")
    real_send, pause = notifications.send_email, threading.Event()
    monkeypatch.setattr(notifications, "send_email", lambda *args, **kw: (pause.wait(0.2), real_send(*args, **kw)))
    user_ids, barrier, results = [ann.id, bob.id], threading.Barrier(2), []

    def run():
        with app.app_context():
            barrier.wait()
            results.append(fan_out("key-1", user_ids, "test", title="Race", body="", link=None))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [0, 2]
    assert len(told()) == 2
    assert len(outbox.to(ann.email)) == 1 and len(outbox.to(bob.email)) == 1
