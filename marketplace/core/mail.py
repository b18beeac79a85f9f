"""Email: rendered from templates/emails/ in the request, delivered by a queued job (SMTP or the outbox folder).

The job carries the whole rendered message and is keyed by its Message-ID: delivery records the key in
`sent_emails` in the same transaction, so a retried job never sends the same message twice. Retries end within
minutes, so a periodic job forgets keys after SENT_EMAILS_KEPT.
"""

import base64
import logging
import smtplib
import uuid
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, render_template
from sqlalchemy import String, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .clock import utcnow
from .logs import mask_email
from .queue import enqueue
from .types import UTCDateTime

log = logging.getLogger(__name__)
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
SENT_EMAILS_KEPT = timedelta(days=7)  # far longer than any retry of a delivery job


class SentEmail(db.Model):
    """One delivered email, by Message-ID: the idempotency key of its delivery job."""

    __tablename__ = "sent_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def build_message(
    to: str, template: str, *, attachments: tuple = (), message_id: str | None = None, **context
) -> EmailMessage:
    """A multipart email from templates/emails/<template>.txt and .html (subject: the text's first line).

    attachments: (filename, bytes, "maintype/subtype") tuples, e.g. an .ics calendar event. message_id: a fixed
    Message-ID, for a message that must go once whoever builds it (delivery skips a Message-ID already sent).
    """
    text = render_template(f"emails/{template}.txt", **context)
    html = render_template(f"emails/{template}.html", **context)
    subject, _, body = text.partition("\n")
    message = EmailMessage()
    message["Subject"] = subject.strip()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Message-ID"] = message_id or make_msgid(domain="backstop.example")
    message["Date"] = utcnow().strftime("%a, %d %b %Y %H:%M:%S +0000")
    message.set_content(body.lstrip("\n"))
    message.add_alternative(html, subtype="html")
    for filename, content, mimetype in attachments:
        maintype, subtype = mimetype.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def send_email(to: str, template: str, **context) -> EmailMessage:
    """Render now; a queued job delivers it once the current transaction commits (never if it rolls back)."""
    message = build_message(to, template, **context)
    enqueue(deliver_email, base64.b64encode(bytes(message)).decode("ascii"))
    return message


def deliver_email(raw: str) -> bool:
    """Job: deliver one rendered message (base64 of its bytes) unless it was sent already; True if sent now.

    The Message-ID is recorded before delivery and committed after it, so a failed delivery leaves no record
    (the retry sends it) and a concurrent or repeated run of the same job finds the record and sends nothing.
    """
    message = message_from_bytes(base64.b64decode(raw), policy=policy.default)
    if not _record_sent(str(message["Message-ID"] or "")):
        log.info("Email %s was sent already; not sending it again", message["Message-ID"])
        db.session.rollback()
        return False
    try:
        deliver(message)
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return True


def _record_sent(message_id: str) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on the Message-ID: True if this run is the one that sends."""
    if not message_id:
        raise ValueError("An email job needs a Message-ID, its idempotency key")
    insert = _INSERTS[db.session.get_bind().dialect.name]
    statement = insert(SentEmail).values(message_id=message_id).on_conflict_do_nothing(index_elements=["message_id"])
    return db.session.execute(statement.returning(SentEmail.id)).scalar() is not None


def purge_sent_emails(now: datetime) -> int:
    """Periodic job: forget the Message-IDs of emails sent more than SENT_EMAILS_KEPT ago; returns how many."""
    statement = delete(SentEmail).where(SentEmail.sent_at < now - SENT_EMAILS_KEPT)
    return db.session.execute(statement).rowcount or 0


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
    log.info("Email %s to %s written to %s", message["Message-ID"], mask_email(message["To"]), folder / name)
