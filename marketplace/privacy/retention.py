"""The retention schedule, applied by one periodic job: every feature declares how long it keeps its data
(core.features.Retention, shown in the privacy notice), and apply_retention runs each step."""

import logging
from datetime import datetime

from ..core.features import retention_schedule
from ..extensions import db

log = logging.getLogger(__name__)


class RetentionFailed(RuntimeError):
    """Some steps of the schedule failed (the others were applied and committed)."""


def apply_retention(now: datetime) -> int:
    """Job: apply every step of the schedule as at `now`, each in its own transaction; how many rows changed.

    A failing step is rolled back and reported after the others have run, so one broken step holds back no other.
    """
    changed, failed = 0, []
    for step in retention_schedule():
        try:
            changed += step.run(now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("Retention step %r failed", step.data)
            failed.append(step.data)
    if failed:
        raise RetentionFailed(f"Retention steps failed: {', '.join(failed)}")
    return changed
