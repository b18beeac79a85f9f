"""Logs keep no secrets: link tokens redacted, email addresses masked, in the app's lines and gunicorn's."""

import logging
from datetime import timedelta
from types import SimpleNamespace

from marketplace.core.logs import RedactingFormatter, redact


def test_link_tokens_are_redacted():
    """Reset, verification, invitation and calendar-feed tokens never reach a log line."""
    lines = [
        "GET /reset-password/abcDEF123_-xyz HTTP/1.1",
        "GET /verify-email/eyJpZCI6MX0.Zx9.abc HTTP/1.1",
        "POST /organisations/invitations/tok3n-value HTTP/1.1",
        "GET /training/calendar/s3cretfeed.ics HTTP/1.1",
        "GET /sign-in?next=/x&token=leaky HTTP/1.1",
        "GET /account/your-data/AbC123secretToken/download HTTP/1.1",
        "GET /some/new/route/Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA HTTP/1.1",
    ]
    for line in lines:
        secrets = ("abcDEF", "eyJpZ", "tok3n", "s3cret", "leaky", "AbC123", "Zm9vYm")
        assert all(secret not in redact(line) for secret in secrets)
        assert "[redacted]" in redact(line)
    assert redact("GET /training/sessions/12 HTTP/1.1") == "GET /training/sessions/12 HTTP/1.1"


def test_email_addresses_are_masked():
    assert redact("Email to grace.hopper@example.com written") == "Email to g***@example.com written"


def test_the_apps_log_lines_are_redacted(monkeypatch):
    """configure_logging (called by create_app) makes every root handler format through the redacting formatter."""
    from marketplace.core.logs import configure_logging

    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    configure_logging()
    assert root.handlers and all(isinstance(handler.formatter, RedactingFormatter) for handler in root.handlers)
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "%s", ("GET /reset-password/abc123 ada@example.com",), None
    )
    assert root.handlers[0].formatter.format(record).endswith("GET /reset-password/[redacted] a***@example.com")


def test_gunicorn_access_lines_are_redacted():
    """The gunicorn config's logger redacts the request line and path atoms."""
    from gunicorn.config import Config

    from marketplace.gunicorn_conf import RedactingLogger, logger_class

    assert logger_class is RedactingLogger
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/reset-password/abc123",
        "PATH_INFO": "/reset-password/abc123",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    atoms = RedactingLogger(Config()).atoms(response, SimpleNamespace(headers=[]), environ, timedelta(seconds=1))
    assert atoms["r"] == "GET /reset-password/[redacted] HTTP/1.1" and atoms["U"] == "/reset-password/[redacted]"


def test_outbox_log_line_masks_the_recipient(ctx, caplog):
    """Writing an email to the outbox logs its id, not the full address or the subject."""
    from marketplace.core.mail import build_message, deliver

    message = build_message("grace@example.com", "password_changed", user=SimpleNamespace(name="Grace"))
    with caplog.at_level(logging.INFO, logger="marketplace.core.mail"):
        deliver(message)
    text = " ".join(record.getMessage() for record in caplog.records)
    assert "grace@example.com" not in text and "password" not in text.lower() and "g***@example.com" in text
