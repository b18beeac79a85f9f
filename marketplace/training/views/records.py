"""Training records and certificates: your own, your enterprise's staff's, a certificate's PDF, and the public check."""

from flask import Response, render_template, request
from flask_login import current_user

from ...core.pagination import CURSOR_ARG, keyset_page
from ...core.permissions import policy, public, signed_in
from ...organisations.models import Organisation
from ...organisations.permissions import organisation_for
from .. import certificates
from ..forms import VerifyCertificateForm
from ..models import TrainingRecord
from ..permissions import visible_record
from .blueprint import bp


@bp.route("/certificates/check")
@public
def verify_certificate():
    """Confirm a certificate by its number: the name on it, the course, issuer, dates, CPD and accreditation."""
    form = VerifyCertificateForm(request.args)
    searched = bool((form.number.data or "").strip())
    record = certificates.find_by_number(form.number.data) if searched else None
    return render_template(
        "training/manage/verify.html",
        form=form,
        searched=searched,
        record=record,
        validity=certificates.validity(record) if record else None,
        cpd_hours=certificates.cpd_hours(record) if record else None,
        title="Check a training certificate",
    )


@bp.route("/certificates/<int:record_id>.pdf")
@policy("record_viewer", load=visible_record)
def certificate_pdf(record: TrainingRecord):
    """A certificate as a PDF, for the person, their enterprise and the course's publisher."""
    return Response(
        certificates.certificate_pdf(record),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="certificate-{record.certificate_number}.pdf"'},
    )


@bp.route("/records")
@signed_in
def my_records():
    """The signed-in person's training records."""
    query = certificates.records_of_person(current_user)
    page = keyset_page(query, certificates.RECORDS_ORDER, request.args.get(CURSOR_ARG))
    return render_template(
        "training/manage/records.html", page=page, validity=certificates.validity, title="Your training records"
    )


@bp.route("/organisations/<int:org_id>/records")
@policy("enterprise_member", load=organisation_for)
def staff_records(organisation: Organisation):
    """An enterprise's staff training records and what expires in the next 90 days (its members only)."""
    return render_template(
        "training/manage/staff_records.html",
        organisation=organisation,
        page=keyset_page(
            certificates.records_of_organisation(organisation.id),
            certificates.RECORDS_ORDER,
            request.args.get(CURSOR_ARG),
        ),
        expiring=certificates.expiring_soon(organisation.id),
        days=certificates.EXPIRING_DAYS,
        validity=certificates.validity,
        title="Staff training records",
    )
