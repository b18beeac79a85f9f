"""Insurance's pages: schemes anyone can read, joining for an enterprise's owners, certificates and their public
check, and the publisher's schemes."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core import uploads
from ..core.actions import attempt, submit
from ..core.permissions import allows, policy, public
from ..extensions import db
from ..organisations import permissions as org
from ..organisations.areas import area_choices
from ..organisations.permissions import organisation_for
from ..payments.saved_methods import needs_saved_method, start_saving_method
from . import activation, certificates, enrolments, schemes
from .bordereau import bordereau_csv
from .charts import price_chart
from .forms import SchemeForm, WordingForm, answers_of, join_form, scheme_data
from .models import Enrolment, Scheme
from .permissions import managed_scheme, managed_scheme_for_sheet, visible_scheme
from .statuses import EnrolmentStatus, SchemeStatus

bp = Blueprint("insurance", __name__, url_prefix="/insurance")
LISTED = (SchemeStatus.OPEN, SchemeStatus.ACTIVE)


@bp.route("/")
@public
def schemes_list():
    """Schemes taking members: open for pledges, or active and taking late joiners."""
    query = (
        select(Scheme)
        .where(Scheme.status.in_(LISTED))
        .options(joinedload(Scheme.organisation))
        .order_by(Scheme.enrolment_closes, Scheme.id)
        .limit(100)
    )
    return render_template("insurance/schemes.html", schemes=list(db.session.scalars(query)), title="Insurance schemes")


def _owned_enterprises():
    if not current_user.is_authenticated:
        return []
    return [m.organisation for m in org.enterprise_memberships(current_user) if m.is_owner]


@bp.route("/schemes/<int:scheme_id>")
@public
def show_scheme(scheme_id: int):
    """A scheme: its cover, the price the pool has reached and what the next tier needs, and joining."""
    scheme = visible_scheme(scheme_id, current_user)
    if scheme is None:
        abort(404)
    shown = enrolments.price_shown(scheme)
    yours = []
    for organisation in _owned_enterprises():
        enrolment = enrolments.enrolment_of(scheme, organisation)
        yours.append((organisation, enrolment, enrolments.reasons_not_eligible(scheme, organisation)))
    return render_template(
        "insurance/scheme.html",
        scheme=scheme,
        shown=shown,
        chart=price_chart(scheme, shown.members),
        yours=yours,
        title=scheme.name,
    )


@bp.route("/schemes/<int:scheme_id>/join/<int:org_id>", methods=["GET", "POST"])
@policy("organisation_owner", load=organisation_for)
def join_scheme(organisation, scheme_id: int):
    """An owner joins the scheme for their enterprise: the underwriting questions, then a way to pay."""
    scheme = visible_scheme(scheme_id, current_user)
    if scheme is None:
        abort(404)
    invoice = not needs_saved_method()
    form = join_form(scheme, invoice=invoice)
    reasons = enrolments.reasons_not_eligible(scheme, organisation)
    if not reasons:
        joined = submit(
            form,
            lambda: activation.join(
                scheme,
                organisation,
                current_user,
                answers=answers_of(form, scheme),
                invoice_mandate=bool(invoice and form.mandate.data),
            ),
            success=None,
        )
        if joined.ok:
            return redirect(url_for("insurance.show_scheme", scheme_id=scheme.id, joined=organisation.id))
    return render_template(
        "insurance/join.html",
        scheme=scheme,
        organisation=organisation,
        form=form,
        reasons=reasons,
        shown=enrolments.price_shown(scheme),
        invoice=invoice,
        title=f"Join {scheme.name}",
    )


@bp.route("/schemes/<int:scheme_id>/card/<int:org_id>", methods=["POST"])
@policy("organisation_finance", load=organisation_for)
def save_card(organisation, scheme_id: int):
    """Save the card the premium is taken from (only if the scheme goes ahead)."""
    back = url_for("insurance.show_scheme", scheme_id=scheme_id, _external=True)
    outcome = attempt(
        lambda: start_saving_method(organisation, actor=current_user, return_url=back + "?card=saved", cancel_url=back)
    )
    return redirect(outcome.result if outcome.ok else back)


def _enrolment(enrolment_id: int, user) -> Enrolment | None:
    enrolment = db.session.get(Enrolment, enrolment_id)
    return enrolment if enrolment is not None and allows(user, "enrolment_viewer", enrolment) else None


@bp.route("/enrolments/<int:enrolment_id>/withdraw", methods=["POST"])
@policy("enrolment_owner", load=_enrolment)
def withdraw(enrolment: Enrolment):
    """Take back a pledge before anything is charged."""
    attempt(lambda: enrolments.withdraw(enrolment, current_user), success="Your pledge has been withdrawn.")
    return redirect(url_for("insurance.show_scheme", scheme_id=enrolment.scheme_id))


@bp.route("/enrolments/<int:enrolment_id>/certificate.pdf")
@policy("enrolment_viewer", load=_enrolment)
def certificate(enrolment: Enrolment):
    """The member's certificate of insurance, while they are covered."""
    if enrolment.status != EnrolmentStatus.ACTIVE:
        abort(404)
    return _certificate_response(enrolment)


