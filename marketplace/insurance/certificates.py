"""Certificates of insurance: the PDF an active member downloads, and the public check by member number that shows
a third party only what it needs (the business, its cover and limits, the dates, valid today or not)."""

import re
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..core.clock import today
from ..core.money import format_pence
from ..core.pdf import centred_line, check_here, framed_page
from ..core.template_helpers import format_date
from ..extensions import db
from .models import Enrolment, Scheme
from .statuses import EnrolmentStatus


def find_by_number(number: str) -> Enrolment | None:
    """The enrolment with a member number, typed with or without the BKI- prefix, in any case or spacing."""
    cleaned = re.sub(r"[\s-]", "", (number or "").upper()[:40]).removeprefix("BKI")
    if not cleaned:
        return None
    shown = (
        joinedload(Enrolment.organisation),
        joinedload(Enrolment.scheme).options(selectinload(Scheme.cover_lines), joinedload(Scheme.organisation)),
    )
    return db.session.scalar(select(Enrolment).where(Enrolment.member_number == f"BKI-{cleaned}").options(*shown))


@dataclass(frozen=True)
class Check:
    valid: bool
    words: str  # "Valid: covered from 1 April 2027 to 31 March 2028", "Not valid: ..."


def check(enrolment: Enrolment) -> Check:
    """Whether the member is covered today, in words."""
    span = f"{format_date(enrolment.cover_starts)} to {format_date(enrolment.cover_ends)}"
    now = today()
    if enrolment.status == EnrolmentStatus.ACTIVE and enrolment.cover_starts <= now <= enrolment.cover_ends:
        return Check(True, f"Valid: covered from {span}")
    if enrolment.status == EnrolmentStatus.ACTIVE and now < enrolment.cover_starts:
        return Check(False, f"Not yet valid: cover starts on {format_date(enrolment.cover_starts)}")
    if enrolment.status == EnrolmentStatus.LAPSED:
        return Check(False, "Not valid: the premium has not been paid")
    return Check(
        False, f"Not valid: this cover was for {span} and has ended" if enrolment.cover_starts else "Not valid"
    )


def verification_url(enrolment: Enrolment) -> str:
    return url_for("insurance.verified", number=enrolment.member_number, _external=True)


def certificate_pdf(enrolment: Enrolment) -> bytes:
    """An A4 certificate: the business, the scheme and insurer, each cover line with its limit and excess, the
    period, the member number, and where (and a QR code) to check it."""
    scheme = enrolment.scheme
    pdf = framed_page(f"Certificate of insurance {enrolment.member_number}", landscape=False)
    centred_line(pdf, "Certificate of insurance", 24, style="B", top=24)
    centred_line(pdf, enrolment.organisation.name, 18, style="B", top=42)
    centred_line(pdf, f"is a member of {scheme.name}", 13)
    centred_line(pdf, f"Insurer: {scheme.insurer_name} (FCA firm reference {scheme.insurer_frn})", 11)
    if scheme.broker_name:
        centred_line(pdf, f"Arranged by {scheme.broker_name} (FCA firm reference {scheme.broker_frn})", 11)
    centred_line(pdf, f"Offered by {scheme.organisation.name}", 11)
    pdf.ln(4)
    for line in scheme.cover_lines:
        centred_line(
            pdf,
            f"{line.label}: limit {format_pence(int(line.limit_pence))}, excess {format_pence(line.excess_pence, free_word='none')}",
            12,
        )
    pdf.ln(4)
    centred_line(
        pdf, f"Covered from {format_date(enrolment.cover_starts)} to {format_date(enrolment.cover_ends)}", 13, style="B"
    )
    centred_line(pdf, f"Member number: {enrolment.member_number}", 13, style="B")
    check_here(pdf, verification_url(enrolment))
    return bytes(pdf.output())
