"""In-app notifications, emailed as each person chose: notify() tells one person, notify_each() many through the queue.

Each person chooses (users.notification_email) an email for each notification, one daily digest of the day before
(send_digests, a periodic job), or none. A notification's `emailed_at` says it has been emailed, alone or in a digest.
An urgent one (urgent=True, e.g. a new cover shift) is also texted, from the queue, to people who opted in (core/sms.py).
"""

import logging
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..extensions import db
from . import sms
from .clock import LONDON, to_london, utcnow
from .mail import send_email
from .models import TimestampMixin
from .queue import enqueue
from .states import StateMachine, change
from .types import UTCDateTime

log = logging.getLogger(__name__)

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_ROWS_PER_INSERT = 500  # well under SQLite's and PostgreSQL's limits on bound parameters
TITLE_LENGTH = 200


class EmailChoice(StrEnum):
    """How a person wants their notifications emailed (users.notification_email)."""

    EACH = "each"
    DAILY = "daily"
    NONE = "none"


class SmsStatus(StrEnum):
    """Where a notification's text message is (notifications.sms_status; None: it is not texted)."""

    QUEUED = "queued"
    SENDING = "sending"  # a job began: Notify may have it, so a later run asks Notify before sending again
    SENT = "sent"  # Notify accepted it (sms_id is Notify's id)
    FAILED = "failed"  # the last attempt failed (retried by the queue when it may work later)
    CANCELLED = "cancelled"  # before it went, the person removed their number or opted out, or Notify was unset


SMS_STATES = StateMachine(
    SmsStatus,
    {
        SmsStatus.QUEUED: {SmsStatus.SENDING, SmsStatus.CANCELLED},
        SmsStatus.SENDING: {SmsStatus.SENT, SmsStatus.FAILED, SmsStatus.CANCELLED},
        SmsStatus.FAILED: {SmsStatus.SENDING, SmsStatus.CANCELLED},
    },
    "sms",
    field="sms_status",
)


FAN_OUT_KEY_LENGTH = 32


