"""Server-side sign-in sessions: rotated at sign-in, deleted at sign-out and password change."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select

from ..core.clock import utcnow
from ..core.features import signed_in_loads
from ..extensions import db, login_manager
from .models import User, UserSession

_KEY = "sid"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime(remember: bool) -> timedelta:
    if remember:
        return current_app.config["PERMANENT_SESSION_LIFETIME"]
    return timedelta(hours=current_app.config["SESSION_IDLE_HOURS"])


def start_session(user: User, *, remember: bool = False) -> None:
    """Sign a person in with a brand-new session identifier (nothing from before sign-in survives)."""
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(id=_hash(token), user_id=user.id, remember=remember, expires_at=utcnow() + _lifetime(remember))
    )
    session[_KEY] = token
    session.permanent = remember
    login_user(user)


def end_session() -> None:
    """Sign out: the stored session is deleted, so a copied cookie stops working."""
    token = session.get(_KEY)
    if token:
        db.session.execute(delete(UserSession).where(UserSession.id == _hash(token)))
    logout_user()
    session.clear()


def end_all_sessions(user: User) -> None:
    """Invalidate every session of the person (e.g. after a password change or reset)."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def purge_expired_sessions(now) -> int:
    """Delete sessions past their expiry."""
    return db.session.execute(delete(UserSession).where(UserSession.expires_at < now)).rowcount or 0


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The signed-in person, only if the cookie's session still exists server-side and belongs to them."""
    token = session.get(_KEY)
    if not token or not user_id.isdigit():
        return None
    query = (
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.id == _hash(token), UserSession.user_id == int(user_id), UserSession.expires_at > utcnow())
        .options(*signed_in_loads())
    )
    found = db.session.execute(query).unique().first()
    if found is None:
        return None
    row, user = found
    _slide_expiry(row)
    return user if user.is_active else None


def _slide_expiry(row: UserSession) -> None:
    """Keep a non-remembered session alive while it is used, writing at most once an hour."""
    if row.remember:
        return
    fresh_expiry = utcnow() + _lifetime(False)
    if fresh_expiry - row.expires_at > timedelta(hours=1):
        row.expires_at = fresh_expiry
        db.session.commit()
