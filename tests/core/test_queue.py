"""The job queue: emails and notification fan-out go through RQ on the local Redis when it is configured,
in-process after commit when not. The Redis tests skip when Redis is down, except in CI (env CI set), which
starts Redis: there they fail.
"""

import base64
import os
import signal
import threading
from datetime import timedelta

import pytest
from redis import Redis, RedisError
from sqlalchemy import func, select

from marketplace.core import mail
from marketplace.core import queue as queue_module
from marketplace.core.clock import utcnow
from marketplace.core.jobs import run_due
from marketplace.core.mail import SENT_EMAILS_KEPT, SentEmail, build_message, deliver_email, send_email
from marketplace.core.notifications import Notification, notify, notify_each
from marketplace.core.queue import enqueue, make_worker, queue_url, redis_queue
from marketplace.extensions import db
from tests import factories

REDIS_TEST_URL = "redis://127.0.0.1:6379/7"  # a database number only these tests use
QUEUE_SETTINGS = ("QUEUE_REDIS_URL", "QUEUE_NAME", "QUEUE_RETRY_INTERVALS")


def _forget(queue) -> None:
    """Delete this test process's queue, its registries and its jobs (nothing else in Redis)."""
    connection = queue.connection
    registries = (queue.started_job_registry, queue.finished_job_registry, queue.failed_job_registry)
    job_ids = set(queue.get_job_ids()).union(*(registry.get_job_ids() for registry in registries))
    for pattern in [f"rq:*{queue.name}*", *(f"rq:*{job_id}*" for job_id in job_ids)]:
        for key in connection.scan_iter(pattern):
            connection.delete(key)
    for key in connection.scan_iter("rq:worker:*", _type="hash"):
        if connection.hget(key, "queues") == queue.name.encode():
            connection.delete(key)
    connection.srem("rq:queues", queue.key)


@pytest.fixture
def rq_queue(app):
    """Point the app at the local Redis, with a queue of its own and immediate retries; skip if Redis is down.

    In CI (the CI environment variable set) Redis is started for these tests, so an unreachable Redis fails them.
    """
    connection = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except RedisError as error:
        reason = f"Redis is not reachable at {REDIS_TEST_URL} ({error})"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: CI starts Redis, so the queue tests must run there")
        pytest.skip(f"{reason}: start redis-server (CI does)")
    saved = {name: app.config.get(name) for name in QUEUE_SETTINGS}
    name = f"backstop-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
    app.config.update(QUEUE_REDIS_URL=REDIS_TEST_URL, QUEUE_NAME=name, QUEUE_RETRY_INTERVALS=(0, 0))
    try:
        queue = redis_queue(app, connection)
        _forget(queue)
        yield queue
        _forget(queue)
    finally:
        app.config.update(saved)


@pytest.fixture(autouse=True)
def _keep_signal_handlers():
    """An RQ worker installs its own SIGINT and SIGTERM handlers: put pytest's back afterwards."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in handlers.items():
        signal.signal(sig, handler)


def work(app, queue) -> None:
    """Run the queued jobs with the worker's in-process flavour (an RQ SimpleWorker), then stop."""
    make_worker(app, fork=False, connection=queue.connection).work(burst=True)


def email(to: str, title: str):
    """Queue a notification email to an address (in the current transaction)."""
    return send_email(to, "notification", user={"name": "Ann"}, title=title, body="", link=None)


def message_for(to: str, title: str) -> str:
    """The job payload of a rendered notification email."""
    message = build_message(to, "notification", user={"name": "Ann"}, title=title, body="", link=None)
    return base64.b64encode(bytes(message)).decode("ascii")


def sent_count() -> int:
    return db.session.scalar(select(func.count()).select_from(SentEmail))


def test_email_goes_through_redis_and_a_worker_delivers_it(app, ctx, rq_queue, outbox):
    """With Redis configured the commit only queues the email job; the worker delivers it, in an app context."""
    person = factories.user(email="ann@example.com")
    db.session.commit()
    notify(person, "test", title="Your cover is confirmed", body="See you Monday.")
    assert rq_queue.count == 0
    db.session.commit()
    assert outbox.messages() == []
    [job] = rq_queue.get_jobs()
    assert job.func_name == "marketplace.core.mail.deliver_email"
    work(app, rq_queue)
    [message] = outbox.to("ann@example.com")
    assert message["Subject"] == "Your cover is confirmed"
    assert "See you Monday." in message.get_body(preferencelist=("plain",)).get_content()
    assert rq_queue.count == 0 and rq_queue.finished_job_registry.get_job_ids() == [job.id]
    assert sent_count() == 1


