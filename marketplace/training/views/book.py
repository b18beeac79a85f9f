"""Training pages (book)."""

from . import bp  # noqa: F401
