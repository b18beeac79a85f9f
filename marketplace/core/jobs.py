"""Periodic jobs: a registry of idempotent functions that `flask jobs run-due` runs once each."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from .clock import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A named periodic job; run(now) must be idempotent and safe to run concurrently."""

    name: str
    description: str
    run: Callable[[datetime], int]


REGISTRY: dict[str, Job] = {}


def periodic(name: str, description: str):
    """Register a function as a periodic job (it returns how many things it changed)."""

    def decorator(func: Callable[[datetime], int]) -> Callable[[datetime], int]:
        REGISTRY[name] = Job(name, description, func)
        return func

    return decorator


def run_due(now: datetime | None = None) -> dict[str, int]:
    """Run every registered job once, each in its own transaction; a failing job does not stop the others."""
    now = now or utcnow()
    results: dict[str, int] = {}
    for job in REGISTRY.values():
        try:
            results[job.name] = job.run(now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("Job %s failed", job.name)
            results[job.name] = -1
    return results
