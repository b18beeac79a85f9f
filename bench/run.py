"""`make bench`: load a large synthetic data set, serve the app with gunicorn, measure key pages against a bare
endpoint on the same server, and print throughput ratios, latencies and SQL queries per request.

    python -m bench.run [--seconds 8] [--threads 4] [--workers 2]

BENCH_DATABASE_URL (a PostgreSQL URL) runs it on a private database created next to the one named, and dropped
afterwards; otherwise SQLite in a temporary folder. gunicorn builds its app with bench_app() below.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import event, make_url

from marketplace import create_app
from marketplace.core.scratch_db import create_scratch_database, drop_scratch_database
from marketplace.extensions import db

from . import client, data

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DB_ENV = "BENCH_APP_DATABASE_URI"  # set by main() for the gunicorn workers
OUTBOX_ENV = "BENCH_APP_OUTBOX"


# --- the app under test --------------------------------------------------------------------------------------


def configured_app(database_uri: str, outbox: str) -> Flask:
    """The real application, as deployed as far as speed goes: no debug, no template reloading."""
    return create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=database_uri,
        OUTBOX_DIR=outbox,
        DEBUG=False,
        TEMPLATES_AUTO_RELOAD=False,
        SECRET_KEY="bench-only-not-secret",
    )


class QueryCounter:
    """WSGI middleware: counts SQL statements per request and reports them in a response header.

    The header is added when the response starts, after every after_request hook has run."""

    def __init__(self, app: Flask) -> None:
        self.local = threading.local()
        self.wrapped = app.wsgi_app
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._count)
        app.wsgi_app = self

    def _count(self, *args) -> None:
        self.local.count = getattr(self.local, "count", 0) + 1

    def __call__(self, environ, start_response):
        self.local.count = 0

        def counted(status, headers, exc_info=None):
            headers.append((client.QUERIES_HEADER, str(self.local.count)))
            return start_response(status, headers, exc_info)

        return self.wrapped(environ, counted)


def bench_app() -> Flask:
    """The app gunicorn serves: the real one plus /bench/bare (the baseline) and the query-count header."""
    app = configured_app(os.environ[DB_ENV], os.environ[OUTBOX_ENV])
    app.add_url_rule("/bench/bare", "bench_bare", lambda: "ok")
    QueryCounter(app)
    return app


# --- database --------------------------------------------------------------------------------------------------


def create_database(folder: str) -> str:
    """SQLite in the temporary folder, or a fresh private PostgreSQL database next to BENCH_DATABASE_URL's."""
    configured = os.environ.get("BENCH_DATABASE_URL")
    if not configured:
        return f"sqlite:///{folder}/bench.sqlite"
    return create_scratch_database(configured, f"bench_{os.getpid()}")


def drop_database(database_uri: str) -> None:
    """Drop the private PostgreSQL database (nothing to do for SQLite)."""
    if os.environ.get("BENCH_DATABASE_URL"):
        drop_scratch_database(os.environ["BENCH_DATABASE_URL"], database_uri)


def build_database(database_uri: str, outbox: str) -> data.Targets:
    """Run the migrations and load the synthetic data."""
    from flask_migrate import upgrade

    app = configured_app(database_uri, outbox)
    with app.app_context():
        upgrade()
        targets = data.load()
        db.session.remove()
        db.engine.dispose()
    return targets


