"""`make bench`: the app in production config under gunicorn on PostgreSQL, key pages under `wrk` load against an
in-app "fortunes" baseline, at two data sizes 10x apart (bench/README.md).

    python -m bench.run [--size small|default|national] [--sqlite] [--workers 4] [--connections 8]
                        [--seconds 3] [--warmup 1] [--repeat 3] [--writes 150] [--results bench/results]
                        [--matching-calls 300] [--matching-only] [--keep-database]

BENCH_DATABASE_URL (default: the local PostgreSQL) names the server; each size gets its own private database beside
it, dropped at the end. BENCH_REDIS_URL (default redis://127.0.0.1:6379/11, emptied before and after) holds the
rate-limit counters and the job queue, as REDIS_URL does in production.
"""

import argparse
import os
import pickle
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask
from redis import Redis
from sqlalchemy import make_url

from config import ENVIRONMENT_SETTINGS
from marketplace import create_app
from marketplace.core.scratch_db import create_scratch_database, drop_scratch_database
from marketplace.extensions import db

from . import client, data, matching
from .app import create_fortunes
from .client import median

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEFAULT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/11"  # a database number only the bench uses
DEEP_PAGE_STEPS = 50
FORTUNES = "/bench/fortunes"


@dataclass
class Page:
    """A page to measure: who asks (a signed-in browser, or None), and a text it must contain."""

    name: str
    slug: str
    path: str
    who: client.Browser | None = None
    expected: str = ""
    write: bool = False  # the booking POST: a Python client, not wrk


@dataclass
class Result:
    """A page's repetitions at one size: each with the fortunes run just before it and the workers' CPU."""

    page: Page
    queries: int | None = None
    runs: list = field(default_factory=list)  # client.Run
    baselines: list = field(default_factory=list)  # client.Run
    cpu_ms: list = field(default_factory=list)  # per request
    baseline_cpu_ms: list = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return median([run.rps / base.rps for run, base in zip(self.runs, self.baselines, strict=True)])

    def latency(self, name: str) -> float:
        return median([getattr(run, name) for run in self.runs])

    @property
    def cpu(self) -> float:
        return median(self.cpu_ms)


# --- databases -------------------------------------------------------------------------------------------------


def loader_app(database_uri: str, outbox: str) -> Flask:
    """An app to migrate and fill the database (not the one measured)."""
    return create_app("development", SQLALCHEMY_DATABASE_URI=database_uri, OUTBOX_DIR=outbox, DEBUG=False)


