"""Helpers for account tests: several browsers, session cookies and sign-in posts."""

from tests import factories

DOMAIN = "backstop.test"
NEW_PASSWORD = "purple elephant riding bicycles"


def session_cookie(client):
    """The browser's session cookie (or None)."""
    return client.get_cookie("session", domain=DOMAIN)


def copy_session(source, target) -> None:
    """Give another browser a copy of this browser's session cookie."""
    target.set_cookie("session", session_cookie(source).value, domain=DOMAIN)


def sign_in(client, email: str, password: str = factories.PASSWORD, ip: str = "127.0.0.1", **extra):
    """Post the sign-in form from an IP address."""
    return client.post(
        "/sign-in", data={"email": email, "password": password, **extra}, environ_base={"REMOTE_ADDR": ip}
    )


def is_signed_in(client) -> bool:
    """Whether the browser can open a signed-in page (not sent to sign in)."""
    response = client.get("/account")
    return response.status_code == 200
