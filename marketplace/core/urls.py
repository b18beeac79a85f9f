"""URL helpers."""

from contextlib import AbstractContextManager, nullcontext
from urllib.parse import urlsplit

from flask import current_app


def safe_next_url(target: str | None) -> str | None:
    """A 'next' address only if it stays on this site (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def links_context() -> AbstractContextManager:
    """Outside a request (commands, queued jobs), links use SERVER_NAME, or else PUBLIC_BASE_URL."""
    if current_app.config.get("SERVER_NAME"):
        return nullcontext()
    return current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"])