def build_database(app: Flask, size: str) -> data.Targets:
    """Migrations, the synthetic data and the fortunes table."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        targets = data.load(size)
        with db.engine.begin() as connection:
            create_fortunes(connection)
        db.session.remove()
    return targets


# --- the server ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with the project's settings and sync workers, serving bench.app:bench_app() in production config."""

    def __init__(self, database_uri: str, workers: int, folder: Path, redis_url: str) -> None:
        self.port, self.workers, self.folder = free_port(), workers, folder
        self.captures = folder / "captures"
        self.captures.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_SETTINGS.values()}
        env.update(
            FLASK_CONFIG="production",
            SECRET_KEY=secrets.token_hex(32),
            DATABASE_URL=database_uri,
            PUBLIC_BASE_URL=f"https://{HOST}:{self.port}",
            REDIS_URL=redis_url,
            QUEUE_NAME="bench",
            OUTBOX_DIR=str(folder / "outbox"),
            BENCH_CAPTURE_DIR=str(self.captures),
        )
        command = [sys.executable, "-m", "gunicorn", "-c", "python:marketplace.gunicorn_conf"]
        command += ["--workers", str(workers), "--bind", f"{HOST}:{self.port}", "--log-level", "warning"]
        self.log_path = folder / "gunicorn.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [*command, "bench.app:bench_app()"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped while starting:\n{self.log_tail()}")
            try:
                if (
                    client.Browser(HOST, self.port).get(FORTUNES).status == 200
                    and len(self.worker_pids()) == self.workers
                ):
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 seconds:\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        """The master's children (the workers), from /proc."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def cpu_seconds(self) -> tuple[list[int], float]:
        """The workers and their CPU time so far (user + system, from /proc/<pid>/stat)."""
        pids, ticks = self.worker_pids(), 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return pids, ticks / os.sysconf("SC_CLK_TCK")

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def log_tail(self) -> str:
        self.log.flush()
        return self.log_path.read_text()[-4000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class CpuMeter:
    """Worker CPU over a block of requests (fails if a worker was replaced meanwhile)."""

    def __init__(self, server: Server) -> None:
        self.server = server

    def __enter__(self):
        self.pids, self.before = self.server.cpu_seconds()
        return self

    def __exit__(self, *exc) -> None:
        pids, after = self.server.cpu_seconds()
        if pids != self.pids and not exc[0]:
            raise RuntimeError(f"gunicorn replaced a worker during a run:\n{self.server.log_tail()}")
        self.seconds = after - self.before

    def per_request_ms(self, requests: int) -> float:
        return self.seconds * 1000 / requests if requests else 0.0


# --- measuring -------------------------------------------------------------------------------------------------


class Bench:
    """Measures every page of one size on one server."""

    def __init__(self, server: Server, options: argparse.Namespace, targets: data.Targets) -> None:
        self.server, self.options, self.targets = server, options, targets
        self.written = 0

    def wrk(self, path: str, who: client.Browser | None, seconds: int) -> client.Run:
        cookie = who.cookie if who else None
        run = client.wrk(
            self.server.url(path),
            cookie=cookie,
            seconds=seconds,
            connections=self.options.connections,
            threads=self.options.threads,
        )
        if run.errors or not run.requests:
            raise RuntimeError(
                f"{path}: {run.errors} errors in {run.requests} requests under load\n{self.server.log_tail()}"
            )
        return run

    def measured(self, path: str, who: client.Browser | None) -> tuple[client.Run, float]:
        """A warm-up (unmeasured), then a measured run and the workers' CPU ms per request during it."""
        self.wrk(path, who, self.options.warmup)
        with CpuMeter(self.server) as meter:
            run = self.wrk(path, who, self.options.seconds)
        return run, meter.per_request_ms(run.requests)

    def check(self, page: Page) -> int | None:
        """One request alone: it must answer 200 with the expected text; its SQL count; its slowest statement saved."""
        browser = page.who or client.Browser(HOST, self.server.port)
        reply = browser.get(page.path, capture=page.slug)
        if reply.status != 200 or page.expected not in unescape(reply.text):
            raise RuntimeError(f"{page.name}: {page.path} answered HTTP {reply.status} without {page.expected!r}")
        return reply.queries

    def measure(self, page: Page) -> Result:
        result = Result(page)
        result.queries = self.check_write(page) if page.write else self.check(page)
        for _ in range(self.options.repeat):
            baseline, baseline_cpu = self.measured(FORTUNES, None)
            run, cpu = self.measure_writes() if page.write else self.measured(page.path, page.who)
            result.baselines.append(baseline)
            result.baseline_cpu_ms.append(baseline_cpu)
            result.runs.append(run)
            result.cpu_ms.append(cpu)
        if not page.write:
            self.check(page)  # still the right page after the load
        return result

    # --- the booking POST ---

    def writer_browsers(self) -> list[client.Browser]:
        if not hasattr(self, "_writers"):
            email, _ = self.targets.writer
            first = client.sign_in(HOST, self.server.port, email, data.PASSWORD, ip="198.51.100.20")
            self._writers = [first] + [first.clone() for _ in range(self.options.connections - 1)]
        return self._writers

    def prepare_writes(self, count: int) -> list[client.Checked]:
        """Check pages for `count` new people (the form and check steps, not measured)."""
        browsers, (_, org_id) = self.writer_browsers(), self.targets.writer
        numbers = list(range(self.written, self.written + count))
        self.written += count

        def prepare(chunk: list[int], browser: client.Browser) -> list[client.Checked]:
            session_id = self.targets.write_session_id
            return [
                client.prepare_booking(browser, session_id, org_id, f"Writer {n}", f"writer{n}@{data.DOMAIN}")
                for n in chunk
            ]

        chunks = [numbers[i :: len(browsers)] for i in range(len(browsers))]
        with ThreadPoolExecutor(len(browsers)) as pool:
            return [item for items in pool.map(prepare, chunks, browsers) for item in items]

    def check_write(self, page: Page) -> int | None:
        (checked,) = self.prepare_writes(1)
        reply = checked.browser.post(checked.path, checked.fields, capture=page.slug)
        if not client.booked(reply):
            raise RuntimeError(f"{page.name}: the confirm answered HTTP {reply.status} {reply.location!r}")
        return reply.queries

    def measure_writes(self) -> tuple[client.Run, float]:
        checked = self.prepare_writes(self.options.writes)
        with CpuMeter(self.server) as meter:
            writes = client.confirm_all(checked)
        if writes.run.errors:
            raise RuntimeError(f"Booking POST: answers {writes.answers}\n{self.server.log_tail()}")
        return writes.run, meter.per_request_ms(writes.run.requests)


