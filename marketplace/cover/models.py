"""Relief worker profile (the personal record a relief worker builds on)."""

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin
from ..extensions import db


class ReliefWorkerProfile(TimestampMixin, db.Model):
    """A person's profile as a relief worker; checks, skills and availability come later."""

    __tablename__ = "relief_worker_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(30))
    about: Mapped[str | None] = mapped_column(Text)

    user = relationship("User", back_populates="relief_profile")
    area = relationship("Area")
