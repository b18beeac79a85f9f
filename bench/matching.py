"""Matching at scale (issue 10): the relief-cover queries timed in process against the bench's PostgreSQL database.

`matching.ranked_workers(shift, now=..., limit=10)` (the best 10, alerted at once), the same with `limit=None` (every
eligible worker, when the shift is widened) and `matching.open_shifts_for(worker, now=...)` (a worker's list of
shifts), each called `calls` times over different open shifts and approved workers (seeded, so the same ones each
run), after a few unmeasured calls. Every call is timed whole (building the statement, the round trip, the rows as
Python objects) in its own transaction, rolled back afterwards, and its SQL statements are counted by a
before_cursor_execute listener. The statement of the call with the median time is run again under
`EXPLAIN (ANALYZE, BUFFERS)` and saved to `<results>/<size>/matching-<call>.explain.txt`, with the tables it reads by
sequential scan.
"""

import math
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from sqlalchemy import event, func, select

from marketplace.accounts.models import User
from marketplace.core.clock import utcnow
from marketplace.cover import matching
from marketplace.cover.models import CoverShift, PoolWorker
from marketplace.cover.statuses import ShiftStatus, WorkerStatus
from marketplace.extensions import db

TARGET_P95_MS = 20  # issue 10: the ranked list for a shift under 20 ms p95
WARMUP_CALLS = 20
# Tables that grow with the workers: a sequential scan of one of these is a plan that grows with the data.
GROWING = (
    "training_records",
    "relief_worker_profiles",
    "relief_pool_workers",
    "relief_worker_areas",
    "relief_worker_skills",
    "relief_worker_availability",
    "relief_worker_days_off",
    "cover_shifts",
    "cover_shift_ratings",
    "users",
    "memberships",
)
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
INDEX_USED = re.compile(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)")
EXECUTION = re.compile(r"Execution Time: ([\d.]+) ms")
PLANNING = re.compile(r"Planning Time: ([\d.]+) ms")


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * q) - 1)] if ordered else 0.0


@dataclass
class Call:
    """One kind of call, measured many times."""

    name: str
    slug: str
    ms: list = field(default_factory=list)
    statements: list = field(default_factory=list)  # SQL statements each call ran
    rows: list = field(default_factory=list)  # what each call returned
    seq_scans: list = field(default_factory=list)  # tables the median call's plan scans sequentially
    indexes: list = field(default_factory=list)  # indexes it uses
    plan_ms: float | None = None  # its EXPLAIN ANALYZE execution time
    planning_ms: float | None = None  # and planning time (planned afresh each transaction: see README)
    explained: bool = False

    def p(self, q: float) -> float:
        return percentile(self.ms, q)

    @property
    def sql(self) -> str:
        low, high = min(self.statements), max(self.statements)
        return str(low) if low == high else f"{low}–{high}"

    @property
    def mean_rows(self) -> float:
        return sum(self.rows) / len(self.rows) if self.rows else 0.0

    @property
    def scans_growing(self) -> list[str]:
        return sorted({table for table in self.seq_scans if table in GROWING})

    @property
    def plan(self) -> str:
        """A one-line summary of the median call's plan."""
        if not self.explained:
            return "not explained"
        growing = self.scans_growing
        where = f"Seq Scan on {', '.join(growing)}" if growing else "indexes only on the growing tables"
        others = sorted(set(self.seq_scans) - set(growing))
        small = f" (Seq Scan on small {', '.join(others)})" if others else ""
        server = f"planned in {self.planning_ms or 0:.1f} ms, run in {self.plan_ms or 0:.1f} ms"
        return f"{where}{small}; {len(set(self.indexes))} indexes; {server}"


@dataclass
class Matching:
    calls: list  # Call
    pool_workers: float  # approved workers in the measured shifts' pools, on average
    open_shifts: int
    workers: int

    @property
    def ranked(self) -> Call:
        return self.calls[0]


