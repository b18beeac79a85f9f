"""Training pages (public)."""

from . import bp  # noqa: F401
