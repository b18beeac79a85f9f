"""Work that should not hold a request: jobs run once the transaction commits, on RQ (Redis) or in this process.

A job is a plain importable function that takes JSON values and runs inside an app context. With a queue Redis
configured (QUEUE_REDIS_URL, or else REDIS_URL) `enqueue()` puts it on RQ after the commit for
`flask queue worker`; without one it runs in this process after the commit. A job enqueued in a transaction that
rolls back (or inside a savepoint that rolls back) never runs. Jobs may run more than once (RQ retries a failed
job), so every job must be idempotent.
"""

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from redis import Redis, RedisError
from rq import Queue, Retry, SimpleWorker, Worker
from rq.serializers import JSONSerializer
from rq.utils import import_attribute
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from ..extensions import db
from .urls import links_context

log = logging.getLogger(__name__)
_PENDING = "backstop_pending_jobs"  # session.info: [(transaction, task name, JSON [args, kwargs])]
_COMMITTED = "backstop_committed_transaction"


def enqueue(task: str | Callable, *args, **kwargs) -> None:
    """Run task(*args, **kwargs) once the current transaction commits, never if it rolls back.

    task is a module-level function or its dotted name; the arguments must be JSON values (checked now).
    """
    name = task_name(task)
    payload = json.dumps([args, kwargs])
    session = db.session()
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((transaction, name, payload))


def task_name(task: str | Callable) -> str:
    """The dotted name of a job function, checked to import back to that function."""
    name = task if isinstance(task, str) else f"{task.__module__}.{task.__qualname__}"
    try:
        found = import_attribute(name)
    except (ImportError, AttributeError, ValueError) as error:
        raise ValueError(f"{name} is not an importable function, so it cannot be a job") from error
    if not callable(found) or (not isinstance(task, str) and found is not task):
        raise ValueError(f"{name} is not an importable function, so it cannot be a job")
    return name


def queue_url(app: Flask) -> str | None:
    """The Redis the job queue uses, or None to run jobs in-process after the commit."""
    return app.config.get("QUEUE_REDIS_URL") or app.config.get("REDIS_URL")


def redis_queue(app: Flask, connection: Redis | None = None) -> Queue:
    """The app's RQ queue (jobs stored as JSON); web processes keep one Redis connection per URL."""
    if connection is None:
        url = queue_url(app)
        connections = app.extensions.setdefault("backstop_queue_redis", {})
        if url not in connections:
            connections[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        connection = connections[url]
    return Queue(app.config["QUEUE_NAME"], connection=connection, serializer=JSONSerializer)


@contextmanager
def job_context(app: Flask) -> Iterator[None]:
    """A fresh app context (so a fresh database session) whose links use the configured base URL."""
    with app.app_context(), links_context():
        yield


def run_now(app: Flask, name: str, payload: str) -> None:
    """Run one job here in its own app context; a failure is logged, as the caller's transaction has committed."""
    args, kwargs = json.loads(payload)
    try:
        with job_context(app):
            import_attribute(name)(*args, **kwargs)
    except Exception:
        log.exception("Job %s failed", name)


def dispatch(app: Flask, jobs: list[tuple[str, str]]) -> None:
    """Put committed jobs on the queue in one round trip, or run them here (also when Redis cannot be reached)."""
    if queue_url(app):
        try:
            _put_on_queue(app, jobs)
            return
        except RedisError:
            log.exception("Could not reach the queue's Redis: running %d jobs in this process", len(jobs))
    for name, payload in jobs:
        run_now(app, name, payload)


def _put_on_queue(app: Flask, jobs: list[tuple[str, str]]) -> None:
    intervals = list(app.config["QUEUE_RETRY_INTERVALS"])
    retry = Retry(max=len(intervals), interval=intervals) if intervals else None
    calls = []
    for name, payload in jobs:
        args, kwargs = json.loads(payload)
        calls.append(Queue.prepare_data(name, args=args, kwargs=kwargs, retry=retry, description=name))
    redis_queue(app).enqueue_many(calls)


@event.listens_for(Session, "after_commit")
def _remember_commit(session: Session) -> None:
    """after_commit fires for a released savepoint too: note which transaction committed, settle it at its end."""
    if session.info.get(_PENDING):
        session.info[_COMMITTED] = session.get_nested_transaction() or session.get_transaction()


@event.listens_for(Session, "after_transaction_end")
def _settle(session: Session, transaction: SessionTransaction) -> None:
    """A committed savepoint hands its jobs to the enclosing transaction; the outermost commit dispatches them."""
    pending = session.info.get(_PENDING)
    if not pending:
        return
    committed = session.info.get(_COMMITTED) is transaction
    if committed:
        del session.info[_COMMITTED]
    ended, kept = _split(pending, transaction)
    if committed and transaction.parent is not None:
        kept += [(transaction.parent, name, payload) for name, payload in ended]  # the savepoint's jobs move up
    session.info[_PENDING] = kept
    if committed and transaction.parent is None and ended:
        dispatch(current_app._get_current_object(), ended)


def _split(pending: list, transaction: SessionTransaction) -> tuple[list, list]:
    """The jobs queued in this transaction (name, payload), and the others' (owner, name, payload)."""
    ended = [(name, payload) for owner, name, payload in pending if owner is transaction]
    return ended, [job for job in pending if job[0] is not transaction]


class _JobsInAppContext:
    """RQ worker behaviour: each job runs in a fresh app context of the worker's app."""

    app: Flask

    def perform_job(self, job, queue, execution) -> bool:
        """Run the job inside job_context()."""
        with job_context(self.app):
            return super().perform_job(job, queue, execution)


class AppWorker(_JobsInAppContext, Worker):
    """The production worker: forks a work horse per job, as RQ does."""

    def main_work_horse(self, job, queue) -> None:
        """A forked horse must not reuse the parent's pooled database connections."""
        with self.app.app_context():
            for engine in db.engines.values():
                engine.dispose(close=False)
        super().main_work_horse(job, queue)


class AppSimpleWorker(_JobsInAppContext, SimpleWorker):
    """Runs jobs in the worker's own process (tests, and platforms without fork)."""


def make_worker(app: Flask, *, fork: bool = True, connection: Redis | None = None) -> Worker:
    """A worker for the app's queue; its jobs run in app contexts of `app`."""
    queue = redis_queue(app, connection or Redis.from_url(queue_url(app)))
    worker_class = AppWorker if fork else AppSimpleWorker
    worker = worker_class([queue], connection=queue.connection, serializer=JSONSerializer)
    worker.app = app
    return worker
