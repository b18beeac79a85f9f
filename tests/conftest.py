"""Fixtures: the app on SQLite (or TEST_DATABASE_URL), a checking client, login_as, outbox, clock."""

import email
import os
import re
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest
from flask import g, request_started
from flask.testing import FlaskClient
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from marketplace import create_app
from marketplace.core.clock import clock as app_clock
from marketplace.core.scratch_db import create_scratch_database, drop_scratch_database
from marketplace.extensions import db

from . import factories
from .pages import check_page

pytest_plugins = ["tests.stripe_server.fixtures", "tests.notify_server.fixtures"]

STRIPE_WEBHOOK_SECRET = "whsec_backstop_test"

FAST_ARGON2 = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
KEEP_TABLES = {"alembic_version"}
SEEDED_TABLES = ("areas", "training_topics")  # loaded by migrations: tests keep those rows, drop their own


class CheckingClient(FlaskClient):
    """A test client that adds the CSRF token to form posts and checks every page it gets."""

    def open(self, *args, skip_page_check: bool = False, **kwargs):
        response = super().open(*args, **kwargs)
        if (kwargs.get("method") or "GET") == "GET" and not skip_page_check:
            check_page(response, args[0] if args else kwargs.get("path", ""))
        return response

    def csrf_token(self) -> str:
        """A valid form token for this client's session (as Flask-WTF would render it)."""
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", os.urandom(20).hex())
        secret = self.application.config["SECRET_KEY"]
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if csrf and (data is None or isinstance(data, dict)):
            kwargs["data"] = {"csrf_token": self.csrf_token(), **(data or {})}
        return super().post(*args, **kwargs)


def _database_url(tmp_path_factory) -> str:
    """SQLite in a temporary folder, or a private PostgreSQL database per test process (so runs never collide)."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if not configured:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    return create_scratch_database(configured, f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}")


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The application, its schema built by the migrations (so they are exercised on every run)."""
    outbox = tmp_path_factory.mktemp("outbox")
    database_url = _database_url(tmp_path_factory)
    application = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=database_url,
        OUTBOX_DIR=str(outbox),
        UPLOADS_DIR=str(tmp_path_factory.mktemp("uploads")),
        ARGON2_PARAMS=FAST_ARGON2,
        SERVER_NAME="backstop.test",
        PUBLIC_BASE_URL="http://backstop.test",
        # The PostgreSQL races run up to 50 threads on the 15 pooled connections: on a busy machine the last
        # ones may wait longer than SQLAlchemy's default 30 seconds for theirs.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "pool_timeout": 180},
    )
    application.test_client_class = CheckingClient
    with application.app_context():
        upgrade()
        application.config["SEEDED_MAX_IDS"] = {
            name: db.session.scalar(select(func.max(db.metadata.tables[name].c.id))) for name in SEEDED_TABLES
        }
        application.config["SEEDED_ROWS"] = {name: _rows(name) for name in SEEDED_TABLES}
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    if os.environ.get("TEST_DATABASE_URL"):
        drop_scratch_database(os.environ["TEST_DATABASE_URL"], database_url)


def _rows(name: str) -> dict[int, dict]:
    """A seeded table's rows by id, as the migrations left them."""
    table = db.metadata.tables[name]
    return {row["id"]: dict(row) for row in db.session.execute(select(table)).mappings()}


def _restore_seeded(application, name: str) -> None:
    """Put back any seeded row a test changed (an admin may rename an area): later tests find them as seeded."""
    table, seeded = db.metadata.tables[name], application.config["SEEDED_ROWS"][name]
    for row_id, row in _rows(name).items():
        if row_id in seeded and row != seeded[row_id]:
            db.session.execute(table.update().where(table.c.id == row_id).values(**seeded[row_id]))


def _empty_tables(application) -> None:
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        if table.name in SEEDED_TABLES:
            db.session.execute(delete(table).where(table.c.id > application.config["SEEDED_MAX_IDS"][table.name]))
            _restore_seeded(application, table.name)
        elif table.name not in KEEP_TABLES:
            db.session.execute(delete(table))
    db.session.commit()


@pytest.fixture
def ctx(app):
    """An app context for the test; tables are emptied afterwards (seeded areas kept)."""
    with app.app_context():
        yield app
        _empty_tables(app)
        db.session.remove()


@pytest.fixture
def client(app, ctx):
    """A checking test client."""
    return app.test_client()


@pytest.fixture(autouse=True)
def fresh_request_globals(app):
    """Requests made inside a test's app context share its `g` (Flask-Login caches the user there);
    empty it at the start of each request, as a fresh app context would in production."""

    def clear(sender, **extra):
        g.__dict__.clear()

    request_started.connect(clear, app)
    yield
    request_started.disconnect(clear, app)


@pytest.fixture(autouse=True)
def _clean_outbox(app):
    folder = Path(app.config["OUTBOX_DIR"])
    for path in folder.glob("*.eml"):
        path.unlink()
    yield


@pytest.fixture
def clock():
    """The injectable clock, frozen at a known moment; back to real time afterwards."""
    app_clock.set(datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    yield app_clock
    app_clock.reset()


class Outbox:
    """The emails written to the test outbox."""

    def __init__(self, folder: Path):
        self.folder = folder

    def messages(self) -> list:
        return [
            email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(self.folder.glob("*.eml"))
        ]

    def to(self, address: str) -> list:
        return [m for m in self.messages() if m["To"] == address]

    def last_link(self, address: str, contains: str = "http") -> str:
        """The first link in the newest message to an address."""
        messages = self.to(address)
        assert messages, f"no email to {address}"
        body = messages[-1].get_body(preferencelist=("plain",)).get_content()
        links = [link for link in re.findall(r"https?://\S+", body) if contains in link]
        assert links, f"no link containing {contains!r} in the email to {address}"
        return links[0]


@pytest.fixture
def outbox(app):
    """Read what the app emailed."""
    return Outbox(Path(app.config["OUTBOX_DIR"]))


@pytest.fixture
def login_as(client):
    """Sign a user in through the real sign-in form."""

    def _login(user, password: str = factories.PASSWORD, remember: bool = False):
        data = {"email": user.email, "password": password}
        if remember:
            data["remember"] = "y"
        response = client.post("/sign-in", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return client

    return _login


def path_of(link: str) -> str:
    """The path (and query) of an absolute link from an email."""
    return re.sub(r"^https?://[^/]+", "", link)


@pytest.fixture
def stripe_mode(app, stripe_server):
    """Switch the app to the Stripe provider, talking to the test server; back to invoices afterwards."""
    settings = {
        "PAYMENT_PROVIDER": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_backstop",
        "STRIPE_API_BASE": stripe_server.base_url,
        "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
    }
    previous = {key: app.config.get(key) for key in settings}
    app.config.update(settings)
    yield stripe_server
    app.config.update(previous)
