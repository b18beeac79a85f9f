"""Sign-in throttling: guesses are limited, but a stranger can never lock the owner out.

Limits, each over a sliding window of SIGN_IN_WINDOW_MINUTES (5):
- SIGN_IN_MAX_FAILURES (10) wrong passwords for one account from one IP address;
- SIGN_IN_ACCOUNT_MAX_FAILURES (50) for one account from anywhere (a guessing botnet);
- SIGN_IN_IP_MAX_FAILURES (50) from one IP address across accounts (password spraying).
A browser that has signed in to the account before under its current password (a signed device cookie, see
accounts/devices.py) is counted on its own: SIGN_IN_MAX_FAILURES for that device, whatever anyone else has tried,
so a flood of wrong guesses from elsewhere locks out only the guessers, and the device itself is still limited.

Exact under concurrency: an attempt is counted as a failure *before* the password is checked, inside a lock on
its keys (PostgreSQL advisory locks; SQLite holds its one write lock from the insert to the commit), and the
count is taken after the insert; a correct password then takes its reservation back. So 40 simultaneous guesses
get exactly 10 checks, never 12.
"""

import zlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text

from ..extensions import db
from .models import SignInFailure


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["SIGN_IN_WINDOW_MINUTES"])


def _limits(email: str, ip: str, device: str | None) -> list[tuple[str, object, int]]:
    """(lock key, the failures that count against it, the most allowed) for an attempt; `ip` is what the attempt
    is recorded under (for a known device, "device:<its id>", so its budget is its own)."""
    config = current_app.config
    if device is not None:
        own = (SignInFailure.email == email) & (SignInFailure.ip == ip)
        return [(f"pair:{email}:{ip}", own, config["SIGN_IN_MAX_FAILURES"])]
    return [
        (
            f"pair:{email}:{ip}",
            (SignInFailure.email == email) & (SignInFailure.ip == ip),
            config["SIGN_IN_MAX_FAILURES"],
        ),
        (f"account:{email}", SignInFailure.email == email, config["SIGN_IN_ACCOUNT_MAX_FAILURES"]),
        (f"ip:{ip}", SignInFailure.ip == ip, config["SIGN_IN_IP_MAX_FAILURES"]),
    ]


def _lock(keys: list[str]) -> None:
    """Serialise attempts on the same keys until the transaction ends (in a fixed order: no deadlocks)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the insert that follows takes the database's write lock until the commit
    for number in sorted({zlib.crc32(key.encode()) - 2**31 for key in keys}):
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})


def reserve_guess(email: str, ip: str, now: datetime, *, device: str | None = None) -> int | None:
    """Count this attempt as a failure and commit; its id, or None (nothing kept) if a limit is used up.

    From a known device (its id) only that device's own failures for the account count.
    """
    if device is not None:
        ip = f"device:{device}"[:45]
    limits = _limits(email, ip, device)
    _lock([key for key, _, _ in limits])
    attempt = SignInFailure(email=email, ip=ip, at=now)
    db.session.add(attempt)
    db.session.flush()
    since = now - _window()
    for _, counted, most in limits:
        if db.session.scalar(select(func.count()).where(counted, SignInFailure.at > since)) > most:
            db.session.delete(attempt)
            db.session.commit()
            return None
    db.session.commit()
    return attempt.id


def release_guess(attempt_id: int) -> None:
    """The password was right: the attempt does not count."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.id == attempt_id))


def purge_old_failures(now: datetime) -> int:
    """Forget failures older than the window (a periodic job)."""
    cutoff = now - _window()
    query = delete(SignInFailure).where(SignInFailure.at <= cutoff)
    return db.session.execute(query).rowcount or 0
