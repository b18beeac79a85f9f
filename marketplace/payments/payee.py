"""How a publisher is paid: its payee details (bank details and/or a payment link, terms, VAT wording, address),
the rules they keep, the due date they give an invoice, and what an invoice says about how to pay it."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import select

from ..core import audit
from ..core.clock import to_london, utcnow
from ..core.errors import DomainError
from ..core.notifications import notify_each
from ..extensions import db
from .models import PayeeDetails, Payment
from .permissions import require
from .refunds_to_send import finance_people

DEFAULT_TERMS_DAYS = 30  # an invoice from a publisher that has not said its terms yet
MIN_TERMS_DAYS, MAX_TERMS_DAYS = 1, 120

SORT_CODE_MESSAGE = "Enter a sort code like 309430"
ACCOUNT_NUMBER_MESSAGE = "Enter an account number with 8 digits"
LINK_MESSAGE = "Enter a payment link that starts with https://, like https://pay.example.gov.uk/invoices"
TERMS_MESSAGE = f"Payment terms must be between {MIN_TERMS_DAYS} and {MAX_TERMS_DAYS} days"
NEED_ACCOUNT = "Enter the account number as well as the sort code"
NEED_SORT_CODE = "Enter the sort code as well as the account number"
NEED_A_WAY = "Enter a sort code and account number, or a payment link"

_SEPARATORS = re.compile(r"[\s-]+")
_LINK = re.compile(r"^https://[^\s/?#@]+\.[^\s/?#@]+(?:[/?#]\S*)?$", re.IGNORECASE)

FIELDS = ("payee_name", "sort_code", "account_number", "payment_link", "terms_days", "vat_wording", "address")


def digits_only(value: str | None) -> str | None:
    """A sort code or account number as typed ('30-94-30', '3094 30') without its spaces and dashes."""
    return _SEPARATORS.sub("", value) if value else value


def sort_code_problem(value: str | None) -> str | None:
    """Why a sort code (spaces and dashes removed) is not one, or None."""
    return None if not value or (len(value) == 6 and value.isascii() and value.isdigit()) else SORT_CODE_MESSAGE


def account_number_problem(value: str | None) -> str | None:
    """Why an account number (spaces and dashes removed) is not one, or None."""
    return None if not value or (len(value) == 8 and value.isascii() and value.isdigit()) else ACCOUNT_NUMBER_MESSAGE


def link_problem(value: str | None) -> str | None:
    """Why a payment link is not a secure web address, or None."""
    return None if not value or _LINK.match(value) else LINK_MESSAGE


def terms_problem(value: int | None) -> str | None:
    """Why payment terms (whole days) are out of range, or None."""
    return None if value is not None and MIN_TERMS_DAYS <= value <= MAX_TERMS_DAYS else TERMS_MESSAGE


def way_to_pay_problems(sort_code: str | None, account_number: str | None, payment_link: str | None) -> dict:
    """Bank details are whole (both parts or neither), and there is at least one way to pay: {field: message}."""
    if sort_code and not account_number:
        return {"account_number": NEED_ACCOUNT}
    if account_number and not sort_code:
        return {"sort_code": NEED_SORT_CODE}
    if not sort_code and not payment_link:
        return {"sort_code": NEED_A_WAY}
    return {}


def problems(values: dict) -> dict[str, str]:
    """Every rule payee details keep, as {field: message} (empty when they keep them all)."""
    found = {
        "payee_name": None if values.get("payee_name") else "Enter the payee name",
        "address": None if values.get("address") else "Enter the postal address",
        "sort_code": sort_code_problem(values.get("sort_code")),
        "account_number": account_number_problem(values.get("account_number")),
        "payment_link": link_problem(values.get("payment_link")),
        "terms_days": terms_problem(values.get("terms_days")),
    }
    found = {field: message for field, message in found.items() if message}
    for field, message in way_to_pay_problems(
        values.get("sort_code"), values.get("account_number"), values.get("payment_link")
    ).items():
        found.setdefault(field, message)
    return found


def details_for(organisation) -> PayeeDetails | None:
    """The organisation's payee details, or None if it has not given them yet."""
    if organisation is None:
        return None
    return db.session.scalar(select(PayeeDetails).where(PayeeDetails.organisation_id == organisation.id))


