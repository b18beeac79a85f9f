"""Email: rendered from templates/emails/, sent after the transaction commits, by SMTP or to the outbox folder."""

import logging
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from .clock import utcnow

log = logging.getLogger(__name__)
_PENDING = "backstop_pending_mail"


def build_message(to: str, template: str, *, attachments: tuple = (), **context) -> EmailMessage:
    """A multipart email from templates/emails/<template>.txt and .html (subject: the text's first line).

    attachments: (filename, bytes, "maintype/subtype") tuples, e.g. an .ics calendar event.
    """
    text = render_template(f"emails/{template}.txt", **context)
    html = render_template(f"emails/{template}.html", **context)
    subject, _, body = text.partition("\n")
    message = EmailMessage()
    message["Subject"] = subject.strip()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="backstop.example")
    message["Date"] = utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(body.lstrip("\n"))
    message.add_alternative(html, subtype="html")
    for filename, content, mimetype in attachments:
        maintype, subtype = mimetype.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def send_email(to: str, template: str, **context) -> EmailMessage:
    """Render now, deliver when the current transaction commits (never for a change that rolled back)."""
    message = build_message(to, template, **context)
    db.session.info.setdefault(_PENDING, []).append(message)
    return message


def outbox_dir() -> Path:
    """Where messages are written when no SMTP server is configured."""
    configured = current_app.config.get("OUTBOX_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "outbox"


def deliver(message: EmailMessage) -> None:
    """Hand one message to SMTP, or write it as an .eml file and log it."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
        return
    folder = outbox_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    (folder / name).write_bytes(bytes(message))
    log.info("Email to %s, %r, written to %s", message["To"], message["Subject"], folder / name)


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for message in session.info.pop(_PENDING, []):
        try:
            deliver(message)
        except (OSError, smtplib.SMTPException):
            log.exception("Could not send email to %s", message["To"])


@event.listens_for(Session, "after_rollback")
def _drop_after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
