"""Organisation models: areas, organisations, memberships and invitations."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Boolean, Column, ForeignKey, Index, Numeric, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin
from ..core.states import HasStatus, StateMachine
from ..core.types import UTCDateTime
from ..extensions import db


class OrgKind(StrEnum):
    """What sort of body an organisation is."""

    COUNCIL = "council"
    NHS = "nhs"
    ENTERPRISE = "enterprise"

    @property
    def label(self) -> str:
        return {"council": "Council", "nhs": "NHS body", "enterprise": "Enterprise"}[self.value]


PUBLISHER_KINDS = (OrgKind.COUNCIL, OrgKind.NHS)


class OrgStatus(StrEnum):
    """Approval state: publishers start pending; enterprises are approved at once."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


ORGANISATION_STATES = StateMachine(
    OrgStatus, {OrgStatus.PENDING: {OrgStatus.APPROVED, OrgStatus.REJECTED}}, "organisation"
)


class LegalForm(StrEnum):
    """Legal forms a micro-enterprise can take."""

    SOLE_TRADER = "sole_trader"
    PARTNERSHIP = "partnership"
    COOPERATIVE = "cooperative"
    CIC = "cic"
    LIMITED_COMPANY = "limited_company"
    CHARITY = "charity"

    @property
    def label(self) -> str:
        return LEGAL_FORM_LABELS[self]


LEGAL_FORM_LABELS = {
    LegalForm.SOLE_TRADER: "Sole trader",
    LegalForm.PARTNERSHIP: "Partnership",
    LegalForm.COOPERATIVE: "Co-operative",
    LegalForm.CIC: "Community interest company (CIC)",
    LegalForm.LIMITED_COMPANY: "Limited company",
    LegalForm.CHARITY: "Charity",
}


class MemberRole(StrEnum):
    """A person's role inside an organisation."""

    OWNER = "owner"
    MEMBER = "member"
    FINANCE = "finance"

    @property
    def phrase(self) -> str:
        """The role in a sentence: "invited you as a finance person"."""
        return {"owner": "an owner", "member": "a member", "finance": "a finance person"}[self.value]


class MembershipStatus(StrEnum):
    """Active members, people who asked to join and wait for an owner, and memberships ended by closing an account."""

    ACTIVE = "active"
    REQUESTED = "requested"
    ENDED = "ended"


# A declined request is deleted (so the person can ask again), never given a status: see decide_join_request.
# A membership ends only when its person closes their account (organisations/personal_data.py).
MEMBERSHIP_STATES = StateMachine(
    MembershipStatus,
    {
        MembershipStatus.REQUESTED: {MembershipStatus.ACTIVE, MembershipStatus.ENDED},
        MembershipStatus.ACTIVE: {MembershipStatus.ENDED},
    },
    "membership",
)


class Area(TimestampMixin, db.Model):
    """A UK upper-tier local authority area (adult social care), by GSS code."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    gss_code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    nation: Mapped[str] = mapped_column(String(20))

    def __repr__(self) -> str:
        return f"<Area {self.gss_code} {self.name}>"


organisation_areas = Table(
    "organisation_areas",
    db.Model.metadata,
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class Organisation(HasStatus, TimestampMixin, db.Model):
    """A council, NHS body or micro-enterprise."""

    __tablename__ = "organisations"
    __table_args__ = (Index("ix_organisations_created_at_id", "created_at", "id"),)  # the admin list's order
    STATES = ORGANISATION_STATES

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(String(20), default=OrgStatus.PENDING, index=True)
    legal_form: Mapped[str | None] = mapped_column(String(30))
    fte: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    postcode: Mapped[str | None] = mapped_column(String(10))
    registration_number: Mapped[str | None] = mapped_column(String(30))

    area = relationship("Area")
    served_areas = relationship("Area", secondary=organisation_areas, order_by="Area.name")
    memberships = relationship("Membership", back_populates="organisation", cascade="all, delete-orphan")

    @property
    def is_publisher(self) -> bool:
        return self.kind in PUBLISHER_KINDS

    @property
    def is_enterprise(self) -> bool:
        return self.kind == OrgKind.ENTERPRISE

    @property
    def is_approved(self) -> bool:
        return self.status == OrgStatus.APPROVED

    @property
    def can_be_decided(self) -> bool:
        """Whether a platform admin can still approve or reject it."""
        return self.can_become(OrgStatus.APPROVED)

    @property
    def kind_label(self) -> str:
        return OrgKind(self.kind).label

    @property
    def legal_form_label(self) -> str:
        return LegalForm(self.legal_form).label if self.legal_form else ""

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.kind} {self.name}>"


class Membership(HasStatus, TimestampMixin, db.Model):
    """A person's place in an organisation."""

    __tablename__ = "memberships"
    STATES = MEMBERSHIP_STATES
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default=MemberRole.MEMBER)
    status: Mapped[str] = mapped_column(String(10), default=MembershipStatus.ACTIVE)

    user = relationship("User", back_populates="memberships")
    organisation = relationship("Organisation", back_populates="memberships")

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def is_owner(self) -> bool:
        return self.is_active and self.role == MemberRole.OWNER

    @property
    def has_ended(self) -> bool:
        """Its person closed their account: kept for the records, shown nowhere."""
        return self.status == MembershipStatus.ENDED


class Invitation(TimestampMixin, db.Model):
    """A single-use invitation for an email address to join an organisation."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10), default=MemberRole.MEMBER)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    organisation = relationship("Organisation")
    invited_by = relationship("User")

    @property
    def role_phrase(self) -> str:
        """The role offered, in a sentence ("as a finance person")."""
        return MemberRole(self.role).phrase
