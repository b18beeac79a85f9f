"""Server-side sessions: rotated at sign-in, ended at sign-out and password change, remember me."""

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import UserSession
from marketplace.extensions import db
from tests import factories
from tests.database import audit_events

from .helpers import NEW_PASSWORD, copy_session, is_signed_in, session_cookie, sign_in


@pytest.fixture
def person(ctx):
    """A verified account."""
    user = factories.user()
    db.session.commit()
    return user


def session_rows(user) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id))


def test_session_is_rotated_at_sign_in(client, person, browser):
    """Signing in issues a new cookie; nothing from the anonymous session survives, and its copy stays anonymous."""
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = session_cookie(client).value
    fixated = browser()
    copy_session(client, fixated)
    assert sign_in(client, person.email).status_code == 302
    assert session_cookie(client).value != before
    with client.session_transaction() as session:
        assert "planted" not in session
    assert is_signed_in(client) and not is_signed_in(fixated)


def test_copied_cookie_stops_working_after_sign_out(client, person, login_as, browser):
    """A cookie saved before sign-out works until then, and not after."""
    login_as(person)
    thief = browser()
    copy_session(client, thief)
    assert is_signed_in(thief)
    assert client.post("/sign-out").headers["Location"] == "/"
    assert not is_signed_in(client)
    response = thief.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert session_rows(person) == 0
    assert [e.actor_id for e in audit_events("account.signed_out")] == [person.id]


def test_sign_out_needs_csrf_token(client, person, login_as):
    """A sign-out post without the CSRF token is refused and the session survives."""
    login_as(person)
    assert client.post("/sign-out", csrf=False).status_code == 400
    assert is_signed_in(client)


def test_password_change_ends_other_sessions_only(client, person, login_as, browser):
    """After a password change a cookie copied earlier is dead, but the changing browser stays signed in."""
    login_as(person)
    other = browser()
    sign_in(other, person.email)
    copied = browser()
    copy_session(client, copied)
    assert is_signed_in(other) and is_signed_in(copied)
    response = client.post(
        "/account/password", data={"current_password": factories.PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert is_signed_in(client)
    assert not is_signed_in(other) and not is_signed_in(copied)
    assert session_rows(person) == 1


def test_remember_me_makes_cookie_persistent(client, person, clock):
    """With 'remember me' the session cookie has an expiry about 30 days away and the session row is marked."""
    sign_in(client, person.email, remember="y")
    cookie = session_cookie(client)
    assert cookie.expires is not None
    row = db.session.scalar(select(UserSession))
    assert row.remember and (row.expires_at - row.created_at).days == 30


def test_without_remember_me_cookie_lasts_for_the_browser_session(client, person, clock):
    """Without 'remember me' the session cookie has no Expires and the server session ends after 12 idle hours."""
    response = sign_in(client, person.email)
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "Expires=" not in cookie
    assert session_cookie(client).expires is None
    row = db.session.scalar(select(UserSession))
    assert not row.remember and (row.expires_at - row.created_at).total_seconds() == 12 * 3600


def test_idle_session_expires(client, person, login_as, clock):
    """A browser-session sign-in stops working after 12 idle hours."""
    login_as(person)
    clock.advance(hours=11)
    assert is_signed_in(client)
    clock.advance(hours=12, minutes=1)
    assert not is_signed_in(client)


def test_remembered_session_expires_after_30_days(client, person, login_as, clock):
    """A remembered sign-in lasts 29 days but not 31, on the server side."""
    login_as(person, remember=True)
    clock.advance(days=29)
    assert is_signed_in(client)
    clock.advance(days=2)
    assert not is_signed_in(client)
