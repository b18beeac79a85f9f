"""Who a person is to an organisation (member, owner, finance, member of a publisher), each defined once here,
the policies built on them, and the one getter for an organisation you belong to."""

from ..core.permissions import allows as allows
from ..core.permissions import is_admin, is_signed_in, register_policy
from ..core.permissions import require as require  # services import it from here: these policies are loaded
from ..extensions import db
from .models import MemberRole, Organisation

FINANCE_ROLES = (MemberRole.OWNER, MemberRole.FINANCE)


def active_memberships(user) -> list:
    """The person's active memberships (not pending join requests)."""
    if not is_signed_in(user):
        return []
    return [m for m in user.memberships if m.is_active]


def enterprise_memberships(user) -> list:
    """Active memberships of enterprises."""
    return [m for m in active_memberships(user) if m.organisation.is_enterprise]


def publisher_memberships(user) -> list:
    """Active memberships of councils and NHS bodies (approved or still pending)."""
    return [m for m in active_memberships(user) if m.organisation.is_publisher]


def is_entrepreneur(user) -> bool:
    """Belongs to an enterprise."""
    return bool(enterprise_memberships(user))


def is_publisher(user) -> bool:
    """Belongs to a council or NHS body."""
    return bool(publisher_memberships(user))


def membership_in(user, organisation):
    """The person's active membership of an organisation, or None."""
    return next((m for m in active_memberships(user) if m.organisation_id == organisation.id), None)


def is_member(user, organisation) -> bool:
    """An active member of the organisation, whatever their role."""
    return organisation is not None and membership_in(user, organisation) is not None


def is_owner(user, organisation) -> bool:
    """Owners manage an organisation's details and members."""
    membership = membership_in(user, organisation) if organisation is not None else None
    return membership is not None and membership.is_owner


def is_finance(user, organisation) -> bool:
    """Owners and finance people handle an organisation's money (record that its invoices were paid)."""
    membership = membership_in(user, organisation) if organisation is not None else None
    return membership is not None and membership.role in FINANCE_ROLES


def is_enterprise_member(user, organisation) -> bool:
    """A member of the enterprise."""
    return organisation is not None and organisation.is_enterprise and is_member(user, organisation)


def is_publisher_member(user, organisation) -> bool:
    """A member of the council or NHS body (approved or still pending)."""
    return organisation is not None and organisation.is_publisher and is_member(user, organisation)


def can_publish(user, organisation) -> bool:
    """Publishes for an approved council or NHS body it belongs to."""
    return is_publisher_member(user, organisation) and organisation.is_approved


def can_view_organisation(user, organisation) -> bool:
    """Members and platform admins see an organisation's private details."""
    return is_admin(user) or is_member(user, organisation)


def is_invitee(user, invitation) -> bool:
    """The invitation was sent to the person's email address."""
    return is_signed_in(user) and invitation.email == user.email


def organisation_for(org_id: int, user) -> Organisation | None:
    """The organisation if the person belongs to it (platform admins see every one); None hides it from others."""
    organisation = db.session.get(Organisation, org_id)
    return organisation if organisation is not None and can_view_organisation(user, organisation) else None


register_policy("organisation_viewer", can_view_organisation, refuse=404)
register_policy("organisation_member", is_member, refuse=404)
register_policy("organisation_owner", is_owner)
register_policy("organisation_finance", is_finance)
register_policy("enterprise_member", is_enterprise_member, refuse=404)
register_policy("publisher_member", is_publisher_member, refuse=404)
register_policy("publisher", can_publish, within="publisher_member")
register_policy("invitee", is_invitee, refuse=404)
