"""Every absolute link the app sends (emails, stored notifications) starts with PUBLIC_BASE_URL, whatever Host or
X-Forwarded-Host a request carries: a forged header must not turn a genuine reset link into an attacker's link."""

import email
import re
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix

from marketplace import create_app
from marketplace.core.notifications import Notification
from marketplace.extensions import db
from marketplace.training import booking as bookings
from marketplace.training.booking import Person
from tests import factories
from tests.conftest import FAST_ARGON2

BASE = "https://backstop.example"
FORGED = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}
EVIL = "http://evil.example"  # the Host header too
LINK = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture
def site(app, tmp_path):
    """The app as production runs it behind a proxy (ProxyFix trusting one hop, no SERVER_NAME)."""
    application = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        OUTBOX_DIR=str(tmp_path),
        ARGON2_PARAMS=FAST_ARGON2,
        PUBLIC_BASE_URL=BASE,
        SERVER_NAME=None,
        WTF_CSRF_ENABLED=False,
    )
    application.wsgi_app = ProxyFix(application.wsgi_app, x_for=1, x_proto=1, x_host=1)
    with application.app_context():
        yield application
        db.session.remove()


def sent_links(folder: Path) -> list[str]:
    """Every absolute link in every part of every email written to the outbox."""
    links = []
    for path in folder.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for part in message.walk():
            if part.get_content_type() in ("text/plain", "text/html"):
                links += LINK.findall(part.get_content())
    return links


def test_links_in_emails_and_notifications_ignore_forged_host_headers(site, tmp_path, clock):
    """Reset, verification, account-exists, invitation, booking emails and notifications all link to BASE."""
    owner = factories.user(email="owner@example.com")
    enterprise = factories.enterprise(owner, name="Erin Care", area_name="Leeds")
    council = factories.publisher(name="Leeds City Council", areas=("Leeds",))
    session = factories.training_session(factories.course(council, title="First Aid"))
    db.session.commit()
    client = site.test_client()

    client.post("/forgot-password", data={"email": owner.email}, headers=FORGED, base_url=EVIL)
    client.post(
        "/register",
        data={
            "name": "New Person",
            "email": "new@example.com",
            "password": "a long enough passphrase",
            "intended_role": "entrepreneur",
        },
        headers=FORGED,
        base_url=EVIL,
    )
    client.post(
        "/register",
        data={
            "name": "Again",
            "email": owner.email,
            "password": "a long enough passphrase",
            "intended_role": "entrepreneur",
        },
        headers=FORGED,
        base_url=EVIL,
    )
    signed_in = client.post(
        "/sign-in", data={"email": owner.email, "password": factories.PASSWORD}, headers=FORGED, base_url=EVIL
    )
    assert signed_in.status_code == 302, signed_in.get_data(as_text=True)[-1500:]
    client.post(
        f"/organisations/{enterprise.id}/invite",
        data={"email": "colleague@example.com", "role": "member"},
        headers=FORGED,
        base_url=EVIL,
    )
    with site.test_request_context("/training", headers=FORGED, base_url=EVIL):
        bookings.create_booking(session, owner, enterprise, [Person("Ann Able", "ann@example.com")])
        db.session.commit()

    links = sent_links(tmp_path)
    links += [n.link for n in db.session.scalars(select(Notification)) if n.link]
    kinds = {"/reset-password/", "/verify-email/", "/sign-in", "/invitations/", "/training/bookings/"}
    assert {kind for kind in kinds if not any(kind in link for link in links)} == set(), links
    assert links and all(link.startswith(BASE + "/") for link in links), [
        link for link in links if not link.startswith(BASE + "/")
    ]


def test_absolute_links_outside_a_request_use_the_base_too(site):
    """Commands and queued jobs (no request) build the same links."""
    from marketplace.core.urls import links_context

    with links_context():
        assert site.url_for("training.catalogue", _external=True) == BASE + "/training"
