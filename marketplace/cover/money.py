"""What relief cover asks of the payments core: tell an enterprise when a cover charge on its saved card fails."""

from flask import url_for

from ..core.money import format_pence
from ..core.notifications import notify_each
from ..organisations.people import MONEY, people_of


def charge_failed(payment, _order) -> None:
    """A cover charge on the enterprise's saved card was declined: its owners and finance people are told."""
    notify_each(
        people_of(payment.payer_organisation_id, MONEY),
        "cover_charge_failed",
        title=f"Your card was declined for a relief cover charge of {format_pence(payment.amount_pence)}",
        body="Save another card on your cover requests page and we will try again.",
        link=url_for("cover.cover_requests", org_id=payment.payer_organisation_id, _external=True),
        key=f"cover-charge-failed-{payment.id}",
    )
