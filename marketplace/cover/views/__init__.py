"""Relief cover's pages: workers (profile, checks, availability, shifts), pool managers, enterprises asking for cover."""

from . import after, enterprise, manage, money, worker  # noqa: F401  (each registers its routes on the blueprint)
from .blueprint import bp

__all__ = ["bp"]
