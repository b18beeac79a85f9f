"""Platform admin pages."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.actions import attempt, submit
from ..core.pagination import CURSOR_ARG, keyset_page
from ..core.permissions import admin_only
from ..extensions import db
from ..organisations import areas as org_areas
from ..organisations import services as org_services
from ..organisations.forms import AreaForm
from ..organisations.models import Area, Organisation, OrgStatus
from . import services
from .forms import AuditFilterForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@admin_only
def index():
    """The admin home: what is waiting."""
    pending = keyset_page(services.organisations_query(OrgStatus.PENDING), services.ORGANISATIONS_ORDER, count=True)
    return render_template("admin/index.html", pending=pending, title="Platform admin")


@bp.route("/organisations")
@admin_only
def organisations():
    """All organisations, filterable by status."""
    status = request.args.get("status") or None
    if status and status not in set(OrgStatus):
        abort(404)
    query = services.organisations_query(status)
    page = keyset_page(query, services.ORGANISATIONS_ORDER, request.args.get(CURSOR_ARG))
    return render_template(
        "admin/organisations.html", page=page, status=status, statuses=list(OrgStatus), title="Organisations"
    )


def _decide(org_id: int, approve: bool):
    organisation = db.session.get(Organisation, org_id) or abort(404)
    if attempt(lambda: org_services.decide_organisation(organisation, current_user, approve=approve)).ok:
        flash(f"{organisation.name} has been {organisation.status}.", "success")
    return redirect(url_for("admin.organisations", status=OrgStatus.PENDING))


@bp.route("/organisations/<int:org_id>/approve", methods=["POST"])
@admin_only
def approve_organisation(org_id: int):
    """Let a council or NHS body publish."""
    return _decide(org_id, True)


@bp.route("/organisations/<int:org_id>/reject", methods=["POST"])
@admin_only
def reject_organisation(org_id: int):
    """Turn down a council or NHS body."""
    return _decide(org_id, False)


@bp.route("/audit")
@admin_only
def audit():
    """Browse and filter the audit log."""
    form = AuditFilterForm(formdata=request.args)
    names = ("action", "actor", "organisation", "date_from", "date_to")
    valid = form.validate()
    query = services.audit_query(**{name: form[name].data if valid else None for name in names})
    page = keyset_page(query, services.AUDIT_ORDER, request.args.get(CURSOR_ARG), per_page=50, count=True)
    return render_template("admin/audit.html", form=form, page=page, title="Audit log")


def _area_details(form: AreaForm) -> dict:
    """An area's name, GSS code and nation as the form gives them."""
    return {"name": form.name.data, "gss_code": form.gss_code.data, "nation": form.nation.data}


@bp.route("/areas", methods=["GET", "POST"])
@admin_only
def areas():
    """List areas and add a new one."""
    form = AreaForm()
    added = submit(form, lambda: org_areas.add_area(**_area_details(form), actor=current_user), report=form.name)
    if added.ok:
        flash(f"{added.result.name} has been added.", "success")
        return redirect(url_for("admin.areas"))
    return render_template("admin/areas.html", form=form, areas=org_areas.areas_by_name(), title="Areas")


@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
@admin_only
def edit_area(area_id: int):
    """Rename or recode an area."""
    area = db.session.get(Area, area_id) or abort(404)
    form = AreaForm(obj=area)
    change = lambda: org_areas.update_area(area, **_area_details(form), actor=current_user)  # noqa: E731
    if submit(form, change, report=form.name).ok:
        flash(f"{area.name} has been saved.", "success")
        return redirect(url_for("admin.areas"))
    return render_template("components/form_page.html", form=form, title=f"Change {area.name}")
