"""Training pages: one blueprint, split by audience (public, bookers, publishers, records, admins)."""

from . import book, bookings, manage_courses, manage_sessions, public, records, roster, topics  # noqa: F401  (importing the modules registers their routes on bp)
from .blueprint import bp

__all__ = ["bp"]
