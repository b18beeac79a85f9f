"""The app gunicorn serves in `make bench`: the real one in production config, plus on the bench app only

- `/bench/fortunes`, the baseline (TechEmpower's "fortunes": one SELECT of 12 rows, one more added in memory,
  sorted, rendered by a small Jinja template with the messages escaped);
- an `X-Bench-Queries` response header counting the request's SQL statements;
- with an `X-Bench-Capture: <slug>` request header, the request's slowest SQL statement and its parameters saved
  to `<BENCH_CAPTURE_DIR>/<slug>.pickle` (for `EXPLAIN (ANALYZE, BUFFERS)` afterwards).

    gunicorn -c python:marketplace.gunicorn_conf 'bench.app:bench_app()'
"""

import os
import pickle
import re
import threading
import time
from pathlib import Path

from flask import Flask, Response
from sqlalchemy import Column, Integer, MetaData, String, Table, event, insert, select

from marketplace import create_app
from marketplace.core.permissions import public
from marketplace.extensions import db

QUERIES_HEADER = "X-Bench-Queries"
CAPTURE_HEADER = "X-Bench-Capture"
CAPTURE_DIR_ENV = "BENCH_CAPTURE_DIR"

FORTUNES = Table(
    "bench_fortunes",
    MetaData(),  # not the app's metadata: only the bench database has this table
    Column("id", Integer, primary_key=True),
    Column("message", String(2048), nullable=False),
)
MESSAGES = (  # TechEmpower's fortunes table
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
)
FORTUNES_TEMPLATE = """{% autoescape true %}<!DOCTYPE html>
<html><head><title>Fortunes</title></head><body><table>
<tr><th>id</th><th>message</th></tr>
{% for fortune in fortunes %}<tr><td>{{ fortune.id }}</td><td>{{ fortune.message }}</td></tr>
{% endfor %}</table></body></html>{% endautoescape %}"""


def create_fortunes(connection) -> None:
    """The baseline's table and its 12 rows (in the bench database only)."""
    FORTUNES.create(connection)
    connection.execute(insert(FORTUNES), [{"id": n, "message": m} for n, m in enumerate(MESSAGES, start=1)])


def add_fortunes(app: Flask) -> None:
    """GET /bench/fortunes: the baseline page."""
    template = app.jinja_env.from_string(FORTUNES_TEMPLATE)

    @public
    def fortunes():
        rows = [{"id": row.id, "message": row.message} for row in db.session.execute(select(FORTUNES))]
        rows.append({"id": 0, "message": "Additional fortune added at request time."})
        rows.sort(key=lambda row: row["message"])
        return Response(template.render(fortunes=rows), content_type="text/html; charset=utf-8")

    app.add_url_rule("/bench/fortunes", "bench_fortunes", fortunes)


class Probe:
    """WSGI middleware round the whole app: counts each request's SQL statements into a response header (added
    when the response starts, after every after_request hook) and, when asked, saves its slowest statement."""

    def __init__(self, app: Flask) -> None:
        self.local = threading.local()
        self.wrapped = app.wsgi_app
        self.capture_dir = os.environ.get(CAPTURE_DIR_ENV)
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._before)
            event.listen(db.engine, "after_cursor_execute", self._after)
        app.wsgi_app = self

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.local.count = getattr(self.local, "count", 0) + 1
        self.local.started = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany) -> None:
        seconds = time.perf_counter() - self.local.started
        slowest = getattr(self.local, "slowest", None)
        if not executemany and (slowest is None or seconds > slowest[0]):
            self.local.slowest = (seconds, statement, parameters)

    def __call__(self, environ, start_response):
        self.local.count, self.local.slowest = 0, None

        def counted(status, headers, exc_info=None):
            headers.append((QUERIES_HEADER, str(self.local.count)))
            return start_response(status, headers, exc_info)

        body = self.wrapped(environ, counted)
        slug = environ.get("HTTP_" + CAPTURE_HEADER.upper().replace("-", "_"), "")
        if self.capture_dir and self.local.slowest and re.fullmatch(r"[a-z0-9-]{1,80}", slug):
            seconds, statement, parameters = self.local.slowest
            record = {"seconds": seconds, "statement": statement, "parameters": parameters}
            Path(self.capture_dir, f"{slug}.pickle").write_bytes(pickle.dumps(record))
        return body


def bench_app() -> Flask:
    """The real application as deployed (create_app("production"), settings from the environment) plus the
    bench's baseline page and probe."""
    app = create_app("production")
    add_fortunes(app)
    Probe(app)
    return app
