"""Devices that have signed in before: a signed, long-lived cookie naming the account, set at each sign-in.

Only someone who knew the password on that browser holds it, so sign-in counts that browser's wrong guesses
apart from everyone else's (accounts/throttle.py): however many guesses strangers make, the owner's own browser
still gets its own budget. The cookie carries a stamp of the password hash, so it stops counting as known once
the password changes (or the account closes); a copied cookie is no better than any other browser after that.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from flask import Response, current_app, request

from ..core.tokens import sign, unsign

COOKIE = "backstop_device"
PURPOSE = "known-device"
MAX_AGE_SECONDS = 365 * 24 * 3600


@dataclass(frozen=True)
class KnownDevice:
    """What a genuine device cookie says: the account, the password it was set under, and the device's own id."""

    user_id: int
    stamp: str
    device_id: str

    def is_for(self, user) -> bool:
        """The cookie was set for this account under its current password."""
        return user is not None and user.id == self.user_id and hmac.compare_digest(self.stamp, password_stamp(user))


def password_stamp(user) -> str:
    """A short keyed digest of the account's password hash: it changes whenever the password does."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (user.password_hash or "").encode(), hashlib.sha256).hexdigest()[:20]


def known_device() -> KnownDevice | None:
    """This browser's device cookie, if it is genuine and under a year old."""
    token = request.cookies.get(COOKIE)
    data = unsign(PURPOSE, token, MAX_AGE_SECONDS) if token else None
    if not isinstance(data, dict):
        return None
    user_id, stamp, device_id = data.get("id"), data.get("stamp"), data.get("device")
    if not (isinstance(user_id, int) and isinstance(stamp, str) and isinstance(device_id, str)):
        return None
    return KnownDevice(user_id, stamp, device_id)


def remember_device(response: Response, user) -> Response:
    """Mark this browser as one that signed in to the account (keeping its device id if it had one)."""
    current = known_device()
    device_id = current.device_id if current is not None else secrets.token_hex(8)
    response.set_cookie(
        COOKIE,
        sign(PURPOSE, {"id": user.id, "stamp": password_stamp(user), "device": device_id}),
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )
    return response