def _certificate_response(enrolment: Enrolment) -> Response:
    pdf = certificates.certificate_pdf(enrolment)
    name = f"certificate-{enrolment.member_number}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/enrolments/<int:enrolment_id>/proof", methods=["POST"])
@policy("enrolment_owner", load=_enrolment)
def share_proof(enrolment: Enrolment):
    """Make a link to share as proof of cover (a new one ends the old)."""
    attempt(
        lambda: enrolments.share_proof(enrolment, current_user), success="Your proof of cover link is ready to share."
    )
    return redirect(url_for("insurance.show_scheme", scheme_id=enrolment.scheme_id))


@bp.route("/enrolments/<int:enrolment_id>/proof/revoke", methods=["POST"])
@policy("enrolment_owner", load=_enrolment)
def revoke_proof(enrolment: Enrolment):
    """Stop the shared link working."""
    attempt(lambda: enrolments.revoke_proof(enrolment, current_user), success="The link no longer works.")
    return redirect(url_for("insurance.show_scheme", scheme_id=enrolment.scheme_id))


@bp.route("/proof/<link>")
@public
def proof(link: str):
    """Proof of cover, for whoever the enterprise gave the link to: the check, and the certificate to download."""
    enrolment = enrolments.by_proof_token(link)
    if enrolment is None:
        abort(404)
    return render_template(
        "insurance/verified.html",
        enrolment=enrolment,
        check=certificates.check(enrolment),
        link=link,
        title=f"{enrolment.organisation.name}: proof of insurance",
    )


@bp.route("/proof/<link>/certificate.pdf")
@public
def proof_certificate(link: str):
    """The certificate, through the shared link."""
    enrolment = enrolments.by_proof_token(link)
    if enrolment is None or enrolment.status != EnrolmentStatus.ACTIVE:
        abort(404)
    return _certificate_response(enrolment)


@bp.route("/verify")
@public
def verify():
    """Check a certificate by its member number (anyone: landlords, councils, clients)."""
    number = request.args.get("number", "")
    if number:
        found = certificates.find_by_number(number)
        if found is not None:
            return redirect(url_for("insurance.verified", number=found.member_number))
    return render_template(
        "insurance/verify.html", number=number, searched=bool(number), title="Check a certificate of insurance"
    )


@bp.route("/verify/<number>")
@public
def verified(number: str):
    """What a third party needs: the business, its cover and limits, the dates, and whether it is valid today."""
    enrolment = certificates.find_by_number(number)
    if enrolment is None or enrolment.status == EnrolmentStatus.PLEDGED:
        abort(404)
    return render_template(
        "insurance/verified.html",
        enrolment=enrolment,
        check=certificates.check(enrolment),
        title=f"{enrolment.organisation.name}: certificate of insurance",
    )


@bp.route("/schemes/<int:scheme_id>/wording.pdf")
@policy("wording_reader", load=visible_scheme)
def wording(scheme: Scheme):
    """The policy wording, as an attachment (never shown in the browser from our origin)."""
    content = uploads.read(scheme.wording_file) if scheme.wording_file else None
    if content is None:
        abort(404)
    headers = {"Content-Disposition": 'attachment; filename="policy-wording.pdf"', "X-Content-Type-Options": "nosniff"}
    return Response(content, mimetype="application/pdf", headers=headers)


# --- publishers ---------------------------------------------------------------------------------------------


@bp.route("/manage/organisations/<int:org_id>/schemes")
@policy("publisher_member", load=organisation_for)
def manage_schemes(organisation):
    """A council or NHS body's insurance schemes, with how many have joined each."""
    held = (
        select(func.count())
        .where(Enrolment.scheme_id == Scheme.id, Enrolment.status.in_(enrolments.HOLDS_PLACE))
        .scalar_subquery()
    )
    query = select(Scheme, held).where(Scheme.organisation_id == organisation.id).order_by(Scheme.id.desc()).limit(100)
    return render_template(
        "insurance/manage/schemes.html",
        organisation=organisation,
        rows=db.session.execute(query).all(),
        can_create=allows(current_user, "publisher", organisation),
        title="Insurance schemes",
    )


def _scheme_form(**kwargs) -> SchemeForm:
    form = SchemeForm(**kwargs)
    form.area_ids.choices = area_choices()
    return form


