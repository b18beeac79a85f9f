"""A dashboard task: one thing to do, with where to do it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Task:
    """One thing to do, with where to do it."""

    text: str
    href: str
    hint: str = ""
