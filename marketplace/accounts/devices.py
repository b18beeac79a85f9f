"""Devices that have signed in before: a signed, long-lived cookie naming the account, set at each sign-in.

Only someone who knew the password on that browser holds it, so sign-in lets a correct password from it through
even while strangers' guesses have used up the throttle's limits (accounts/throttle.py).
"""

from flask import Response, current_app, request

from ..core.tokens import sign, unsign

COOKIE = "backstop_device"
PURPOSE = "known-device"
MAX_AGE_SECONDS = 365 * 24 * 3600


def known_device_user_id() -> int | None:
    """The account this browser signed in to before, if its cookie is genuine and under a year old."""
    token = request.cookies.get(COOKIE)
    data = unsign(PURPOSE, token, MAX_AGE_SECONDS) if token else None
    return data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), int) else None


def remember_device(response: Response, user_id: int) -> Response:
    """Mark this browser as one that signed in to the account."""
    response.set_cookie(
        COOKIE,
        sign(PURPOSE, {"id": user_id}),
        max_age=MAX_AGE_SECONDS,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )
    return response
