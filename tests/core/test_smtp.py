"""With MAIL_SERVER set, email goes out over SMTP (to a real SMTP server run by the test), after the commit."""

import socket

import pytest
from aiosmtpd.controller import Controller

from marketplace.core.notifications import notify
from marketplace.extensions import db
from tests import factories


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(app):
    """A local SMTP server; the app is pointed at it for one test."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {key: app.config.get(key) for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    yield inbox
    app.config.update(saved)
    controller.stop()


def test_notification_email_is_sent_over_smtp_after_commit(ctx, smtp_server, outbox):
    """Nothing is sent before the commit; after it, one multipart message reaches the SMTP server (and no .eml file)."""
    person = factories.user(email="carer@example.com")
    notify(person, "test", title="Your booking is confirmed", body="See you there")
    assert smtp_server.messages == []
    db.session.commit()
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["carer@example.com"]
    content = envelope.content.decode()
    assert "Subject: Your booking is confirmed" in content and "text/html" in content
    assert outbox.messages() == []
