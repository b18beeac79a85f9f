"""Periodic jobs: `flask jobs run-due` runs each feature's registered jobs (core.features.Job) once."""

import logging
from datetime import datetime

from ..extensions import db
from .clock import utcnow
from .features import jobs

log = logging.getLogger(__name__)


def run_due(now: datetime | None = None) -> dict[str, int]:
    """Run every registered job once, each in its own transaction; a failing job does not stop the others."""
    now = now or utcnow()
    results: dict[str, int] = {}
    for job in jobs().values():
        try:
            results[job.name] = job.run(now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("Job %s failed", job.name)
            results[job.name] = -1
    return results
