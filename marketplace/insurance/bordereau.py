"""The insurer's bordereau: every member of a scheme with what the insurer needs (business, postcode, staff, cover
lines and limits, premium, dates), as a spreadsheet the publisher sends on. Every download is audited."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core import audit
from ..core.money import format_pence
from ..core.spreadsheets import csv_text
from ..extensions import db
from .models import Enrolment, Scheme
from .permissions import require
from .statuses import EnrolmentStatus

HEADER = (
    "Member number",
    "Business",
    "Legal form",
    "Postcode",
    "Full-time staff",
    "Cover lines",
    "Annual price",
    "Subsidy",
    "Premium charged",
    "Cover starts",
    "Cover ends",
    "Status",
)
LISTED = (EnrolmentStatus.ACTIVE, EnrolmentStatus.LAPSED, EnrolmentStatus.CANCELLED, EnrolmentStatus.EXPIRED)


def _money(pence) -> str:
    return format_pence(pence, free_word="£0") if pence is not None else ""


def bordereau_csv(scheme: Scheme, actor) -> str:
    """Members who have been covered (active, lapsed, cancelled after cover, expired), first covered first."""
    require(actor, "scheme_manager", scheme)
    query = (
        select(Enrolment)
        .where(Enrolment.scheme_id == scheme.id, Enrolment.status.in_(LISTED), Enrolment.activated_at.is_not(None))
        .options(joinedload(Enrolment.organisation))
        .order_by(Enrolment.activated_at, Enrolment.id)
    )
    lines = "; ".join(f"{line.label} {format_pence(int(line.limit_pence))}" for line in scheme.cover_lines)
    rows = [
        (
            enrolment.member_number,
            enrolment.organisation.name,
            enrolment.organisation.legal_form or "",
            enrolment.organisation.postcode or "",
            enrolment.organisation.fte if enrolment.organisation.fte is not None else "",
            lines,
            _money(enrolment.annual_price_pence),
            _money(enrolment.subsidy_pence),
            _money(enrolment.premium_pence),
            enrolment.cover_starts.isoformat() if enrolment.cover_starts else "",
            enrolment.cover_ends.isoformat() if enrolment.cover_ends else "",
            enrolment.status,
        )
        for enrolment in db.session.scalars(query)
    ]
    audit.record(
        "insurance_scheme.bordereau_downloaded",
        obj=scheme,
        organisation=scheme.organisation,
        actor=actor,
        rows=len(rows),
    )
    db.session.commit()
    return csv_text(HEADER, rows)
