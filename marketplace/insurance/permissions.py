"""Who a person is in insurance (the scheme's publisher, an enterprise's owner), defined once here; the scoped
getters and the policies routes and services name."""

from sqlalchemy.orm import joinedload, selectinload

from ..core.permissions import is_signed_in, register_policy
from ..core.permissions import require as require  # services import it from here: insurance's policies are loaded
from ..extensions import db
from ..organisations import permissions as org
from .eligibility import who_reasons
from .models import Enrolment, Scheme
from .statuses import SchemeStatus


def manages_scheme(user, scheme: Scheme) -> bool:
    """Publishes for the approved council or NHS body that offers the scheme."""
    return org.can_publish(user, scheme.organisation)


def _shown():
    return (
        selectinload(Scheme.areas),
        selectinload(Scheme.cover_lines),
        selectinload(Scheme.tiers),
        selectinload(Scheme.questions),
    )


def managed_scheme(scheme_id: int, user) -> Scheme | None:
    """A scheme the person's body offers, with what its pages show."""
    scheme = db.session.get(Scheme, scheme_id, options=_shown())
    return scheme if scheme is not None and manages_scheme(user, scheme) else None


def managed_scheme_for_sheet(scheme_id: int, user) -> Scheme | None:
    """A scheme the person's body offers, with only what its spreadsheet needs (its body and cover lines)."""
    shown = (joinedload(Scheme.organisation), selectinload(Scheme.cover_lines))
    scheme = db.session.get(Scheme, scheme_id, options=shown)
    return scheme if scheme is not None and manages_scheme(user, scheme) else None


def visible_scheme(scheme_id: int, user) -> Scheme | None:
    """Any scheme past its draft (anyone may read about it), or a draft of the person's own body."""
    scheme = db.session.get(Scheme, scheme_id, options=_shown())
    if scheme is None or (scheme.status == SchemeStatus.DRAFT and not manages_scheme(user, scheme)):
        return None
    return scheme


def may_read_wording(user, scheme: Scheme) -> bool:
    """The policy wording is for the scheme's publisher and the people of enterprises it is for."""
    if not is_signed_in(user):
        return False
    if manages_scheme(user, scheme):
        return True
    return any(not who_reasons(scheme, m.organisation) for m in org.enterprise_memberships(user))


def owns_enrolment(user, enrolment: Enrolment) -> bool:
    """An owner of the enrolled enterprise."""
    return org.is_owner(user, enrolment.organisation)


def sees_enrolment(user, enrolment: Enrolment) -> bool:
    """The enterprise's people and the scheme's publisher."""
    return org.is_enterprise_member(user, enrolment.organisation) or manages_scheme(user, enrolment.scheme)


register_policy("scheme_manager", manages_scheme, refuse=404)
register_policy("wording_reader", may_read_wording, refuse=404)
register_policy("enrolment_owner", owns_enrolment, refuse=404)
register_policy("enrolment_viewer", sees_enrolment, refuse=404)
