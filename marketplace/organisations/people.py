"""Who in an organisation hears about something: the ids of its active people in the given roles."""

from sqlalchemy import select

from ..extensions import db
from .models import MemberRole, Membership, MembershipStatus

MANAGERS = (MemberRole.OWNER, MemberRole.MEMBER)  # a council's people who run its offers
MONEY = (MemberRole.OWNER, MemberRole.FINANCE)  # an enterprise's people who deal with its payments


def people_of(organisation_id: int, roles=MANAGERS) -> list[int]:
    """The ids of the organisation's active members in these roles."""
    query = select(Membership.user_id).where(
        Membership.organisation_id == organisation_id,
        Membership.role.in_(roles),
        Membership.status == MembershipStatus.ACTIVE,
    )
    return list(db.session.scalars(query))
