"""Sign-in throttling: at most N failures in a window, per account and per IP address."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..extensions import db
from .models import SignInFailure


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["SIGN_IN_WINDOW_MINUTES"])


def is_throttled(email: str, ip: str, now: datetime) -> bool:
    """True once the account or the IP address has used up its failures in the window."""
    since = now - _window()
    limit = current_app.config["SIGN_IN_MAX_FAILURES"]
    by_email = select(func.count()).where(SignInFailure.email == email, SignInFailure.at > since)
    by_ip = select(func.count()).where(SignInFailure.ip == ip, SignInFailure.at > since)
    return (db.session.scalar(by_email) or 0) >= limit or (db.session.scalar(by_ip) or 0) >= limit


def record_failure(email: str, ip: str, now: datetime) -> None:
    """Count one failed attempt."""
    db.session.add(SignInFailure(email=email, ip=ip, at=now))


def purge_old_failures(now: datetime) -> int:
    """Forget failures older than the window (a periodic job)."""
    cutoff = now - _window()
    query = delete(SignInFailure).where(SignInFailure.at <= cutoff)
    return db.session.execute(query).rowcount or 0
