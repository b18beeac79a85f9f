"""URL helpers."""

from contextlib import AbstractContextManager, nullcontext
from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import IntegerConverter, Map

MAX_ID = 2**31 - 1
"""The largest row id: ids are PostgreSQL `integer` columns, so a bigger number names no row (and binding one fails)."""


def positive_id(value) -> int | None:
    """A row id from a query string or a form: a whole number from 1 to MAX_ID in ASCII digits, else None (so
    '2147483648', '-1', '1.5' or '²' name nothing rather than reach the database)."""
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class IdConverter(IntegerConverter):
    """`<int:...>` in a route: a whole number up to MAX_ID, so a bigger one is a 404, not a database error."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # werkzeug's parameter names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class Routes(Map):
    """The app's URL map: `int` is IdConverter."""

    default_converters = {**Map.default_converters, "int": IdConverter}


def safe_next_url(target: str | None) -> str | None:
    """A 'next' address only if it stays on this site (no open redirects) and holds no control characters."""
    if not target:
        return None
    if any(ord(character) < 32 or ord(character) == 127 for character in target):
        return None  # CR/LF would split the Location header; browsers drop tabs and newlines, so "/\t/x" is "//x"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def links_context() -> AbstractContextManager:
    """Outside a request (commands, queued jobs), links use SERVER_NAME, or else PUBLIC_BASE_URL."""
    if current_app.config.get("SERVER_NAME"):
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"])


def public_origin() -> str:
    """The scheme and host of the configured address of the site (PUBLIC_BASE_URL), e.g. https://backstop.example.

    Only the origin: the path comes from the app's own routing (which knows where the app is mounted).
    """
    parts = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return f"{parts.scheme}://{parts.netloc}"


class Backstop(Flask):
    """The application class: every absolute link is built on PUBLIC_BASE_URL, never on the request's Host.

    A link in an email, a stored notification or a calendar feed built from the Host or X-Forwarded-Host header
    would let anyone who can send a request choose where a genuine reset link points; so `url_for(...,
    _external=True)`, in code and templates alike, puts the configured base in front of the path.
    """

    url_map_class = Routes

    def url_for(self, endpoint, *, _anchor=None, _method=None, _scheme=None, _external=None, **values) -> str:
        """A path on this site, or (with _external) the same path on the configured base URL."""
        if not _external:
            return super().url_for(
                endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external, **values
            )
        path = super().url_for(endpoint, _anchor=_anchor, _method=_method, _external=False, **values)
        return public_origin() + path
