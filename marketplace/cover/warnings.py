"""Which compliance warnings were sent: one row per relief worker's place in a pool, thing (their DBS check, or a
training topic) and the last day it is valid, so however often or concurrently the job runs each is sent once."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import to_london
from ..core.types import UTCDateTime
from ..extensions import db

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
DBS = "dbs"


def training_thing(topic_id: int) -> str:
    """What a warning about a training topic is about ("training:12")."""
    return f"training:{topic_id}"


class ComplianceWarning(db.Model):
    """A worker (and their pool's managers) told that a check or training the pool requires stops being valid."""

    __tablename__ = "cover_compliance_warnings"
    __table_args__ = (UniqueConstraint("pool_worker_id", "thing", "expires_on"),)  # the backstop: told once

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_worker_id: Mapped[int] = mapped_column(ForeignKey("relief_pool_workers.id", ondelete="CASCADE"))
    thing: Mapped[str] = mapped_column(String(30))  # DBS, or training_thing(topic id)
    expires_on: Mapped[date] = mapped_column(Date, index=True)  # the last day it is valid for the pool
    warned_at: Mapped[datetime] = mapped_column(UTCDateTime())


def claim(pool_worker_id: int, thing: str, expires_on: date, now: datetime) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING: the new warning's id if this run is the one that warns, else None.

    A concurrent run inserting the same row waits on the unique index until this transaction ends, then inserts
    nothing, so the warning and its notifications commit together, once."""
    insert = _INSERTS[db.session.get_bind().dialect.name]
    statement = (
        insert(ComplianceWarning)
        .values(pool_worker_id=pool_worker_id, thing=thing, expires_on=expires_on, warned_at=now)
        .on_conflict_do_nothing(index_elements=["pool_worker_id", "thing", "expires_on"])
        .returning(ComplianceWarning.id)
    )
    return db.session.execute(statement).scalar()


def forget_past_warnings(now: datetime) -> int:
    """Retention: forget warnings about checks and training already expired (never warned again: the job looks only
    at what is still valid); how many."""
    today = to_london(now).date()
    return db.session.execute(delete(ComplianceWarning).where(ComplianceWarning.expires_on < today)).rowcount or 0