def deep_page(start: tuple) -> tuple[str, int]:
    """Follow the catalogue's Next link up to DEEP_PAGE_STEPS times from page 1: the address reached, its number."""
    browser, path, steps = client.Browser(*start), "/training", 0
    while steps < DEEP_PAGE_STEPS:
        following = client.next_link(browser.get(path))
        if not following:
            break
        path, steps = following, steps + 1
    return path, steps + 1


def pages(bench: Bench) -> list[Page]:
    """Every page measured, signing in the admin, a publisher's officer and the busy entrepreneur once."""
    t, port = bench.targets, bench.server.port
    admin, publisher, entrepreneur = (
        client.sign_in(HOST, port, email, data.PASSWORD, ip=f"198.51.100.{n}")
        for n, email in enumerate((t.admin_email, t.publisher_email, t.entrepreneur_email), start=10)
    )
    deep, number = deep_page((HOST, port))
    return [
        Page("Home, signed out", "home-signed-out", "/", None, "Backstop"),
        Page("Home, signed in", "home-signed-in", "/", entrepreneur, "Sign out"),
        Page("Catalogue, page 1", "catalogue", "/training", None, "Find training"),
        Page(
            "Catalogue, filtered search", "catalogue-search", f"/training?{urlencode(t.search)}", None, "Find training"
        ),
        Page(f"Catalogue, deep page ({number})", "catalogue-deep", deep, None, "Find training"),
        Page("Course page", "course", f"/training/courses/{t.course_id}", None, t.course_title),
        Page("Session page", "session", f"/training/sessions/{t.session_id}", None, t.session_title),
        Page("Entrepreneur dashboard", "dashboard-entrepreneur", "/dashboard", entrepreneur, "Your dashboard"),
        Page("Publisher dashboard", "dashboard-publisher", "/dashboard", publisher, "Your dashboard"),
        Page(
            f"Your bookings ({t.heavy_bookings})", "your-bookings", "/training/bookings", entrepreneur, "Your bookings"
        ),
        Page(
            f"Publisher roster ({t.roster_people} people)",
            "roster",
            f"/training/manage/sessions/{t.roster_session_id}/roster",
            publisher,
            "Roster",
        ),
        Page("Admin audit log", "audit", "/admin/audit", admin, "Audit log"),
        Page("Booking POST (confirm)", "booking-post", "", write=True),
    ]


# --- the 50-bookers race ---------------------------------------------------------------------------------------


@dataclass
class Race:
    name: str
    capacity: int
    writes: client.Writes
    seats_taken: int
    live_seats: int

    @property
    def exact(self) -> bool:
        return self.seats_taken == self.live_seats == self.capacity == self.writes.booked


