"""CSRF on every form post, security headers on every response, GOV.UK error pages, no tracebacks."""

import pytest
from redis import Redis
from sqlalchemy import func, select

from marketplace import create_app
from marketplace.core.audit import AuditEvent
from marketplace.extensions import db

from . import factories

EXEMPT_FROM_CSRF = {"payments_webhooks.stripe_webhook"}  # verified by its Stripe signature instead


def _post_rules(app):
    return [
        rule for rule in app.url_map.iter_rules() if "POST" in rule.methods and rule.endpoint not in EXEMPT_FROM_CSRF
    ]


def _sample_url(app, rule) -> str:
    from flask import url_for

    with app.test_request_context():
        return url_for(rule.endpoint, **{arg: 1 if arg != "token" else "x" for arg in rule.arguments})


def test_every_post_without_csrf_token_is_refused(app, client, login_as, ctx):
    """Signed in as an admin, each POST without a token gets the CSRF page and writes nothing."""
    admin = factories.user(admin=True)
    factories.enterprise(admin)
    db.session.commit()
    login_as(admin)
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for rule in _post_rules(app):
        response = client.post(_sample_url(app, rule), data={"email": "a@example.com"}, csrf=False)
        assert response.status_code == 400, rule.endpoint
        assert "Your session has expired" in response.get_data(as_text=True), rule.endpoint
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before


def test_a_forged_token_is_refused(client, ctx):
    """A made-up token is as bad as none."""
    response = client.post(
        "/sign-in", data={"csrf_token": "forged", "email": "a@example.com", "password": "x"}, csrf=False
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path", ["/", "/sign-in", "/dashboard", "/no-such-page", "/static/backstop.css", "/assets/images/favicon.ico"]
)
def test_security_headers_on_every_response(client, path):
    """Pages, redirects, errors and static files all carry the headers."""
    response = client.get(path)
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # only in production


def test_inline_scripts_carry_the_csp_nonce(client):
    """The one inline script has this response's nonce, so the CSP need not allow unsafe-inline."""
    response = client.get("/")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_session_cookie_is_http_only_and_lax(client, login_as, ctx):
    """The session cookie cannot be read by scripts and is not sent on cross-site posts."""
    person = factories.user()
    db.session.commit()
    response = client.post("/sign-in", data={"email": person.email, "password": factories.PASSWORD})
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_sets_hsts_and_secure_cookies(monkeypatch, tmp_path):
    """In production, HSTS is sent and cookies are Secure; it refuses to start without a secret key, a public base
    URL for links, or Redis for the rate limiter (shared by every worker)."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "a-long-production-secret")
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app("production")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://backstop.example")
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app("production")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/15")
    production = create_app("production", SECRET_KEY="a-long-production-secret")
    assert production.config["SESSION_COOKIE_SECURE"] is True
    assert production.debug is False
    response = production.test_client().get("/static/backstop.css")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]


def test_not_found_is_a_govuk_page(client):
    """Unknown addresses get the GOV.UK 404 page."""
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_server_error_shows_no_traceback(app, tmp_path):
    """An unexpected error gives the GOV.UK 500 page with no traceback."""
    broken = create_app("test", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], OUTBOX_DIR=str(tmp_path))
    broken.config["PROPAGATE_EXCEPTIONS"] = False

    @broken.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = broken.test_client().get("/boom")
    text = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in text
    assert "secret internals" not in text and "Traceback" not in text


@pytest.fixture(autouse=True)
def restore_limiter():
    """The limiter is one shared object: put its switch and storage back so later tests are not throttled."""
    from marketplace.extensions import limiter

    saved = (limiter.enabled, limiter._storage, limiter._limiter)
    yield
    limiter.enabled, limiter._storage, limiter._limiter = saved


def _limited_app(app, tmp_path, **settings):
    return create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        OUTBOX_DIR=str(tmp_path),
        RATELIMIT_ENABLED=True,
        **settings,
    )


@pytest.mark.parametrize("redis", [False, True], ids=["memory", "redis"])
def test_rate_limit_refuses_floods_of_form_posts(app, tmp_path, redis):
    """Over 30 form posts a minute from one address get the 429 page (memory, or Redis when REDIS_URL is set)."""
    settings = {"REDIS_URL": "redis://127.0.0.1:6379/1"} if redis else {}
    if redis:
        Redis.from_url(settings["REDIS_URL"]).flushdb()
    limited = _limited_app(app, tmp_path, WTF_CSRF_ENABLED=False, **settings)
    assert limited.config["RATELIMIT_STORAGE_URI"] == ("redis://127.0.0.1:6379/1" if redis else "memory://")
    client = limited.test_client()
    address = {"REMOTE_ADDR": "10.9.8.7"}
    statuses = [client.post("/forgot-password", data={}, environ_base=address).status_code for _ in range(31)]
    assert statuses[:30] == [200] * 30
    assert statuses[30] == 429
    assert "Too many requests" in client.post("/forgot-password", data={}, environ_base=address).get_data(as_text=True)


def test_pages_are_not_cached_but_assets_are(client):
    """Pages and downloads (which may hold personal data) say no-store; static assets may be cached."""
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/backstop.css").headers.get("Cache-Control", "")


def test_request_id_header_is_used_only_if_it_is_a_uuid(client, ctx):
    """A proxy's UUID request id is kept in the audit log; anything else is replaced by our own."""
    from marketplace.core.audit import AuditEvent

    good = "0b8f6c1e-3c1a-4f57-9d7e-2f4f2b5a9c10"
    client.post("/sign-in", data={"email": "x@example.com", "password": "wrong"}, headers={"X-Request-Id": good})
    client.post("/sign-in", data={"email": "y@example.com", "password": "wrong"}, headers={"X-Request-Id": "x" * 80})
    ids = db.session.scalars(select(AuditEvent.request_id).order_by(AuditEvent.id)).all()
    assert ids[0] == good
    assert ids[1] != "x" * 80 and len(ids[1]) == 36


def test_development_secret_key_is_random_and_kept_in_the_instance_folder(tmp_path):
    """No known development key: the first run makes a random one (owner-only file); later runs reuse it."""
    from config import DevelopmentConfig
    from marketplace.core.security import instance_secret_key

    assert DevelopmentConfig.SECRET_KEY is None
    first = instance_secret_key(str(tmp_path))
    assert len(first) == 64 and first == instance_secret_key(str(tmp_path))
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    other = tmp_path / "other"
    other.mkdir()
    assert instance_secret_key(str(other)) != first


def test_a_response_the_app_fails_to_make_still_carries_the_headers():
    """The WSGI middleware answers a plain 500 with every header when the app itself raises."""
    from werkzeug.test import Client
    from werkzeug.wrappers import Response as WerkzeugResponse

    from marketplace.core.security import SecurityHeaders

    def broken(environ, start_response):
        raise RuntimeError("secret internals")

    response = Client(SecurityHeaders(broken, hsts=True), WerkzeugResponse).get("/")
    assert response.status_code == 500 and b"secret internals" not in response.data
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "Strict-Transport-Security" in response.headers
