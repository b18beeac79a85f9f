"""Who may do what: role tests, route decorators and scoped getters, all in one place."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db


def active_memberships(user) -> list:
    """The person's active memberships (not pending join requests)."""
    if not user or not user.is_authenticated:
        return []
    return [m for m in user.memberships if m.is_active]


def enterprise_memberships(user) -> list:
    """Active memberships of enterprises."""
    return [m for m in active_memberships(user) if m.organisation.is_enterprise]


def publisher_memberships(user) -> list:
    """Active memberships of councils and NHS bodies (approved or still pending)."""
    return [m for m in active_memberships(user) if m.organisation.is_publisher]


def is_admin(user) -> bool:
    """A platform admin."""
    return bool(user and user.is_authenticated and user.is_admin)


def is_entrepreneur(user) -> bool:
    """Belongs to an enterprise."""
    return bool(enterprise_memberships(user))


def is_publisher(user) -> bool:
    """Belongs to a council or NHS body."""
    return bool(publisher_memberships(user))


def is_relief_worker(user) -> bool:
    """Has a relief worker profile."""
    return bool(user and user.is_authenticated and user.relief_profile is not None)


def can_publish(user, organisation) -> bool:
    """Publishes for an approved council or NHS body it belongs to."""
    return organisation.is_publisher and organisation.is_approved and membership_in(user, organisation) is not None


def membership_in(user, organisation):
    """The person's active membership of an organisation, or None."""
    for membership in active_memberships(user):
        if membership.organisation_id == organisation.id:
            return membership
    return None


def can_view_organisation(user, organisation) -> bool:
    """Members and platform admins see an organisation's private details."""
    return is_admin(user) or membership_in(user, organisation) is not None


def can_manage_organisation(user, organisation) -> bool:
    """Owners manage details and members."""
    membership = membership_in(user, organisation)
    return membership is not None and membership.is_owner


def can_manage_payments(user, organisation) -> bool:
    """Owners and finance people of an organisation record that its invoices were paid."""
    from ..organisations.models import MemberRole

    membership = membership_in(user, organisation)
    return membership is not None and membership.role in (MemberRole.OWNER, MemberRole.FINANCE)


def can_view_payment(user, payment) -> bool:
    """The payer (person or organisation members) and the payee organisation's members."""
    if not user or not user.is_authenticated:
        return False
    if payment.payer_user_id == user.id:
        return True
    organisations = (payment.payer_organisation, payment.payee_organisation)
    return any(org is not None and membership_in(user, org) is not None for org in organisations)


def admin_required(view):
    """Only platform admins; others get 403, anonymous people the sign-in page."""

    @login_required
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_admin(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def get_organisation_or_404(org_id: int, *, manage: bool = False):
    """The organisation if the current user belongs to it (404 otherwise); owners only when manage=True (403)."""
    from ..organisations.models import Organisation

    organisation = db.session.get(Organisation, org_id)
    if organisation is None or not can_view_organisation(current_user, organisation):
        abort(404)
    if manage and not can_manage_organisation(current_user, organisation):
        abort(403)
    return organisation


def get_owned_or_404(model, object_id: int, organisation):
    """An object of an organisation, found by id within that organisation only."""
    found = db.session.scalar(select(model).where(model.id == object_id, model.organisation_id == organisation.id))
    if found is None:
        abort(404)
    return found
