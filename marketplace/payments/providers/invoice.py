"""Invoice provider: an invoice with a unique reference; the publisher's finance people mark it paid."""

from ..models import RefundStatus


class InvoiceProvider:
    """Orders are confirmed at once; the invoice records what is owed until it is marked paid."""

    name = "invoice"
    confirms_on_order = True

    def start(self, payment, request) -> str | None:
        """Raise the invoice: its reference is set by the payments service; nothing to redirect to."""
        return None

    def refund(self, payment, refund) -> None:
        """A credit against the invoice (or money owed back if it was paid), settled outside the service."""
        refund.status = RefundStatus.SUCCEEDED

    def cancel(self, payment) -> None:
        """Nothing to stop: an unpaid invoice is simply cancelled."""
