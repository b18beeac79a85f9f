"""In-app notifications with an email for each: one notify() for every feature."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .clock import utcnow
from .mail import send_email
from .models import TimestampMixin
from .types import UTCDateTime


class Notification(TimestampMixin, db.Model):
    """Something a person should know about or act on."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def notify(user, kind: str, *, title: str, body: str = "", link: str | None = None, **context) -> Notification:
    """Tell a person something: an in-app notification now, and an email once the transaction commits."""
    note = Notification(user_id=user.id, kind=kind, title=title, body=body, link=link)
    db.session.add(note)
    send_email(user.email, "notification", user=user, title=title, body=body, link=link, **context)
    return note


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
