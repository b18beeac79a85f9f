"""Retention: a cover request's private notes and absence category are erased 90 days after the request ends; the
rest of the request (its shifts, times, hours and money) is kept."""

from datetime import datetime, timedelta

from sqlalchemy import update

from ..extensions import db
from .models import CoverRequest

PRIVATE_KEPT_DAYS = 90


def erase_private_details(now: datetime) -> int:
    """Set private notes and absence category to NULL on requests that ended PRIVATE_KEPT_DAYS ago or more, in one
    UPDATE; a request erased already is left alone, so running twice (or at once) erases each once. How many."""
    statement = (
        update(CoverRequest)
        .where(
            CoverRequest.private_erased_at.is_(None),
            CoverRequest.ends_at <= now - timedelta(days=PRIVATE_KEPT_DAYS),
        )
        .values(private_notes=None, absence_category=None, private_erased_at=now)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount or 0
