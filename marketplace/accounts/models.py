"""Account models: users, their server-side sessions, reset tokens and failed sign-ins."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..core.models import TimestampMixin
from ..core.notifications import EmailChoice
from ..core.types import UTCDateTime
from ..extensions import db


class IntendedRole(StrEnum):
    """What a person told us they are at registration."""

    ENTREPRENEUR = "entrepreneur"
    PUBLISHER = "publisher"
    RELIEF_WORKER = "relief_worker"


class User(UserMixin, TimestampMixin, db.Model):
    """A person who can sign in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    intended_role: Mapped[str] = mapped_column(String(20), default=IntendedRole.ENTREPRENEUR)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    notification_email: Mapped[str] = mapped_column(
        String(10), default=EmailChoice.EACH, server_default=EmailChoice.EACH.value
    )
    # A UK mobile as +447…, and whether urgent alerts are texted to it (core/sms.py); both set on the account page.
    mobile: Mapped[str | None] = mapped_column(String(16))
    sms_alerts: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Set when the person closes their account: the row stays (records point at it) under this stable pseudonym.
    pseudonym: Mapped[str | None] = mapped_column(String(12), unique=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # How many notifications the person has not opened: loaded with them once per request (core/feature.py), else None.
    unread_notifications: Mapped[int | None] = query_expression()

    memberships = relationship("Membership", back_populates="user")
    relief_profile = relationship("ReliefWorkerProfile", back_populates="user", uselist=False)

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserSession(TimestampMixin, db.Model):
    """A signed-in browser; the cookie carries a random token whose hash is this row's key."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    remember: Mapped[bool] = mapped_column(Boolean, default=False)

    user = relationship("User")


class PasswordResetToken(TimestampMixin, db.Model):
    """A single-use, short-lived permission to set a new password."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SignInFailure(db.Model):
    """One failed sign-in, counted per account and per IP to throttle guessing."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_email_at", "email", "at"),
        Index("ix_sign_in_failures_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