class Statements:
    """Counts the SQL statements sent, and keeps the last one with its parameters."""

    def __init__(self) -> None:
        self.count, self.last = 0, None
        event.listen(db.engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        self.last = (statement, parameters)

    def close(self) -> None:
        event.remove(db.engine, "before_cursor_execute", self._before)


def _sample(rng: random.Random, population: list, count: int) -> list:
    """`count` items, each once while there are enough, then again in a new order."""
    picked = []
    while population and len(picked) < count:
        picked += rng.sample(population, min(len(population), count - len(picked)))
    return picked


def _time(calls: Call, function: Callable, items: list, counter: Statements) -> tuple:
    """Each item once, unmeasured for the first WARMUP_CALLS; returns the (statement, parameters) of the median."""
    timed = []
    for number, item in enumerate(items):
        counter.count = 0
        started = time.perf_counter()
        found = function(item)
        elapsed = (time.perf_counter() - started) * 1000
        db.session.rollback()
        if number >= WARMUP_CALLS:
            calls.ms.append(elapsed)
            calls.statements.append(counter.count)
            calls.rows.append(len(found))
            timed.append((elapsed, counter.last))
    timed.sort(key=lambda pair: pair[0])
    return timed[len(timed) // 2][1] if timed else None


def _explain(calls: Call, captured, explain: Callable, folder: Path, size: str) -> None:
    statement, parameters = captured
    plan = explain(statement, parameters)
    calls.seq_scans = SEQ_SCAN.findall(plan)
    calls.indexes = INDEX_USED.findall(plan)
    execution = EXECUTION.search(plan)
    calls.plan_ms = float(execution.group(1)) if execution else None
    planning = PLANNING.search(plan)
    calls.planning_ms = float(planning.group(1)) if planning else None
    calls.explained = "Execution Time" in plan
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"matching-{calls.slug}.explain.txt").write_text(
        f"Matching ({size}): {calls.name}, the call with the median time of {len(calls.ms)}: "
        f"{percentile(calls.ms, 0.5):.2f} ms in Python (p95 {calls.p(0.95):.2f} ms)\n"
        f"Sequential scans: {', '.join(calls.seq_scans) or 'none'}\n"
        f"Indexes used: {', '.join(sorted(set(calls.indexes))) or 'none'}\n\n"
        f"{statement}\n\nParameters: {parameters!r}\n\n{plan}\n"
    )


def measure(app: Flask, *, size: str, calls: int, explain: Callable, folder: Path) -> Matching:
    """Time the three calls `calls` times each (plus a warm-up) and EXPLAIN the median one of each."""
    rng = random.Random(2026)
    with app.app_context():
        now = utcnow()
        open_ids = list(
            db.session.scalars(
                select(CoverShift.id)
                .where(CoverShift.status == ShiftStatus.OPEN, CoverShift.starts_at > now)
                .order_by(CoverShift.id)
            )
        )
        worker_ids = list(
            db.session.scalars(
                select(PoolWorker.user_id)
                .where(PoolWorker.status == WorkerStatus.APPROVED)
                .group_by(PoolWorker.user_id)
                .order_by(PoolWorker.user_id)
            )
        )
        shift_ids = _sample(rng, open_ids, calls + WARMUP_CALLS)
        shifts = {row.id: row for row in db.session.scalars(select(CoverShift).where(CoverShift.id.in_(shift_ids)))}
        user_ids = _sample(rng, worker_ids, calls + WARMUP_CALLS)
        users = {row.id: row for row in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
        per_pool = dict(
            db.session.execute(
                select(PoolWorker.pool_id, func.count())
                .where(PoolWorker.status == WorkerStatus.APPROVED)
                .group_by(PoolWorker.pool_id)
            ).all()
        )
        measured_shifts = [shifts[shift_id] for shift_id in shift_ids]
        measured_users = [users[user_id] for user_id in user_ids]
        pool_workers = sum(per_pool.get(s.pool_id, 0) for s in measured_shifts) / max(1, len(measured_shifts))
        db.session.expunge_all()  # detached and loaded: a rollback between calls expires nothing they hold
        db.session.rollback()
        found = Matching(
            [
                Call("ranked_workers(shift, limit=10)", "ranked-best-10"),
                Call("ranked_workers(shift, limit=None)", "ranked-all"),
                Call("open_shifts_for(worker)", "open-shifts"),
            ],
            pool_workers,
            len(open_ids),
            len(worker_ids),
        )
        functions = (
            (lambda shift: matching.ranked_workers(shift, now=now, limit=10), measured_shifts),
            (lambda shift: matching.ranked_workers(shift, now=now, limit=None), measured_shifts),
            (lambda user: matching.open_shifts_for(user, now=now), measured_users),
        )
        counter = Statements()
        try:
            captured = [
                _time(call, function, items, counter)
                for call, (function, items) in zip(found.calls, functions, strict=True)
            ]
        finally:
            counter.close()
        if db.engine.dialect.name == "postgresql":
            for call, statement in zip(found.calls, captured, strict=True):
                if statement:
                    _explain(call, statement, explain, folder, size)
        db.session.remove()
    return found
