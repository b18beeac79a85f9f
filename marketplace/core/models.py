"""Mixins and helpers shared by feature models."""

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from .clock import utcnow
from .types import UTCDateTime


class TimestampMixin:
    """A created_at column filled from the injectable clock."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
