"""Invoice provider: an invoice with a unique reference; the publisher's finance people mark it paid."""

from ...core.clock import utcnow
from ...core.money import format_pence
from ..models import PaymentStatus, RefundStatus
from .base import PaymentProvider, RefundRequest, RefundResult


class InvoiceProvider(PaymentProvider):
    """Orders are confirmed at once; the invoice records what is owed until it is marked paid. Payouts are listed
    for the paying organisation's payroll (pays_out_by_transfer is False), and a charge made later is an invoice."""

    name = "invoice"
    confirms_on_order = True
    issues_invoice = True
    marked_paid_by_hand = True
    credits_unpaid = True

    def on_created(self, payment) -> None:
        """Raise the invoice: it takes its reference from the payment's id."""
        payment.invoice_reference = f"BSP-{utcnow():%Y}-{payment.id:06d}"

    def refund(self, payment, request: RefundRequest) -> RefundResult:
        """A credit against an unpaid invoice is done at once; money owed back on a paid one waits to be sent."""
        if self.refund_needs_person(payment):
            return RefundResult(RefundStatus.PENDING)
        return RefundResult(RefundStatus.SUCCEEDED)

    def refund_needs_person(self, payment) -> bool:
        """Once the invoice was paid, the payee's finance people send the money back themselves."""
        return payment.paid_at is not None

    def refund_words(self, payment, amount_pence: int) -> str:
        """Unpaid: the amount comes off the invoice; paid: a refund."""
        if payment.status == PaymentStatus.PENDING:
            money = format_pence(amount_pence)
            return f"You will not have to pay: we will take {money} off invoice {payment.invoice_reference}."
        return super().refund_words(payment, amount_pence)

    def refunded_words(self, payment, amount_pence: int) -> str:
        """Never paid: the amount came off the invoice; paid: a refund."""
        if payment.paid_at is None:
            return f"We have taken {format_pence(amount_pence)} off invoice {payment.invoice_reference}."
        return f"{_payee_name(payment)} will refund {format_pence(amount_pence)} to you."

    def sent_words(self, payment, amount_pence: int) -> str:
        """The payee's finance people recorded that they sent the money back."""
        return f"{_payee_name(payment)} has sent your refund of {format_pence(amount_pence)}."

    def owed_words(self, payment, amount_pence: int) -> str:
        """What is still to pay, and the invoice to pay it against."""
        return f"You still need to pay {format_pence(amount_pence)} (invoice {payment.invoice_reference})."

    def order_words(self, payer_name: str) -> str:
        """The order is invoiced to the payer as soon as it is confirmed."""
        return f"By invoice to {payer_name}. We email you the invoice when you confirm."


def _payee_name(payment) -> str:
    """Who the invoice is from, and so who sends a refund back."""
    return payment.payee_organisation.name if payment.payee_organisation else "Backstop"