class Notification(TimestampMixin, db.Model):
    """Something a person should know about or act on."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at"),
        Index("ix_notifications_user_id_created_at_id", "user_id", "created_at", "id"),  # a person's, newest first
        Index("uq_notifications_fan_out_key_user_id", "fan_out_key", "user_id", unique=True),
        Index("ix_notifications_emailed_at_created_at", "emailed_at", "created_at"),  # the digest's candidates
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fan_out_key: Mapped[str | None] = mapped_column(
        String(FAN_OUT_KEY_LENGTH)
    )  # the notify_each() job that made it, if one did
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: not emailed (yet, or never)
    sms_status: Mapped[str | None] = mapped_column(String(10))  # SmsStatus, or None: not texted
    sms_id: Mapped[str | None] = mapped_column(String(36))  # Notify's id of the text it accepted
    user = relationship("User", lazy="raise_on_sql")


def fit_title(title: str) -> str:
    """A title the notifications table can hold: a long one (long course and organisation names) is cut short."""
    return title if len(title) <= TITLE_LENGTH else title[: TITLE_LENGTH - 1].rstrip() + "…"


def emails_each(user) -> bool:
    """The person wants an email for each notification (everyone does until they choose otherwise)."""
    return user.notification_email not in (EmailChoice.DAILY, EmailChoice.NONE)


def notify(
    user, kind: str, *, title: str, body: str = "", link: str | None = None, urgent: bool = False, **context
) -> Notification:
    """Tell a person something: an in-app notification now, and (if they want one each) an email after the commit.

    urgent: also text the title and link (never the body: keep private details out of both) if they opted in.
    """
    emailed, title = emails_each(user), fit_title(title)
    texted = urgent and sms.wants_texts(user)
    note = Notification(
        user_id=user.id,
        kind=kind,
        title=title,
        body=body,
        link=link,
        emailed_at=utcnow() if emailed else None,
        sms_status=SmsStatus.QUEUED if texted else None,
    )
    db.session.add(note)
    if texted:
        db.session.flush()
        enqueue(send_text, note.id)
    if emailed:
        send_email(user.email, "notification", user=user, title=title, body=body, link=link, **context)
    return note


def notify_each(
    people: Iterable,
    kind: str,
    *,
    title: str,
    body: str = "",
    link: str | None = None,
    key: str | None = None,
    urgent: bool = False,
) -> None:
    """Tell several people the same thing: once the transaction commits, one queued job notifies and emails each.

    people are users or user ids. The notifications appear only after the commit (never if it rolls back). key (up
    to 32 characters): the fan-out's fixed key, for a caller that may itself run twice (a job), so each person is
    told once; a new one each call by default. urgent: also text it to those who opted in, as notify() does.
    """
    user_ids = sorted({person if isinstance(person, int) else person.id for person in people})
    if None in user_ids:
        raise ValueError("Everyone to notify needs an id: flush new users first")
    if key is not None and len(key) > FAN_OUT_KEY_LENGTH:
        raise ValueError(f"A fan-out key is at most {FAN_OUT_KEY_LENGTH} characters: {key!r}")
    if user_ids:
        extra = {"urgent": True} if urgent else {}
        enqueue(fan_out, key or uuid.uuid4().hex, user_ids, kind, title=fit_title(title), body=body, link=link, **extra)


def fan_out(
    key: str, user_ids: list[int], kind: str, *, title: str, body: str, link: str | None, urgent: bool = False
) -> int:
    """Job: give each person a notification and queue their email, skipping anyone this job has told already.

    Each notification carries the job's key, unique per person, so a retried or concurrent run of the same job
    inserts nothing twice (ON CONFLICT DO NOTHING) and emails only the people it inserted for. Returns how many.
    """
    insert = _INSERTS[db.session.get_bind().dialect.name]
    new_ids = []
    for start in range(0, len(user_ids), _ROWS_PER_INSERT):
        chunk = user_ids[start : start + _ROWS_PER_INSERT]
        texted = _texted(chunk) if urgent else set()
        rows = [
            {"fan_out_key": key, "user_id": user_id, "kind": kind, "title": title, "body": body, "link": link}
            | {"sms_status": SmsStatus.QUEUED if user_id in texted else None}
            for user_id in chunk
        ]
        statement = insert(Notification).values(rows).on_conflict_do_nothing(index_elements=["fan_out_key", "user_id"])
        new_ids += db.session.scalars(statement.returning(Notification.id))
    query = select(Notification).where(Notification.id.in_(new_ids)).options(selectinload(Notification.user))
    emailed = []
    for note in db.session.scalars(query.order_by(Notification.user_id)):
        if emails_each(note.user):
            send_email(note.user.email, "notification", user=note.user, title=title, body=body, link=link)
            emailed.append(note.id)
        if note.sms_status == SmsStatus.QUEUED:
            enqueue(send_text, note.id)
    if emailed:
        db.session.execute(update(Notification).where(Notification.id.in_(emailed)).values(emailed_at=utcnow()))
    db.session.commit()
    return len(new_ids)


def _texted(user_ids: list[int]) -> set[int]:
    """Those of the people who get urgent alerts by text (sms.wants_texts decides, one person at a time)."""
    if not sms.configured():
        return set()
    person = Notification.user.property.mapper.class_  # accounts' User: core knows it only through the relationship
    return {
        user.id for user in db.session.scalars(select(person).where(person.id.in_(user_ids))) if sms.wants_texts(user)
    }


def send_text(notification_id: int) -> bool:
    """Job: text an urgent notification to its person once, however often the job runs; True if sent by this run.

    The attempt is committed (sending) before Notify is asked, and the row stays locked until Notify answers, so a
    concurrent run waits and then finds it sent. A run that finds an earlier attempt asks Notify for the text by
    its reference (our notification id) first: one that reached Notify is recorded, not sent again. A failure is
    recorded and logged; it is raised for the queue to retry only when it may work later (not Notify's refusals).
    """
    note = db.session.get(Notification, notification_id, options=[selectinload(Notification.user)])
    if note is None or note.sms_status in (None, SmsStatus.SENT, SmsStatus.CANCELLED):
        return False
    if not sms.wants_texts(note.user):
        change(note, SMS_STATES, SmsStatus.CANCELLED, actor=None)
        db.session.commit()
        return False
    resumed = note.sms_status != SmsStatus.QUEUED
    if note.sms_status != SmsStatus.SENDING:
        if not change(note, SMS_STATES, SmsStatus.SENDING, actor=None):
            db.session.rollback()
            return False
        db.session.commit()
    try:
        return _send_text_once(note, resumed)
    except Exception as error:
        db.session.rollback()
        change(note, SMS_STATES, SmsStatus.FAILED, actor=None, error=sms.describe(error))
        db.session.commit()
        log.warning("Text message of notification %s failed: %s", notification_id, sms.describe(error))
        if sms.may_work_later(error):
            raise
        return False


def _send_text_once(note: Notification, resumed: bool) -> bool:
    """Claim the send (the conditional UPDATE holds the row until the commit), then send or find the text."""
    if not change(note, SMS_STATES, SmsStatus.SENT, actor=None):
        db.session.rollback()
        return False
    reference = sms.reference(note.id)
    found = sms.sent_already(reference) if resumed else None
    note.sms_id = found or sms.send(note.user.mobile, sms.message(note.title, note.link), reference)
    db.session.commit()
    return found is None


def unread_count_of(user_id_column):
    """A correlated count of the unread notifications of the person in `user_id_column` (to load with them)."""
    query = select(func.count()).where(Notification.user_id == user_id_column, Notification.read_at.is_(None))
    return query.scalar_subquery()


def unread_count(user) -> int:
    """How many notifications the person has not opened (as loaded with them this request, if it was)."""
    loaded = getattr(user, "unread_notifications", None)
    if loaded is not None:
        return loaded
    return db.session.scalar(select(unread_count_of(user.id))) or 0


def mark_all_read(user) -> None:
    """Mark every unread notification of the person as read."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


DIGEST_CATCH_UP_DAYS = 6


def _day_before(now: datetime) -> tuple[date, datetime, datetime]:
    """The UK day before `now`'s, with its start and end in UTC (a digest sent today covers yesterday)."""
    today = to_london(now).date()
    day = today - timedelta(days=1)
    start, end = (datetime.combine(d, time(), LONDON).astimezone(UTC) for d in (day, today))
    return day, start, end


def send_digests(now: datetime) -> int:
    """Job: email each person who chose a daily digest their notifications of the day before not yet emailed.

    Whenever it first runs on a UK day it sends each such person one digest; later runs that day find those
    notifications emailed and send nothing, and a day with nothing to tell sends nothing. Returns digests sent.
    """
    day, start, end = _day_before(now)
    waiting = (
        Notification.emailed_at.is_(None),
        # Days the job did not run at all (an outage) are caught up, up to a week back.
        Notification.created_at >= start - timedelta(days=DIGEST_CATCH_UP_DAYS),
        Notification.created_at < end,
    )
    query = (
        select(Notification.user_id)
        .where(*waiting, Notification.user.has(notification_email=EmailChoice.DAILY))
        .distinct()
        .order_by(Notification.user_id)
    )
    return sum(_send_digest(user_id, day, waiting, now) for user_id in db.session.scalars(query).all())


def _send_digest(user_id: int, day: date, waiting: tuple, now: datetime) -> int:
    """Claim the person's waiting notifications (a conditional UPDATE: a concurrent run claims none), email them once.

    The digest's Message-ID is fixed per person and day, so its delivery goes once however often it is queued.
    """
    claim = (
        update(Notification)
        .where(Notification.user_id == user_id, *waiting)
        .values(emailed_at=now)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    claimed = db.session.scalars(claim).all()
    if not claimed:
        return 0
    query = (
        select(Notification)
        .where(Notification.id.in_(claimed))
        .options(selectinload(Notification.user))
        .order_by(Notification.created_at, Notification.id)
    )
    notes = db.session.scalars(query).all()
    user = notes[0].user
    first_day = to_london(notes[0].created_at).date()
    since = first_day if first_day < day else None  # caught up from days the job missed
    message_id = f"<digest.{user_id}.{day.isoformat()}@backstop.example>"
    send_email(user.email, "notification_digest", user=user, notes=notes, day=day, since=since, message_id=message_id)
    return 1
