"""Random single-use tokens (stored only as hashes) and signed, expiring tokens."""

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from .clock import utcnow


def new_token() -> tuple[str, str]:
    """A random token for a link, and the hash to store in its place."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    """The stored form of a link token."""
    return hashlib.sha256(token.encode()).hexdigest()


class _ClockSigner(TimestampSigner):
    """Timestamps from the injectable clock, so link expiry can be tested without sleeping."""

    def get_timestamp(self) -> int:
        return int(utcnow().timestamp())


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"backstop-{purpose}", signer=_ClockSigner)


def sign(purpose: str, data) -> str:
    """A tamper-proof token carrying data for one purpose."""
    return _serializer(purpose).dumps(data)


def unsign(purpose: str, token: str, max_age_seconds: int):
    """The data in a signed token, or None if it is forged, for another purpose, or expired."""
    try:
        return _serializer(purpose).loads(token, max_age=max_age_seconds)
    except (SignatureExpired, BadSignature):
        return None
