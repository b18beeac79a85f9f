"""Training pages (manage)."""

from . import bp  # noqa: F401