def test_a_request_only_queues_its_email_when_the_queue_is_on(app, client, ctx, rq_queue, outbox):
    """A password reset request answers without delivering; the worker sends the link built in the request."""
    factories.user(email="bob@example.com")
    db.session.commit()
    response = client.post("/forgot-password", data={"email": "bob@example.com"})
    assert response.status_code == 200
    assert outbox.messages() == [] and rq_queue.count == 1
    work(app, rq_queue)
    assert outbox.last_link("bob@example.com", "/reset-password/").startswith("http://backstop.test/")


def test_without_redis_email_is_delivered_in_process_after_commit(app, ctx, outbox):
    """The default (no REDIS_URL): the job runs in this process once the transaction commits, and is recorded."""
    assert queue_url(app) is None
    email("cat@example.com", "Hello")
    db.session.flush()
    assert outbox.messages() == [] and sent_count() == 0
    db.session.commit()
    assert [m["Subject"] for m in outbox.to("cat@example.com")] == ["Hello"]
    assert sent_count() == 1


def test_a_retried_email_job_sends_once(ctx, outbox):
    """Running the same email job again (as a retry would) finds its Message-ID recorded and sends nothing."""
    raw = message_for("dan@example.com", "Once")
    assert deliver_email(raw) is True
    assert deliver_email(raw) is False
    assert len(outbox.to("dan@example.com")) == 1 and sent_count() == 1


def test_the_same_email_queued_twice_is_sent_once(app, ctx, rq_queue, outbox):
    """Two queued jobs for one message (a re-enqueued job): both finish, one email goes out."""
    raw = message_for("eve@example.com", "Once")
    enqueue(deliver_email, raw)
    enqueue("marketplace.core.mail.deliver_email", raw)
    db.session.commit()
    assert rq_queue.count == 2
    work(app, rq_queue)
    assert len(outbox.to("eve@example.com")) == 1 and sent_count() == 1
    assert len(rq_queue.finished_job_registry.get_job_ids()) == 2


def test_a_failed_delivery_is_retried_and_sent_once(app, ctx, rq_queue, outbox, monkeypatch):
    """SMTP fails on the first try: nothing is recorded, RQ retries the job, and the email goes out once."""
    real_deliver, attempts = mail.deliver, []

    def flaky(message):
        attempts.append(message["Message-ID"])
        if len(attempts) == 1:
            raise OSError("connection refused")
        real_deliver(message)

    monkeypatch.setattr(mail, "deliver", flaky)
    email("fay@example.com", "Try again")
    db.session.commit()
    work(app, rq_queue)
    assert len(attempts) == 2 and len(outbox.to("fay@example.com")) == 1
    assert sent_count() == 1 and rq_queue.failed_job_registry.count == 0


def test_nothing_is_queued_for_a_transaction_that_rolled_back(ctx, rq_queue, outbox):
    """A rolled-back email job is never queued, not even by a later commit."""
    person = factories.user()
    db.session.commit()
    notify(person, "test", title="Never happened")
    db.session.rollback()
    db.session.commit()
    assert rq_queue.count == 0 and outbox.messages() == []


def test_savepoints_keep_or_drop_their_own_jobs(ctx, outbox):
    """A released savepoint's job waits for the outer commit; a rolled-back savepoint drops only its own job."""
    email("outer@example.com", "Outer")
    with db.session.begin_nested():
        email("kept@example.com", "Kept")
    savepoint = db.session.begin_nested()
    email("dropped@example.com", "Dropped")
    savepoint.rollback()
    assert outbox.messages() == []
    db.session.commit()
    assert sorted(m["To"] for m in outbox.messages()) == ["kept@example.com", "outer@example.com"]


def test_jobs_take_json_arguments_and_importable_functions(ctx):
    """A job argument that is not a JSON value, or a function that cannot be imported, is refused at once."""
    with pytest.raises(TypeError):
        enqueue(deliver_email, b"bytes are not JSON")
    with pytest.raises(ValueError, match="not an importable function"):
        enqueue(lambda: None)
    with pytest.raises(ValueError, match="not an importable function"):
        enqueue("marketplace.core.mail.no_such_job")


