"""Who may see a payment, who records that an invoice was paid and who says how a publisher is paid; the invoice
getter and the payment policies."""

from ..core.permissions import is_signed_in, register_policy
from ..core.permissions import require as require  # services import it from here: payments' policies are loaded
from ..extensions import db
from ..organisations import permissions as org
from .models import Payment
from .providers import provider_of


def can_view_payment(user, payment: Payment) -> bool:
    """The payer (the person, or members of the paying organisation) and the payee organisation's members."""
    if not is_signed_in(user):
        return False
    if payment.payer_user_id == user.id:
        return True
    return org.is_member(user, payment.payer_organisation) or org.is_member(user, payment.payee_organisation)


def is_payee_finance(user, payment: Payment) -> bool:
    """Owners and finance people of the organisation the payment is made to."""
    return org.is_finance(user, payment.payee_organisation)


def can_edit_payee_details(user, organisation) -> bool:
    """Owners and finance people of a council or NHS body say how it is paid (the details on its invoices)."""
    return organisation is not None and organisation.is_publisher and org.is_finance(user, organisation)


def visible_invoice(payment_id: int, user) -> Payment | None:
    """An invoice the person may see (payer or payee side), or None."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or not provider_of(payment).issues_invoice or not can_view_payment(user, payment):
        return None
    return payment


register_policy("payment_viewer", can_view_payment, refuse=404)
register_policy("payee_finance", is_payee_finance)
# Members of the publisher who may not change them get 403; anyone else (enterprises, outsiders) 404.
register_policy("payee_details_editor", can_edit_payee_details, within="publisher_member")