def race(bench: Bench, app: Flask, browsers: list[client.Browser], session_id: int, name: str) -> Race:
    """Every booker prepares the form and check page, then all confirm at once; the database is read afterwards."""
    bookers = bench.targets.race_bookers

    def prepare(pair) -> client.Checked:
        browser, (email, org_id) = pair
        return client.prepare_booking(browser, session_id, org_id, f"Racer {email}", email)

    with ThreadPoolExecutor(8) as pool:
        checked = list(pool.map(prepare, zip(browsers, bookers, strict=True)))
    writes = client.confirm_at_once(checked)
    with app.app_context():
        capacity, taken, live = data.session_seats(session_id)
        db.session.remove()
    if writes.run.errors:
        raise RuntimeError(f"Race ({name}): unexpected answers {writes.answers}\n{bench.server.log_tail()}")
    return Race(name, capacity, writes, taken, live)


def races(bench: Bench, app: Flask) -> list[Race]:
    port = bench.server.port

    def sign_in(numbered):
        n, (email, _) = numbered
        return client.sign_in(HOST, port, email, data.PASSWORD, ip=f"203.0.113.{n + 1}")

    with ThreadPoolExecutor(8) as pool:
        browsers = list(pool.map(sign_in, enumerate(bench.targets.race_bookers)))
    t = bench.targets
    return [
        race(bench, app, browsers, t.race_free_session_id, f"free, {data.RACE_FREE_PLACES} places"),
        race(bench, app, browsers, t.race_paid_session_id, f"paid by invoice, {data.RACE_PAID_PLACES} places"),
    ]


# --- EXPLAIN ---------------------------------------------------------------------------------------------------


