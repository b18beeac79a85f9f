"""Payment pages: invoices (on screen and PDF), an organisation's invoices, and marking them paid."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core import permissions
from ..core.errors import DomainError
from ..core.pagination import paginate
from ..extensions import db
from ..organisations.models import Organisation
from . import invoice_pdf, services
from .models import Payment, PaymentStatus

bp = Blueprint("payments", __name__, url_prefix="/payments")

STATUS_FILTERS = {
    "": "All invoices",
    PaymentStatus.PENDING.value: "Awaiting payment",
    PaymentStatus.SUCCEEDED.value: "Paid",
    PaymentStatus.PARTIALLY_REFUNDED.value: "Paid, partly refunded",
    PaymentStatus.REFUNDED.value: "Refunded",
    PaymentStatus.CANCELLED.value: "Cancelled",
}


def _invoice_or_404(payment_id: int) -> Payment:
    """An invoice the current person may see: payer or payee side; 404 for everyone else."""
    payment = db.session.get(Payment, payment_id)
    if payment is None or payment.provider != "invoice" or not permissions.can_view_payment(current_user, payment):
        abort(404)
    return payment


def _may_mark_paid(payment: Payment) -> bool:
    """Owners and finance people of the organisation the invoice is payable to."""
    payee = payment.payee_organisation
    return payee is not None and permissions.can_manage_payments(current_user, payee)


@bp.route("/invoices/<int:payment_id>")
@login_required
def show_invoice(payment_id: int):
    """An invoice on screen: who pays whom, for what, credits and what is still owed."""
    payment = _invoice_or_404(payment_id)
    return render_template(
        "payments/invoice.html",
        payment=payment,
        payer=invoice_pdf.payer_name(payment),
        status=invoice_pdf.STATUS_WORDS.get(payment.status, payment.status),
        owed=services.amount_owed(payment),
        credits=[refund for refund in payment.refunds if refund.status != "failed"],
        can_mark_paid=payment.status == PaymentStatus.PENDING and _may_mark_paid(payment),
        title=f"Invoice {payment.invoice_reference}",
    )


@bp.route("/invoices/<int:payment_id>/invoice.pdf", endpoint="invoice_pdf")
@login_required
def invoice_pdf_file(payment_id: int):
    """The invoice as a PDF download."""
    payment = _invoice_or_404(payment_id)
    disposition = f'attachment; filename="{payment.invoice_reference}.pdf"'
    return Response(
        invoice_pdf.render(payment), mimetype="application/pdf", headers={"Content-Disposition": disposition}
    )


@bp.route("/organisations/<int:org_id>/invoices")
@login_required
def invoices(org_id: int):
    """Invoices an organisation raised (publishers) or received (enterprises), filtered by status."""
    organisation = db.session.get(Organisation, org_id)
    if organisation is None or permissions.membership_in(current_user, organisation) is None:
        abort(404)
    status = request.args.get("status", "")
    status = status if status in STATUS_FILTERS else ""
    page = paginate(services.invoices_query(organisation, status or None), request.args.get("page", 1, type=int))
    verb = "raised by" if organisation.is_publisher else "for"
    return render_template(
        "payments/invoices.html",
        organisation=organisation,
        page=page,
        status=status,
        statuses=STATUS_FILTERS,
        status_words=invoice_pdf.STATUS_WORDS,
        payer_name=invoice_pdf.payer_name,
        title=f"Invoices {verb} {organisation.name}",
    )


@bp.route("/invoices/<int:payment_id>/mark-paid", methods=["POST"])
@login_required
def mark_paid(payment_id: int):
    """Record that an invoice was paid (owners and finance people of the organisation that raised it)."""
    payment = _invoice_or_404(payment_id)
    if not _may_mark_paid(payment):
        abort(403)
    try:
        services.mark_invoice_paid(payment, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Invoice {payment.invoice_reference} is marked as paid.", "success")
    return redirect(url_for("payments.show_invoice", payment_id=payment_id))
