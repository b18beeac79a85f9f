"""A person's data export: prepared by a queued job, downloadable by them alone with the emailed link for 24 hours."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import TimestampMixin
from ..core.types import UTCDateTime
from ..extensions import db


class PersonalDataExport(TimestampMixin, db.Model):
    """One request to download your data; the ZIP is kept here (not on disk) until the link expires."""

    __tablename__ = "personal_data_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    prepared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # set once, by the job that builds it
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
