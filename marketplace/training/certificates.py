"""Training records and their certificates: lists, expiry, the PDF, and public checks by number."""

import re
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload

from ..core.clock import to_london, utcnow
from ..core.pdf import centred_line, check_here, framed_page
from ..core.template_helpers import format_date
from ..core.urls import links_context
from ..extensions import db
from .models import Course, TrainingRecord

EXPIRING_DAYS = 90


def _shown() -> tuple:
    """What a record is shown with wherever it is listed: its topic, and its course with the publisher."""
    return (joinedload(TrainingRecord.topic), joinedload(TrainingRecord.course).joinedload(Course.organisation))


def find_by_number(number: str) -> TrainingRecord | None:
    """The record with a certificate number, typed with or without the BSC- prefix, in any case or spacing."""
    cleaned = re.sub(r"[\s-]", "", (number or "").upper()[:40]).removeprefix("BSC")
    if not cleaned:
        return None
    query = select(TrainingRecord).where(TrainingRecord.certificate_number == f"BSC-{cleaned}").options(*_shown())
    return db.session.scalar(query)


def today() -> date:
    """Today's date in the UK."""
    return to_london(utcnow()).date()


def validity(record: TrainingRecord) -> str:
    """'Valid until 3 March 2027', 'Expired on …' or 'Does not expire'."""
    if record.expires_on is None:
        return "Does not expire"
    verb = "Valid until" if record.expires_on >= today() else "Expired on"
    return f"{verb} {format_date(record.expires_on)}"


# Newest first, then by id so the order is total (keyset pagination).
RECORDS_ORDER = (TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())


def records_of_person(user) -> Select:
    """A person's records, found by account or by the email address they were booked under."""
    query = select(TrainingRecord).where(
        or_(TrainingRecord.user_id == user.id, TrainingRecord.email == user.email.lower())
    )
    return query.options(*_shown()).order_by(*RECORDS_ORDER)


PROFILE_RECORDS = 10


def recent_records_of_person(user, limit: int = PROFILE_RECORDS) -> tuple[list[TrainingRecord], bool]:
    """The person's newest records (course, topic and publisher loaded with them) and whether there are more."""
    rows = list(db.session.scalars(records_of_person(user).limit(limit + 1)).unique())
    return rows[:limit], len(rows) > limit


def records_of_organisation(organisation_id: int) -> Select:
    """Every record of an enterprise's staff, newest first."""
    query = select(TrainingRecord).where(TrainingRecord.organisation_id == organisation_id)
    return query.options(*_shown()).order_by(*RECORDS_ORDER)


def expiring_soon(organisation_id: int, days: int = EXPIRING_DAYS) -> list[TrainingRecord]:
    """An enterprise's records that expire in the next `days` days, soonest first."""
    start = today()
    query = (
        select(TrainingRecord)
        .where(
            TrainingRecord.organisation_id == organisation_id,
            TrainingRecord.expires_on >= start,
            TrainingRecord.expires_on <= start + timedelta(days=days),
        )
        .options(*_shown())
    )
    return list(db.session.scalars(query.order_by(TrainingRecord.expires_on, TrainingRecord.person_name)))


def verification_url(record: TrainingRecord) -> str:
    """The public page that confirms this certificate, at the site's public address (never the request's Host)."""
    with links_context():
        return url_for("training.verify_certificate", number=record.certificate_number, _external=True)


def cpd_hours(record: TrainingRecord) -> str:
    """The course's CPD hours as people write them: '3', '1.5'."""
    return f"{float(record.course.cpd_hours or 0):g}"


def certificate_pdf(record: TrainingRecord) -> bytes:
    """An A4 landscape certificate with the person, course, dates, number and where to check it."""
    pdf = framed_page(f"Certificate {record.certificate_number}", landscape=True)
    centred_line(pdf, "Certificate of training", 26, style="B", top=28)
    centred_line(pdf, "This is to certify that", 14, top=50)
    centred_line(pdf, record.person_name, 24, style="B")
    centred_line(pdf, "completed", 14)
    centred_line(pdf, record.course.title, 20, style="B")
    pdf.ln(5)
    for text in _details(record):
        centred_line(pdf, text, 13)
    check_here(pdf, verification_url(record))
    return bytes(pdf.output())


def _details(record: TrainingRecord) -> tuple[str, ...]:
    """The certificate's facts, one line each."""
    course = record.course
    accreditation = f"   Accreditation: {course.accreditation}" if course.accreditation else ""
    return (
        f"Topic: {record.topic.name}",
        f"Provided by: {course.organisation.name}",
        f"Completed on: {format_date(record.completed_on)}",
        f"Expires: {format_date(record.expires_on) if record.expires_on else 'Does not expire'}",
        f"CPD hours: {cpd_hours(record)}{accreditation}",
        f"Certificate number: {record.certificate_number}",
    )
