"""Payment pages: invoices (on screen and PDF), an organisation's invoices, marking them paid, and how a publisher
is paid (its payee details)."""

from datetime import date

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..core import security
from ..core.actions import attempt, submit
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.pagination import CURSOR_ARG, keyset_page
from ..core.permissions import allows, policy
from ..organisations.models import Organisation
from ..organisations.permissions import organisation_for
from . import invoice_pdf, payee, services
from .forms import PayeeDetailsForm
from .models import OVERDUE_WORD, Payment, PaymentStatus, RefundStatus
from .permissions import visible_invoice
from .providers import get_provider
from .refunds_to_send import record_refund_sent

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.record_once
def _allow_payment_pages(state) -> None:
    """Our forms may lead to the configured provider's hosted payment page (the CSP's form-action)."""
    security.allow_form_action(state.app, lambda: get_provider().form_action_origins())


LISTED = (
    PaymentStatus.PENDING,
    PaymentStatus.SUCCEEDED,
    PaymentStatus.PARTIALLY_REFUNDED,
    PaymentStatus.REFUNDED,
    PaymentStatus.CANCELLED,
)
STATUS_FILTERS = {
    "": "All invoices",
    PaymentStatus.PENDING.value: PaymentStatus.PENDING.label,
    services.OVERDUE: OVERDUE_WORD,
    **{status.value: status.label for status in LISTED[1:]},
}


@bp.route("/invoices/<int:payment_id>")
@policy("payment_viewer", load=visible_invoice)
def show_invoice(payment: Payment):
    """An invoice on screen: who pays whom, for what, credits and what is still owed."""
    return render_template(
        "payments/invoice.html",
        payment=payment,
        payer=invoice_pdf.payer_name(payment),
        owed=services.amount_owed(payment),
        how=payee.how_to_pay(payment),
        can_mark_paid=payment.status == PaymentStatus.PENDING and allows(current_user, "payee_finance", payment),
        can_record_sent=allows(current_user, "payee_finance", payment),
        pending=RefundStatus.PENDING,
        title=f"Invoice {payment.invoice_reference}",
    )


@bp.route("/invoices/<int:payment_id>/invoice.pdf", endpoint="invoice_pdf")
@policy("payment_viewer", load=visible_invoice)
def invoice_pdf_file(payment: Payment):
    """The invoice as a PDF download."""
    disposition = f'attachment; filename="{payment.invoice_reference}.pdf"'
    return Response(
        invoice_pdf.render(payment), mimetype="application/pdf", headers={"Content-Disposition": disposition}
    )


@bp.route("/organisations/<int:org_id>/invoices")
@policy("organisation_member", load=organisation_for)
def invoices(organisation: Organisation):
    """Invoices an organisation raised (publishers) or received (enterprises), filtered by status."""
    status = request.args.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    query = services.invoices_query(organisation, status or None)
    page = keyset_page(query, services.INVOICES_ORDER, request.args.get(CURSOR_ARG))
    verb = "raised by" if organisation.is_publisher else "for"
    return render_template(
        "payments/invoices.html",
        organisation=organisation,
        page=page,
        status=status,
        statuses=STATUS_FILTERS,
        payer_name=invoice_pdf.payer_name,
        title=f"Invoices {verb} {organisation.name}",
    )


@bp.route("/invoices/<int:payment_id>/mark-paid", methods=["POST"])
@policy("payee_finance", load=visible_invoice)
def mark_paid(payment: Payment):
    """Record that an invoice was paid (owners and finance people of the organisation that raised it)."""
    back = redirect(url_for("payments.show_invoice", payment_id=payment.id))
    success = f"Invoice {payment.invoice_reference} is marked as paid."
    attempt(lambda: services.mark_invoice_paid(payment, current_user), success=success)
    return back


def _sent_on(form) -> date:
    """The date the refund was sent, from the day, month and year fields (DomainError if it is not a real date)."""
    try:
        sent_on = date(int(form.get("year", "")), int(form.get("month", "")), int(form.get("day", "")))
    except ValueError as error:
        raise DomainError("Date sent must be a real date") from error
    if sent_on > utcnow().date():
        raise DomainError("Date sent must be today or in the past")
    return sent_on


@bp.route("/invoices/<int:payment_id>/refund-sent", methods=["POST"])
@policy("payee_finance", load=visible_invoice)
def record_sent(payment: Payment):
    """Record that a refund owed on a paid invoice was sent (the payee's owners and finance people)."""
    refund = next((row for row in payment.refunds if str(row.id) == request.form.get("refund_id")), None)
    if refund is None:
        abort(404)
    success = "The refund is recorded as sent."
    attempt(
        lambda: record_refund_sent(
            refund, current_user, sent_on=_sent_on(request.form), reference=request.form.get("reference", "")
        ),
        success=success,
    )
    return redirect(url_for("payments.show_invoice", payment_id=payment.id))


@bp.route("/organisations/<int:org_id>/payment-details", methods=["GET", "POST"])
@policy("payee_details_editor", load=organisation_for)
def payee_details(organisation: Organisation):
    """How a council or NHS body is paid: what its invoices tell payers (its owners and finance people)."""
    details = payee.details_for(organisation)
    form = PayeeDetailsForm(obj=details)
    save = lambda: payee.save_payee_details(organisation, current_user, **form.values())  # noqa: E731
    if submit(form, save, success=f"The payment details of {organisation.name} have been saved.").ok:
        return redirect(url_for("organisations.show", org_id=organisation.id))
    return render_template(
        "components/form_page.html",
        form=form,
        title=f"Payment details for {organisation.name}",
        lead="Payers see these on every invoice from you. Give bank details (sort code and account number), a "
        "payment link, or both.",
    )
