"""An invoice as a PDF (fpdf2): reference, dates, payer, payee, lines, credits, what is owed and how to pay it."""

from fpdf import FPDF

from ..core.money import format_pence
from ..core.template_helpers import format_date
from .payee import HowToPay, how_to_pay
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


def _line(pdf: FPDF, text: str, *, bold: bool = False, size: int = 11) -> None:
    """One line (or a wrapped paragraph) of text across the page."""
    pdf.set_font("Helvetica", "B" if bold else "", size)
    pdf.multi_cell(0, 7, _text(text), new_x="LMARGIN", new_y="NEXT")


def _how_to_pay(pdf: FPDF, how: HowToPay, owed: int) -> None:
    """The payee's bank details and/or payment link, the reference to quote and the due date."""
    pdf.ln(6)
    _line(pdf, "How to pay", bold=True, size=14)
    details = how.details
    if details is None:
        _line(pdf, f"{how.contact_words} {how.reference_words}")
        return
    rows = [("Amount to pay", format_pence(owed)), ("Due by", format_date(how.due_on) if how.due_on else "")]
    rows.append(("Payee name", details.payee_name))
    if details.sort_code:
        rows += [("Sort code", details.sort_code_shown), ("Account number", details.account_number)]
    if details.payment_link:
        rows.append(("Pay online", details.payment_link))
    rows.append(("Reference to quote", how.reference))
    for label, value in rows:
        if value:
            _line(pdf, f"{label}: {value}")
    _line(pdf, how.reference_words)


def _payee_footer(pdf: FPDF, how: HowToPay) -> None:
    """Who the invoice is from: address, payment terms and what it says about VAT."""
    details = how.details
    if details is None:
        return
    pdf.ln(6)
    _line(pdf, how.payee, bold=True)
    for line in details.address_lines:
        _line(pdf, line)
    _line(pdf, f"{how.terms_words}.")
    if details.vat_wording:
        _line(pdf, details.vat_wording)


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
    how = how_to_pay(payment)
    details = (
        ("Invoice date", format_date(how.issued_on)),
        ("Due by", format_date(payment.due_on) if payment.due_on else ""),
        ("From", how.payee),
        ("To", payer_name(payment)),
        ("Status", payment.status_label),
        ("Paid on", format_date(payment.paid_at) if payment.paid_at else ""),
    )
    for label, value in details:
        if value:
            pdf.cell(0, 7, _text(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    _row(pdf, "Description", "Amount", bold=True)
    _row(pdf, payment.description, format_pence(payment.amount_pence, free_word="£0"))
    for refund in payment.credits:
        _row(pdf, f"Credit: {refund.reason}", f"-{format_pence(refund.amount_pence)}")
    pdf.ln(2)
    owed = amount_owed(payment)
    _row(pdf, "Amount owed", format_pence(owed, free_word="£0"), bold=True)
    if owed:
        _how_to_pay(pdf, how, owed)
    _payee_footer(pdf, how)
    return bytes(pdf.output())