def explain_all(app: Flask, captures: Path, folder: Path, results: list[Result]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each page's slowest statement, in a transaction rolled back afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return
        for result in results:
            capture = captures / f"{result.page.slug}.pickle"
            if not capture.exists():
                continue
            found = pickle.loads(capture.read_bytes())  # noqa: S301 (our own file, written by our workers)
            plan = _explain(found["statement"], found["parameters"])
            text = (
                f"Page: {result.page.name} ({result.page.path or 'POST confirm'})\n"
                f"Slowest statement of one request: {found['seconds'] * 1000:.2f} ms\n\n{found['statement']}\n\n"
                f"Parameters: {found['parameters']!r}\n\n{plan}\n"
            )
            (folder / f"{result.page.slug}.explain.txt").write_text(text)
        db.session.remove()


def _explain(statement: str, parameters) -> str:
    """The plan, run (ANALYZE) and rolled back; a write that cannot run again (a unique key it took) is planned only."""
    for prefix in ("EXPLAIN (ANALYZE, BUFFERS) ", "EXPLAIN "):
        with db.engine.connect() as connection:
            cursor = connection.connection.driver_connection.cursor()
            try:
                cursor.execute(prefix + statement, parameters)
            except Exception as error:  # noqa: BLE001 (reported in the file instead of a plan)
                connection.rollback()
                failure = f"{prefix.strip()} failed: {error}"
                continue
            plan = "\n".join(row[0] for row in cursor.fetchall())
            connection.rollback()
            return plan if prefix.startswith("EXPLAIN (") else f"{failure}\nPlan only (not run):\n{plan}"
    return failure


# --- one size --------------------------------------------------------------------------------------------------


@dataclass
class SizeRun:
    size: str
    load_seconds: float
    counts: dict
    results: list
    baseline: Result
    races: list
    matching: "matching.Matching | None" = None


def database_for(options, size: str, folder: Path) -> str:
    if options.sqlite:
        return f"sqlite:///{folder}/bench-{size}.sqlite"
    return create_scratch_database(options.database, f"bench_{size}_{os.getpid()}")


def run_size(options: argparse.Namespace, size: str, folder: Path) -> SizeRun:
    """Load one size into its own database, serve it, measure every page, run the race, EXPLAIN the main queries;
    then matching at scale, in process (bench/matching.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    database_uri = database_for(options, size, folder)
    results, found_races = [], []
    try:
        started = time.perf_counter()
        app = loader_app(database_uri, str(folder / "outbox"))
        targets = build_database(app, size)
        load_seconds = time.perf_counter() - started
        loaded = ", ".join(f"{count:,} {name}" for name, count in targets.counts.items())
        print(f"[{size}] loaded in {load_seconds:.0f}s: {loaded}", flush=True)
        if not options.matching_only:
            results, found_races = serve_and_measure(options, size, app, database_uri, folder, targets)
        found_matching = measure_matching(options, size, app)
        with app.app_context():
            db.engine.dispose()
    finally:
        if options.keep_database:
            print(f"[{size}] database kept: {database_uri}", flush=True)
        elif not options.sqlite:
            drop_scratch_database(options.database, database_uri)
    baseline = Result(Page("Fortunes (baseline)", "fortunes", FORTUNES))
    for r in results:
        baseline.runs += r.baselines
        baseline.baselines += r.baselines
        baseline.cpu_ms += r.baseline_cpu_ms
    baseline.queries = 1
    return SizeRun(size, load_seconds, targets.counts, results, baseline, found_races, found_matching)


def serve_and_measure(options, size: str, app: Flask, database_uri: str, folder: Path, targets) -> tuple[list, list]:
    """The pages under gunicorn and wrk, the race, the seats checked again and the pages' EXPLAINs."""
    Redis.from_url(options.redis).flushdb()
    server = Server(database_uri, options.workers, folder, options.redis)
    try:
        bench = Bench(server, options, targets)
        results = []
        for page in pages(bench):
            results.append(bench.measure(page))
            r = results[-1]
            print(
                f"[{size}] {page.name}: x{r.ratio:.3f}, {r.cpu:.1f} ms CPU, p50 {r.latency('p50'):.0f} ms",
                flush=True,
            )
        found_races = races(bench, app)
    finally:
        server.stop()
        Redis.from_url(options.redis).flushdb()
    with app.app_context():
        data.check_seats()  # still consistent after every booking the bench made
        db.session.remove()
    explain_all(app, server.captures, Path(options.results) / size, results)
    return results, found_races


def measure_matching(options, size: str, app: Flask) -> matching.Matching:
    """ranked_workers and open_shifts_for in process, once the server has stopped (it would share the cores)."""
    found = matching.measure(
        app, size=size, calls=options.matching_calls, explain=_explain, folder=Path(options.results) / size
    )
    for call in found.calls:
        print(
            f"[{size}] Matching, {call.name}: p50 {call.p(0.5):.2f} ms, p95 {call.p(0.95):.2f} ms, "
            f"p99 {call.p(0.99):.2f} ms, {call.sql} SQL, {call.mean_rows:.1f} rows; {call.plan}",
            flush=True,
        )
    return found


# --- output ----------------------------------------------------------------------------------------------------


def _growth(big: float, small: float) -> str:
    return f"{big / small:.2f}" if small else "–"


def table(big: SizeRun, small: SizeRun | None) -> list[list[str]]:
    """Page | x fortunes | CPU ms/req | p50 | p95 | p99 | SQL | CPU growth | p50 growth."""
    rows = []
    partners = {r.page.slug: r for r in ([small.baseline, *small.results] if small else [])}
    for r in [big.baseline, *big.results]:
        other = partners.get(r.page.slug)
        sql = "?" if r.queries is None else str(r.queries)
        if other and other.queries != r.queries:
            sql = f"{other.queries}→{r.queries}"
        rows.append(
            [r.page.name, f"{r.ratio:.3f}", f"{r.cpu:.1f}"]
            + [f"{r.latency(name):.0f}" for name in ("p50", "p95", "p99")]
            + [sql, _growth(r.cpu, other.cpu) if other else "–"]
            + [_growth(r.latency("p50"), other.latency("p50")) if other else "–"]
        )
    return rows


HEADERS = ["Page", "× fortunes", "CPU ms/req", "p50 ms", "p95 ms", "p99 ms", "SQL", "CPU growth", "p50 growth"]
MATCHING_HEADERS = ["Call", "Calls", "p50 ms", "p95 ms", "p99 ms", "SQL", "Rows", "p95 growth", "Plan ms", "Run ms"]
MATCHING_HEADERS += ["Seq Scan (growing tables)"]
RACE_HEADERS = ["Size", "Session", "Confirms", "Booked", "p50 ms", "p99 ms", "seats_taken", "live seats", "Exact"]


def race_rows(runs: list[SizeRun]) -> list[list[str]]:
    return [
        [run.size, r.name, str(r.writes.run.requests), str(r.writes.booked), f"{r.writes.run.p50:.0f}"]
        + [f"{r.writes.run.p99:.0f}", str(r.seats_taken), str(r.live_seats), "yes" if r.exact else "NO"]
        for run in runs
        for r in run.races
    ]


def matching_rows(big: SizeRun, small: SizeRun | None) -> list[list[str]]:
    """Call | calls | p50 | p95 | p99 | SQL a call | rows returned (mean) | p95 growth | the median call's planning
    and execution time in the server (EXPLAIN ANALYZE) | growing tables its plan scans sequentially."""
    partners = {call.slug: call for call in (small.matching.calls if small and small.matching else [])}
    rows = []
    for call in big.matching.calls:
        other, sql = partners.get(call.slug), call.sql
        if other and other.sql != sql:
            sql = f"{other.sql}→{sql}"
        rows.append(
            [call.name, str(len(call.ms))]
            + [f"{call.p(q):.2f}" for q in (0.5, 0.95, 0.99)]
            + [sql, f"{call.mean_rows:.1f}", _growth(call.p(0.95), other.p(0.95)) if other else "–"]
            + [
                _ms(call.planning_ms),
                _ms(call.plan_ms),
                ", ".join(call.scans_growing) or ("none" if call.explained else "–"),
            ]
        )
    return rows


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def matching_lines(big: SizeRun) -> list[str]:
    """What was matched, and whether the ranked list met its target."""
    found, ranked = big.matching, big.matching.ranked
    verdict = "met" if ranked.p(0.95) < matching.TARGET_P95_MS else "NOT met"
    growing = sorted({table for call in found.calls for table in call.scans_growing})
    plans = "no Seq Scan on a table that grows with the workers" if not growing else f"Seq Scan on {', '.join(growing)}"
    if not any(call.explained for call in found.calls):
        plans = "not explained (PostgreSQL only)"
    return [
        f"{big.counts.get('relief_worker_profiles', 0):,} relief workers, "
        f"{big.counts.get('training_records', 0):,} training records, {found.open_shifts:,} open shifts; "
        f"the shifts measured are in pools of {found.pool_workers:,.0f} approved workers on average.",
        f"Ranked list under {matching.TARGET_P95_MS} ms p95: {verdict} ({ranked.p(0.95):.2f} ms). Plans: {plans}.",
        *(f"Plan of {call.name}: {call.plan}." for call in found.calls),
    ]


def plain(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    line = lambda cells: "  ".join(  # noqa: E731
        str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    )
    return "\n".join([line(headers), "-" * (sum(widths) + 2 * len(widths)), *map(line, rows)])


def markdown(headers: list[str], rows: list[list[str]]) -> str:
    align = ["---"] + ["---:"] * (len(headers) - 1)
    return "\n".join("| " + " | ".join(cells) + " |" for cells in [headers, align, *rows])


def report(options: argparse.Namespace, big: SizeRun, small: SizeRun | None, total: float) -> None:
    sizes = f"{big.size}" + (f" (growth: ÷ {small.size}, 10× smaller)" if small else "")
    setup = (
        f"gunicorn {options.workers} sync workers, production config, "
        f"{'SQLite' if options.sqlite else 'PostgreSQL'}; wrk -c{options.connections} -t{options.threads}, "
        f"{options.warmup}s warm-up + {options.seconds}s measured, median of {options.repeat}, each against a "
        f"fortunes run just before it; booking POST: Python client, {options.connections} threads, "
        f"{options.writes} confirms a run"
    )
    matching_setup = (
        f"in process on {'SQLite' if options.sqlite else 'PostgreSQL'}, {options.matching_calls} calls of each "
        f"over different shifts and workers after {matching.WARMUP_CALLS} unmeasured, each timed whole"
    )
    loads = "; ".join(f"{run.size} loaded in {run.load_seconds:.0f}s" for run in (small, big) if run)
    counts = ", ".join(f"{count:,} {name}" for name, count in big.counts.items())
    found_matching, about_matching = matching_rows(big, small), matching_lines(big)
    print(f"\n{sizes}\n{loads}\n")
    summary = [f"# `make bench`: {sizes}", "", f"Data ({big.size}): {counts}. {loads}.", ""]
    if big.results:
        rows, races_found = table(big, small), race_rows([run for run in (small, big) if run])
        print(f"{setup}\n")
        print(plain(HEADERS, rows))
        print(f"\n{data.RACE_BOOKERS} entrepreneurs confirming one session at once:\n")
        print(plain(RACE_HEADERS, races_found))
        summary += [setup + ".", "", markdown(HEADERS, rows), ""]
        summary += [f"## {data.RACE_BOOKERS} entrepreneurs confirming one session at once", ""]
        summary += [markdown(RACE_HEADERS, races_found), ""]
    print(f"\nMatching at scale ({matching_setup}):\n")
    print(plain(MATCHING_HEADERS, found_matching))
    print("\n" + "\n".join(about_matching))
    print(f"\nTotal {total / 60:.1f} minutes. EXPLAIN plans and summary.md in {options.results}/")
    summary += ["## Matching at scale", "", matching_setup + ".", "", markdown(MATCHING_HEADERS, found_matching), ""]
    summary += [*about_matching, ""]
    summary += [
        f"EXPLAIN (ANALYZE, BUFFERS) of each page's slowest statement: `{big.size}/<page>.explain.txt`; of each "
        f"matching call's median statement: `{big.size}/matching-<call>.explain.txt`.",
        "",
    ]
    Path(options.results).mkdir(parents=True, exist_ok=True)
    Path(options.results, "summary.md").write_text("\n".join(summary))


# --- main ------------------------------------------------------------------------------------------------------


def arguments(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=list(data.PARTNER), default="default", help="the bigger data size")
    parser.add_argument("--no-growth", action="store_true", help="skip the 10x smaller size")
    parser.add_argument("--sqlite", action="store_true", help="SQLite in a temporary folder (a quick look only)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (and booking POST threads)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--seconds", type=int, default=3, help="measured seconds a run")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured seconds before each run")
    parser.add_argument("--repeat", type=int, default=3, help="runs a page (the median is reported)")
    parser.add_argument("--writes", type=int, default=150, help="booking confirms a run")
    parser.add_argument("--results", default=str(ROOT / "bench" / "results"), help="where EXPLAINs and summary go")
    parser.add_argument("--matching-calls", type=int, default=300, help="calls of each matching query measured")
    parser.add_argument("--matching-only", action="store_true", help="load, then matching only (no server, no wrk)")
    parser.add_argument("--keep-database", action="store_true", help="keep each size's database (prints its URL)")
    options = parser.parse_args(argv)
    options.database = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE
    options.redis = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS
    return options


def main(argv=None) -> None:
    options = arguments(argv)
    if not options.matching_only and not shutil.which(client.WRK):
        sys.exit("wrk is not installed (Debian: apt-get install wrk; `make bench` does it)")
    if not options.sqlite:
        make_url(options.database)  # a clear error for a malformed URL, before anything is loaded
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="backstop-bench-"))
    try:
        small = None if options.no_growth else run_size(options, data.PARTNER[options.size], folder / "partner")
        big = run_size(options, options.size, folder / "main")
        report(options, big, small, time.perf_counter() - started)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
