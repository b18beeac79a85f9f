"""Helpers for account tests: several browsers, session cookies, sign-in posts and the audit log."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
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


def audit_events(action: str) -> list[AuditEvent]:
    """Audit rows for an action, oldest first."""
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def errors(response) -> list[str]:
    """The error summary and field error texts on a page."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    found = soup.select(".govuk-error-summary__list a, .govuk-error-message")
    return [" ".join(tag.get_text().split()).removeprefix("Error: ") for tag in found]


def main_text(response) -> str:
    """The visible text of the page's main content."""
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return " ".join(soup.find("main").get_text().split())