def _clean(values: dict) -> dict:
    """Text stripped (blank is no answer); sort code and account number without spaces or dashes."""
    clean = {}
    for field in FIELDS:
        value = values.get(field)
        if isinstance(value, str):
            value = value.strip() or None
        clean[field] = value
    clean["sort_code"] = digits_only(clean["sort_code"])
    clean["account_number"] = digits_only(clean["account_number"])
    return clean


def save_payee_details(organisation, actor, **values) -> PayeeDetails:
    """Record (or change) how a publisher is paid; audited with what changed, and the organisation's other finance
    people are told when the bank details or payment link change (a changed account is what invoice fraud does)."""
    require(actor, "payee_details_editor", organisation)
    values = _clean(values)
    found = problems(values)
    if found:
        raise DomainError(next(iter(found.values())))
    details = details_for(organisation)
    old = {field: getattr(details, field) for field in FIELDS} if details else {}
    if details is None:
        details = PayeeDetails(organisation_id=organisation.id)
        db.session.add(details)
    changed = sorted(field for field in FIELDS if old.get(field) != values[field])
    if not changed:
        return details
    for field in FIELDS:
        setattr(details, field, values[field])
    details.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "payment.payee_details_saved",
        obj=details,
        organisation=organisation,
        actor=actor,
        changed=changed,
        old={field: old[field] for field in changed if field in old},
        new={field: values[field] for field in changed},
    )
    if old and {"sort_code", "account_number", "payment_link"} & set(changed):
        others = [person for person in finance_people(organisation) if person.id != actor.id]
        notify_each(
            others,
            "payee_details_changed",
            title=f"{actor.name} changed how {organisation.name} is paid",
            body="The bank details or payment link on its invoices changed. If you did not expect this, check them now.",
            link=url_for("payments.payee_details", org_id=organisation.id, _external=True),
        )
    return details


def due_date(payee_organisation, issued_on: date) -> date:
    """When an invoice issued on issued_on must be paid: the payee's terms (30 days until it gives them)."""
    details = details_for(payee_organisation)
    return issued_on + timedelta(days=details.terms_days if details else DEFAULT_TERMS_DAYS)


def issue_date(payment: Payment) -> date:
    """The day the invoice was issued (UK calendar)."""
    return to_london(payment.created_at or utcnow()).date()


@dataclass(frozen=True)
class HowToPay:
    """What an invoice (page, PDF, email) says about paying it."""

    payee: str  # the organisation the invoice is from
    reference: str
    issued_on: date
    due_on: date | None
    details: PayeeDetails | None  # None: the payee has not said how to pay yet

    @property
    def contact_words(self) -> str:
        """What the invoice says when the payee has not given its payment details."""
        return f"Contact {self.payee} for how to pay."

    @property
    def reference_words(self) -> str:
        return f"Quote the reference {self.reference} when you pay."

    @property
    def terms_words(self) -> str:
        """'Payment terms: 30 days' (when the payee gave them)."""
        if self.details is None:
            return ""
        days = self.details.terms_days
        return f"Payment terms: {days} day{'s' if days != 1 else ''}"


def how_to_pay(payment: Payment) -> HowToPay:
    """How to pay this invoice, from the payee's current details (the due date was fixed when it was issued)."""
    organisation = payment.payee_organisation
    return HowToPay(
        payee=organisation.name if organisation else "Backstop",
        reference=payment.invoice_reference or "",
        issued_on=issue_date(payment),
        due_on=payment.due_on,
        details=details_for(organisation),
    )
