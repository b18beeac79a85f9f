"""An invoice as a PDF (fpdf2): reference, payer, payee, lines, credits and what is owed."""

from fpdf import FPDF

from ..core.money import format_pence
from ..core.template_helpers import format_date
from .services import amount_owed


def _text(value) -> str:
    """The PDF's built-in font covers Latin-1 only; anything else becomes '?' rather than failing."""
    return str(value).encode("latin-1", "replace").decode("latin-1")


def payer_name(payment) -> str:
    """Who pays: the organisation, or the person."""
    return payment.payer_name


def _row(pdf: FPDF, label: str, value: str, *, bold: bool = False) -> None:
    """A label on the left, an amount on the right."""
    pdf.set_font("Helvetica", "B" if bold else "", 11)
    pdf.cell(130, 8, _text(label)[:70])
    pdf.cell(0, 8, _text(value), align="R", new_x="LMARGIN", new_y="NEXT")


def render(payment) -> bytes:
    """The invoice PDF's bytes (uncompressed: it is one short page)."""
    pdf = FPDF()
    pdf.compress = False
    pdf.set_title(_text(f"Invoice {payment.invoice_reference}"))
    pdf.set_author("Backstop")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, _text(f"Invoice {payment.invoice_reference}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    details = (
        ("Date", format_date(payment.created_at)),
        ("From", payment.payee_organisation.name if payment.payee_organisation else "Backstop"),
        ("To", payer_name(payment)),
        ("Status", payment.status_label),
    )
    for label, value in details:
        pdf.cell(0, 7, _text(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    _row(pdf, "Description", "Amount", bold=True)
    _row(pdf, payment.description, format_pence(payment.amount_pence, free_word="£0"))
    for refund in payment.credits:
        _row(pdf, f"Credit: {refund.reason}", f"-{format_pence(refund.amount_pence)}")
    pdf.ln(2)
    _row(pdf, "Amount owed", format_pence(amount_owed(payment), free_word="£0"), bold=True)
    return bytes(pdf.output())
