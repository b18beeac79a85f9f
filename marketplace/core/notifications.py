"""In-app notifications with an email for each: notify() tells one person, notify_each() many through the queue."""

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..extensions import db
from .clock import utcnow
from .mail import send_email
from .models import TimestampMixin
from .queue import enqueue
from .types import UTCDateTime

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_ROWS_PER_INSERT = 500  # well under SQLite's and PostgreSQL's limits on bound parameters


class Notification(TimestampMixin, db.Model):
    """Something a person should know about or act on."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("uq_notifications_fan_out_key_user_id", "fan_out_key", "user_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fan_out_key: Mapped[str | None] = mapped_column(String(32))  # the notify_each() job that made it, if one did
    user = relationship("User", lazy="raise_on_sql")


def notify(user, kind: str, *, title: str, body: str = "", link: str | None = None, **context) -> Notification:
    """Tell a person something: an in-app notification now, and an email once the transaction commits."""
    note = Notification(user_id=user.id, kind=kind, title=title, body=body, link=link)
    db.session.add(note)
    send_email(user.email, "notification", user=user, title=title, body=body, link=link, **context)
    return note


def notify_each(people: Iterable, kind: str, *, title: str, body: str = "", link: str | None = None) -> None:
    """Tell several people the same thing: once the transaction commits, one queued job notifies and emails each.

    people are users or user ids. The notifications appear only after the commit (never if it rolls back).
    """
    user_ids = sorted({person if isinstance(person, int) else person.id for person in people})
    if None in user_ids:
        raise ValueError("Everyone to notify needs an id: flush new users first")
    if user_ids:
        enqueue(fan_out, uuid.uuid4().hex, user_ids, kind, title=title, body=body, link=link)


def fan_out(key: str, user_ids: list[int], kind: str, *, title: str, body: str, link: str | None) -> int:
    """Job: give each person a notification and queue their email, skipping anyone this job has told already.

    Each notification carries the job's key, unique per person, so a retried or concurrent run of the same job
    inserts nothing twice (ON CONFLICT DO NOTHING) and emails only the people it inserted for. Returns how many.
    """
    insert = _INSERTS[db.session.get_bind().dialect.name]
    new_ids = []
    for start in range(0, len(user_ids), _ROWS_PER_INSERT):
        rows = [
            {"fan_out_key": key, "user_id": user_id, "kind": kind, "title": title, "body": body, "link": link}
            for user_id in user_ids[start : start + _ROWS_PER_INSERT]
        ]
        statement = insert(Notification).values(rows).on_conflict_do_nothing(index_elements=["fan_out_key", "user_id"])
        new_ids += db.session.scalars(statement.returning(Notification.id))
    query = select(Notification).where(Notification.id.in_(new_ids)).options(selectinload(Notification.user))
    for note in db.session.scalars(query.order_by(Notification.user_id)):
        send_email(note.user.email, "notification", user=note.user, title=title, body=body, link=link)
    db.session.commit()
    return len(new_ids)


def unread_count(user) -> int:
    """How many notifications the person has not opened."""
    query = select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    return db.session.scalar(query) or 0


def mark_all_read(user) -> None:
    """Mark every unread notification of the person as read."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