def test_unreachable_redis_falls_back_to_delivering_in_process(app, ctx, outbox, monkeypatch, caplog):
    """If the queue's Redis is down at commit time, the email is still delivered (in this process) and logged."""
    monkeypatch.setitem(app.config, "QUEUE_REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(queue_module.log, "disabled", False)  # the migrations' logging.config turned it off
    email("gus@example.com", "Still sent")
    db.session.commit()
    assert [m["Subject"] for m in outbox.to("gus@example.com")] == ["Still sent"]
    assert "Could not reach the queue's Redis" in caplog.text


def test_concurrent_runs_of_one_email_job_send_it_once(app, ctx, outbox, monkeypatch):
    """Two workers running the same job at once: the second waits on the first's insert, then sends nothing."""
    raw = message_for("hal@example.com", "Race")
    real_deliver, pause = mail.deliver, threading.Event()
    monkeypatch.setattr(mail, "deliver", lambda message: (pause.wait(0.3), real_deliver(message)))
    barrier, results = threading.Barrier(2), []

    def run():
        with app.app_context():
            barrier.wait()
            results.append(deliver_email(raw))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    assert len(outbox.to("hal@example.com")) == 1 and sent_count() == 1


def test_worker_command_needs_a_queue(app):
    """`flask queue worker` without REDIS_URL says what to set."""
    result = app.test_cli_runner().invoke(args=["queue", "worker", "--burst"])
    assert result.exit_code != 0 and "Set REDIS_URL" in result.output


def test_worker_command_forks_a_horse_per_job(app, ctx, rq_queue, outbox):
    """`flask queue worker --burst` (the production worker, forking per job) delivers the queued email."""
    email("ian@example.com", "Forked")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["queue", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert [m["Subject"] for m in outbox.to("ian@example.com")] == ["Forked"]
    assert rq_queue.finished_job_registry.count == 1


def notified() -> list[tuple[int, str]]:
    """(user id, title) of every notification."""
    db.session.expire_all()
    return sorted(tuple(row) for row in db.session.execute(select(Notification.user_id, Notification.title)))


def test_fan_out_is_one_job_on_redis_and_the_worker_tells_everyone(app, ctx, rq_queue, outbox):
    """notify_each() queues one job at commit; the worker creates each notification and queues each email."""
    ann, bob = factories.user(email="ann@example.com"), factories.user(email="bob@example.com")
    db.session.commit()
    notify_each([ann, bob], "test", title="Cover is needed", link="https://backstop.test/cover")
    db.session.commit()
    [job] = rq_queue.get_jobs()
    assert job.func_name == "marketplace.core.notifications.fan_out"
    assert notified() == [] and outbox.messages() == []
    work(app, rq_queue)
    assert notified() == [(ann.id, "Cover is needed"), (bob.id, "Cover is needed")]
    for person in (ann, bob):
        [message] = outbox.to(person.email)
        assert "https://backstop.test/cover" in message.get_body(preferencelist=("plain",)).get_content()
    finished = [rq_queue.fetch_job(job_id).func_name for job_id in rq_queue.finished_job_registry.get_job_ids()]
    assert sorted(finished) == ["marketplace.core.mail.deliver_email"] * 2 + ["marketplace.core.notifications.fan_out"]


def test_a_fan_out_queued_twice_tells_each_person_once(app, ctx, rq_queue, outbox):
    """The same fan-out job on the queue twice (a re-enqueued job): both finish, nobody is told twice."""
    person = factories.user(email="cat@example.com")
    db.session.commit()
    for _ in range(2):
        enqueue(
            "marketplace.core.notifications.fan_out", "key-1", [person.id], "test", title="Once", body="", link=None
        )
    db.session.commit()
    assert rq_queue.count == 2
    work(app, rq_queue)
    assert notified() == [(person.id, "Once")] and len(outbox.to("cat@example.com")) == 1


def test_a_rolled_back_fan_out_is_never_queued(ctx, rq_queue, outbox):
    """A fan-out in a transaction that rolls back never reaches the queue."""
    person = factories.user()
    db.session.commit()
    notify_each([person], "test", title="Never happened")
    db.session.rollback()
    db.session.commit()
    assert rq_queue.count == 0 and notified() == []


def test_sent_email_keys_are_purged_once_no_retry_can_come(ctx, clock):
    """The periodic purge-sent-emails job forgets Message-IDs older than SENT_EMAILS_KEPT and keeps newer ones."""
    now = utcnow()
    ages = {"old": SENT_EMAILS_KEPT + timedelta(minutes=1), "edge": SENT_EMAILS_KEPT, "new": timedelta(minutes=5)}
    db.session.add_all(
        SentEmail(message_id=f"<{name}@backstop.example>", sent_at=now - age) for name, age in ages.items()
    )
    db.session.commit()
    assert run_due(now)["purge-sent-emails"] == 1
    kept = db.session.scalars(select(SentEmail.message_id).order_by(SentEmail.message_id)).all()
    assert kept == ["<edge@backstop.example>", "<new@backstop.example>"]
    assert run_due(now)["purge-sent-emails"] == 0