# --- the server ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_server(port: int, workers: int, database_uri: str, outbox: str, log) -> subprocess.Popen:
    """gunicorn with sync workers, importing bench.run from the project folder."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{HOST}:{port}"]
    command += ["--log-level", "warning", "--chdir", str(ROOT), "bench.run:bench_app()"]
    env = {**os.environ, DB_ENV: database_uri, OUTBOX_ENV: outbox, "FLASK_CONFIG": "development"}
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn stopped while starting")
        probe = client.Client(HOST, port)
        try:
            if probe.request("GET", "/bench/bare").status == 200:
                return server
        except OSError:
            time.sleep(0.2)
        finally:
            probe.close()
    raise RuntimeError("gunicorn did not answer within 30 seconds")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# --- the pages -------------------------------------------------------------------------------------------------


def pages(targets: data.Targets, port: int) -> list[tuple[str, str, str | None, str]]:
    """(name, path, cookie, text the page must contain), signing in the admin, publisher and entrepreneur once."""
    admin, publisher, entrepreneur = (
        client.sign_in(HOST, port, email, data.PASSWORD)
        for email in (targets.admin_email, targets.publisher_email, targets.entrepreneur_email)
    )
    search = urlencode(targets.search)
    return [
        ("Bare endpoint (baseline)", "/bench/bare", None, "ok"),
        ("Home page", "/", None, "Backstop"),
        ("Training catalogue, page 1", "/training", None, "Find training"),
        (f"Catalogue search ({search})", f"/training?{search}", None, "Find training"),
        ("Course page (30+ sessions)", f"/training/courses/{targets.course_id}", None, "sessions"),
        ("Session page", f"/training/sessions/{targets.session_id}", None, "Places left"),
        ("Admin audit log (20k events)", "/admin/audit", admin, "Audit log"),
        (
            f"Roster, full session ({targets.roster_people} people)",
            f"/training/manage/sessions/{targets.roster_session_id}/roster",
            publisher,
            "People booked",
        ),
        (f"Your bookings ({targets.heavy_bookings} bookings)", "/training/bookings", entrepreneur, "Coming up"),
    ]


def check(port: int, name: str, path: str, cookie: str | None, expected: str) -> None:
    reply = client.Client(HOST, port).request("GET", path, cookie=cookie)
    if reply.status != 200 or expected not in reply.text:
        raise RuntimeError(f"{name}: {path} answered HTTP {reply.status} without {expected!r}")


def table(results: list[client.Result]) -> str:
    bare = results[0].rps or 1.0
    width = max(len(r.name) for r in results)
    lines = [
        f"{'Page':<{width}}  {'req/s':>7}  {'x bare':>6}  {'median ms':>9}  {'p95 ms':>7}  {'SQL/req':>7}  {'errors':>6}",
    ]
    lines.append("-" * len(lines[0]))
    for r in results:
        lines.append(
            f"{r.name:<{width}}  {r.rps:>7.1f}  {r.rps / bare:>6.3f}  {r.median_ms:>9.1f}  {r.p95_ms:>7.1f}"
            f"  {r.queries_text:>7}  {r.errors:>6}"
        )
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 8)), help="measured seconds per page"
    )
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured seconds per page first")
    parser.add_argument(
        "--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 4)), help="concurrent clients"
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)), help="gunicorn workers")
    return parser.parse_args()


def run(options: argparse.Namespace, folder: str, database_uri: str) -> None:
    outbox = os.path.join(folder, "outbox")
    started = time.perf_counter()
    targets = build_database(database_uri, outbox)
    loaded = ", ".join(f"{count} {name}" for name, count in targets.counts.items())
    backend = make_url(database_uri).get_backend_name()
    print(f"Loaded in {time.perf_counter() - started:.1f}s on {backend}: {loaded}", flush=True)
    port = free_port()
    with open(os.path.join(folder, "gunicorn.log"), "w") as log:
        server = start_server(port, options.workers, database_uri, outbox, log)
        try:
            results = []
            print(
                f"gunicorn: {options.workers} sync workers on port {port}; {options.threads} client threads, "
                f"{options.warmup:g}s warm-up + {options.seconds:g}s per page",
                flush=True,
            )
            for name, path, cookie, expected in pages(targets, port):
                check(port, name, path, cookie, expected)
                results.append(
                    client.measure(
                        name,
                        HOST,
                        port,
                        path,
                        cookie=cookie,
                        seconds=options.seconds,
                        threads=options.threads,
                        warmup=options.warmup,
                    )
                )
                print(f"  {name}: {results[-1].rps:.1f} req/s", flush=True)
        finally:
            stop_server(server)
    if any(r.errors for r in results):
        print(Path(folder, "gunicorn.log").read_text()[-3000:])
    print()
    print(table(results))
    print(f"\nx bare: throughput as a share of the bare endpoint's. Total {time.perf_counter() - started:.0f}s.")


def main() -> None:
    options = arguments()
    folder = tempfile.mkdtemp(prefix="backstop-bench-")
    database_uri = create_database(folder)
    try:
        run(options, folder, database_uri)
    finally:
        drop_database(database_uri)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