@bp.route("/manage/organisations/<int:org_id>/schemes/new", methods=["GET", "POST"])
@policy("publisher", load=organisation_for)
def new_scheme(organisation):
    """Draft a scheme."""
    form = _scheme_form(data={"subsidy_kind": "none"})
    saved = submit(
        form,
        lambda: schemes.create_scheme(organisation, current_user, **form.details()),
        success="The scheme has been saved as a draft. Open it when you are ready.",
    )
    if saved.ok:
        return redirect(url_for("insurance.manage_scheme", scheme_id=saved.result.id))
    return render_template(
        "components/form_page.html", form=form, title="Set up an insurance scheme", lead=organisation.name
    )


@bp.route("/manage/schemes/<int:scheme_id>/edit", methods=["GET", "POST"])
@policy("scheme_manager", load=managed_scheme)
def edit_scheme(scheme: Scheme):
    """Change a draft's settings (once open, what members were promised stays)."""
    if scheme.status != SchemeStatus.DRAFT:
        flash("Only a draft scheme can be changed: members have been promised what it says.", "error")
        return redirect(url_for("insurance.manage_scheme", scheme_id=scheme.id))
    form = _scheme_form(obj=scheme, data=scheme_data(scheme))
    if submit(
        form,
        lambda: schemes.update_scheme(scheme, current_user, **form.details()),
        success="The scheme's settings have been saved.",
    ).ok:
        return redirect(url_for("insurance.manage_scheme", scheme_id=scheme.id))
    return render_template(
        "components/form_page.html", form=form, title=f"Change {scheme.name}", lead=scheme.organisation.name
    )


@bp.route("/manage/schemes/<int:scheme_id>")
@policy("scheme_manager", load=managed_scheme)
def manage_scheme(scheme: Scheme):
    """A scheme as its publisher sees it: threshold progress, members by status, premiums and subsidy."""
    query = (
        select(Enrolment)
        .where(Enrolment.scheme_id == scheme.id)
        .options(joinedload(Enrolment.organisation))
        .order_by(Enrolment.pledged_at, Enrolment.id)
        .limit(500)
    )
    members = list(db.session.scalars(query))
    return render_template(
        "insurance/manage/scheme.html",
        scheme=scheme,
        members=members,
        shown=enrolments.price_shown(scheme, joining=False),
        premiums=sum(e.premium_pence or 0 for e in members if e.status == EnrolmentStatus.ACTIVE),
        subsidy=sum(e.subsidy_pence or 0 for e in members if e.status == EnrolmentStatus.ACTIVE),
        title=scheme.name,
    )


def _scheme_action(scheme: Scheme, action, success: str):
    attempt(action, success=success)
    return redirect(url_for("insurance.manage_scheme", scheme_id=scheme.id))


@bp.route("/manage/schemes/<int:scheme_id>/wording", methods=["GET", "POST"])
@policy("scheme_manager", load=managed_scheme)
def upload_wording(scheme: Scheme):
    """Upload the policy wording."""
    form = WordingForm()
    saved = submit(
        form,
        lambda: schemes.attach_wording(scheme, current_user, form.wording.data),
        success="The policy wording has been uploaded.",
        report=form.wording,
    )
    if saved.ok:
        return redirect(url_for("insurance.manage_scheme", scheme_id=scheme.id))
    return render_template("components/form_page.html", form=form, title="Upload the policy wording", lead=scheme.name)


@bp.route("/manage/schemes/<int:scheme_id>/bordereau.csv")
@policy("scheme_manager", load=managed_scheme_for_sheet)
def bordereau(scheme: Scheme):
    """The insurer's bordereau as a spreadsheet (each download audited)."""
    body = bordereau_csv(scheme, current_user)
    disposition = f'attachment; filename="bordereau-{scheme.id}.csv"'
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": disposition})


@bp.route("/manage/schemes/<int:scheme_id>/open", methods=["POST"])
@policy("scheme_manager", load=managed_scheme)
def open_scheme(scheme: Scheme):
    return _scheme_action(scheme, lambda: schemes.open_scheme(scheme, current_user), "The scheme is open for members.")


@bp.route("/manage/schemes/<int:scheme_id>/activate", methods=["POST"])
@policy("scheme_manager", load=managed_scheme)
def activate_scheme(scheme: Scheme):
    return _scheme_action(
        scheme,
        lambda: activation.activate_early(scheme, current_user),
        "The scheme is going ahead: members are being charged.",
    )


@bp.route("/manage/schemes/<int:scheme_id>/cancel", methods=["POST"])
@policy("scheme_manager", load=managed_scheme)
def cancel_scheme(scheme: Scheme):
    return _scheme_action(scheme, lambda: schemes.cancel_scheme(scheme, current_user), "The scheme has been cancelled.")
