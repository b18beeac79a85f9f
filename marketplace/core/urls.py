"""URL helpers."""

from urllib.parse import urlsplit


def safe_next_url(target: str | None) -> str | None:
    """A 'next' address only if it stays on this site (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
