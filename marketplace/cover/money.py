"""What relief cover asks of the payments core: tell an enterprise when a cover charge on its saved card fails."""

from flask import url_for
from sqlalchemy import select

from ..core.money import format_pence
from ..core.notifications import notify_each
from ..extensions import db
from ..organisations.models import MemberRole, Membership, MembershipStatus

MONEY_ROLES = (MemberRole.OWNER, MemberRole.FINANCE)


def charge_failed(payment, _order) -> None:
    """A cover charge on the enterprise's saved card was declined: its owners and finance people are told."""
    people = select(Membership.user_id).where(
        Membership.organisation_id == payment.payer_organisation_id,
        Membership.role.in_(MONEY_ROLES),
        Membership.status == MembershipStatus.ACTIVE,
    )
    notify_each(
        db.session.scalars(people),
        "cover_charge_failed",
        title=f"Your card was declined for a relief cover charge of {format_pence(payment.amount_pence)}",
        body="Save another card on your cover requests page and we will try again.",
        link=url_for("cover.cover_requests", org_id=payment.payer_organisation_id, _external=True),
        key=f"cover-charge-failed-{payment.id}",
    )
