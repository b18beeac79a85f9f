"""Insurance on the dashboard: an owner or finance person whose enterprise's pledge needs a card, or whose card was
declined for a premium (one query, none for people with no such role)."""

from flask import url_for
from sqlalchemy import and_, exists, or_, select

from ..core.features import NavLink, Task
from ..extensions import db
from ..organisations import permissions as org
from ..organisations.models import MemberRole
from ..payments.models import SavedPaymentMethod
from ..payments.saved_methods import needs_saved_method
from .models import Enrolment, Scheme
from .statuses import EnrolmentStatus


def insurance_tasks(user) -> list[Task]:
    organisations = [
        m.organisation_id for m in org.enterprise_memberships(user) if m.role in (MemberRole.OWNER, MemberRole.FINANCE)
    ]
    if not organisations:
        return []
    saved = exists().where(
        SavedPaymentMethod.organisation_id == Enrolment.organisation_id,
        SavedPaymentMethod.payment_method_reference.is_not(None),
    )
    wanting = Enrolment.charge_failed_at.is_not(None)
    if needs_saved_method():
        wanting = or_(wanting, and_(Enrolment.invoice_mandate_at.is_(None), ~saved))
    query = (
        select(Enrolment.scheme_id, Enrolment.charge_failed_at, Scheme.name)
        .join(Scheme, Scheme.id == Enrolment.scheme_id)
        .where(Enrolment.organisation_id.in_(organisations), Enrolment.status == EnrolmentStatus.PLEDGED, wanting)
        .order_by(Enrolment.id)
        .limit(5)
    )
    tasks = []
    for scheme_id, failed_at, name in db.session.execute(query):
        link = url_for("insurance.show_scheme", scheme_id=scheme_id)
        if failed_at is not None:
            tasks.append(
                Task(f"Save another card for your {name} premium", link, "Your card was declined", "Overdue", "red")
            )
        else:
            tasks.append(
                Task(f"Save a card for your {name} pledge", link, "It is charged only if the scheme goes ahead")
            )
    return tasks


def insurance_links(user) -> list[NavLink]:
    """Insurance schemes for everyone; each publisher's own schemes."""
    links = [NavLink("Insurance schemes", "insurance.schemes_list")]
    for membership in org.publisher_memberships(user):
        name = membership.organisation.name
        values = {"org_id": membership.organisation_id}
        links.append(NavLink(f"Insurance schemes of {name}", "insurance.manage_schemes", values))
    return links
