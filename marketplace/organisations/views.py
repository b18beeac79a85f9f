"""Organisation pages: your organisations, set-up, profile, members and invitations."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..core.actions import attempt, submit
from ..core.permissions import allows, get_owned_or_404, policy, public, signed_in
from ..extensions import db
from . import areas as area_list
from . import services
from .forms import EnterpriseForm, InviteForm, JoinPublisherForm, PublisherDetailsForm, PublisherForm
from .models import Area, Invitation, MemberRole, Membership, Organisation
from .permissions import active_memberships, organisation_for

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


def _enterprise_details(form: EnterpriseForm) -> dict:
    return {
        "name": form.name.data.strip(),
        "legal_form": form.legal_form.data,
        "fte": form.fte.data,
        "area_id": form.area_id.data,
        "postcode": form.postcode.data,
        "registration_number": (form.registration_number.data or "").strip() or None,
    }


@bp.route("/")
@signed_in
def index():
    """The organisations you belong to, and your requests to join others."""
    return render_template(
        "organisations/index.html",
        memberships=sorted(active_memberships(current_user), key=lambda m: m.organisation.name.lower()),
        pending_requests=[m for m in current_user.memberships if not m.is_active],
        title="Your organisations",
    )


@bp.route("/new/enterprise", methods=["GET", "POST"])
@signed_in
def new_enterprise():
    """Set up your enterprise."""
    form = EnterpriseForm()
    form.area_id.choices = area_list.area_choices()
    if form.validate_on_submit():
        organisation = services.create_enterprise(current_user, **_enterprise_details(form))
        db.session.commit()
        flash(f"{organisation.name} has been set up.", "success")
        return redirect(url_for("organisations.show", org_id=organisation.id))
    return render_template(
        "components/form_page.html",
        form=form,
        title="Set up your enterprise",
        lead="Tell us about your business. You can change these details later.",
    )


@bp.route("/new/publisher", methods=["GET", "POST"])
@signed_in
def new_publisher():
    """Register a council or NHS body (or ask to join one)."""
    form = PublisherForm()
    form.area_ids.choices = area_list.area_choices()
    join_form = JoinPublisherForm()
    join_form.organisation_id.choices = {org.id: org.name for org in services.joinable_publishers()}
    if form.validate_on_submit():
        areas = list(db.session.scalars(db.select(Area).where(Area.id.in_(form.area_ids.data))))
        organisation = services.create_publisher(current_user, kind=form.kind.data, name=form.name.data, areas=areas)
        db.session.commit()
        flash(f"{organisation.name} is waiting for approval. We will email you when it is approved.", "success")
        return redirect(url_for("dashboard.index"))
    return render_template(
        "organisations/new_publisher.html", form=form, join_form=join_form, title="Add your council or NHS body"
    )


@bp.route("/join", methods=["POST"])
@signed_in
def join_publisher():
    """Ask to join a council or NHS body already on Backstop."""
    join_form = JoinPublisherForm()
    join_form.organisation_id.choices = {org.id: org.name for org in services.joinable_publishers()}
    if not join_form.validate_on_submit():
        flash("Select your organisation.", "error")
        return redirect(url_for("organisations.new_publisher"))
    organisation = db.session.get(Organisation, join_form.organisation_id.data)
    success = f"You have asked to join {organisation.name}. Its owners will decide."
    if not attempt(lambda: services.request_to_join(current_user, organisation), success=success).ok:
        return redirect(url_for("organisations.new_publisher"))
    return redirect(url_for("dashboard.index"))


@bp.route("/<int:org_id>")
@policy("organisation_viewer", load=organisation_for)
def show(organisation: Organisation):
    """An organisation's details, for its members."""
    return render_template(
        "organisations/show.html",
        organisation=organisation,
        can_manage=allows(current_user, "organisation_owner", organisation),
        can_set_payment_details=allows(current_user, "payee_details_editor", organisation),  # payments' policy
        title=organisation.name,
    )


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@policy("organisation_owner", load=organisation_for)
def edit(organisation: Organisation):
    """Change an organisation's details (owners only)."""
    if not organisation.is_enterprise:
        return _edit_publisher(organisation)
    form = EnterpriseForm(obj=organisation)
    form.area_id.choices = area_list.area_choices()
    if form.validate_on_submit():
        services.update_enterprise(organisation, current_user, **_enterprise_details(form))
        db.session.commit()
        flash("Your enterprise details have been saved.", "success")
        return redirect(url_for("organisations.show", org_id=organisation.id))
    return render_template("components/form_page.html", form=form, title=f"Change details of {organisation.name}")


def _edit_publisher(organisation: Organisation):
    """A council's or NHS body's name and served areas."""
    form = PublisherDetailsForm(obj=organisation, area_ids=[area.id for area in organisation.served_areas])
    form.area_ids.choices = area_list.area_choices()
    if form.validate_on_submit():
        areas = list(db.session.scalars(db.select(Area).where(Area.id.in_(form.area_ids.data))))
        services.update_publisher(organisation, current_user, name=form.name.data, areas=areas)
        db.session.commit()
        flash(f"The details of {organisation.name} have been saved.", "success")
        return redirect(url_for("organisations.show", org_id=organisation.id))
    return render_template("components/form_page.html", form=form, title=f"Change details of {organisation.name}")


@bp.route("/<int:org_id>/members")
@policy("organisation_viewer", load=organisation_for)
def members(organisation: Organisation):
    """Who belongs to the organisation, open invitations and requests to join."""
    return render_template(
        "organisations/members.html",
        organisation=organisation,
        memberships=services.current_members(organisation),
        invitations=services.open_invitations(organisation),
        can_manage=allows(current_user, "organisation_owner", organisation),
        title=f"Members of {organisation.name}",
    )


@bp.route("/<int:org_id>/invite", methods=["GET", "POST"])
@policy("organisation_owner", load=organisation_for)
def invite(organisation: Organisation):
    """Invite someone by email (owners only)."""
    form = InviteForm(organisation=organisation)
    send = lambda: services.invite(organisation, form.email.data, form.role.data, current_user)  # noqa: E731
    if submit(form, send, success=f"Invitation sent to {form.email.data}.", report=form.email).ok:
        return redirect(url_for("organisations.members", org_id=organisation.id))
    return render_template("components/form_page.html", form=form, title=f"Invite someone to {organisation.name}")


def _member_action(organisation: Organisation, membership_id: int, action, success: str):
    """Do one thing to one member of the organisation, then go back to its members."""
    membership = get_owned_or_404(Membership, membership_id, organisation)
    back = redirect(url_for("organisations.members", org_id=organisation.id))
    attempt(lambda: action(membership), success=success.format(name=membership.user.name))
    return back


@bp.route("/<int:org_id>/members/<int:membership_id>/remove", methods=["POST"])
@policy("organisation_owner", load=organisation_for)
def remove_member(organisation: Organisation, membership_id: int):
    """Remove a member (owners only)."""
    return _member_action(
        organisation, membership_id, lambda m: services.remove_member(m, current_user), "{name} has been removed."
    )


@bp.route("/<int:org_id>/members/<int:membership_id>/make-owner", methods=["POST"])
@policy("organisation_owner", load=organisation_for)
def make_owner(organisation: Organisation, membership_id: int):
    """Make a member an owner (owners only)."""
    return _member_action(
        organisation,
        membership_id,
        lambda m: services.change_role(m, MemberRole.OWNER, current_user),
        "{name} is now an owner.",
    )


@bp.route("/<int:org_id>/members/<int:membership_id>/make-member", methods=["POST"])
@policy("organisation_owner", load=organisation_for)
def make_member(organisation: Organisation, membership_id: int):
    """Make an owner a plain member (owners only)."""
    return _member_action(
        organisation,
        membership_id,
        lambda m: services.change_role(m, MemberRole.MEMBER, current_user),
        "{name} is now a member.",
    )


@bp.route("/<int:org_id>/members/<int:membership_id>/approve", methods=["POST"])
@policy("organisation_owner", load=organisation_for)
def approve_request(organisation: Organisation, membership_id: int):
    """Accept a request to join (owners only)."""
    return _member_action(
        organisation,
        membership_id,
        lambda m: services.decide_join_request(m, current_user, approve=True),
        "{name} has joined.",
    )


@bp.route("/<int:org_id>/members/<int:membership_id>/decline", methods=["POST"])
@policy("organisation_owner", load=organisation_for)
def decline_request(organisation: Organisation, membership_id: int):
    """Decline a request to join (owners only)."""
    return _member_action(
        organisation,
        membership_id,
        lambda m: services.decide_join_request(m, current_user, approve=False),
        "{name}'s request has been declined.",
    )


@bp.route("/<int:org_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@policy("organisation_owner", load=organisation_for)
def revoke_invitation(organisation: Organisation, invitation_id: int):
    """Cancel an unused invitation (owners only)."""
    invitation = get_owned_or_404(Invitation, invitation_id, organisation)
    services.revoke_invitation(invitation, current_user)
    db.session.commit()
    flash(f"The invitation to {invitation.email} has been cancelled.", "success")
    return redirect(url_for("organisations.members", org_id=organisation.id))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """See and accept an invitation (sign in first, as the invited email address)."""
    invitation = services.usable_invitation(token)
    if invitation is None:
        return render_template("accounts/link_invalid.html", title="This invitation has expired or is not valid"), 400
    if current_user.is_authenticated and request.method == "POST":
        accepted = attempt(lambda: services.accept_invitation(invitation, current_user))
        if not accepted.ok:
            return redirect(url_for("organisations.accept_invitation", token=token))
        membership = accepted.result
        if membership is None:
            return render_template(
                "accounts/link_invalid.html", title="This invitation has expired or is not valid"
            ), 400
        flash(f"You have joined {membership.organisation.name}.", "success")
        return redirect(url_for("organisations.show", org_id=membership.organisation_id))
    return render_template(
        "organisations/invitation.html",
        invitation=invitation,
        token=token,
        title=f"Join {invitation.organisation.name}",
    )


@bp.route("/invitations")
@signed_in
def invitations_list():
    """Invitations waiting for you."""
    return render_template(
        "organisations/invitations.html", invitations=services.invitations_for(current_user), title="Your invitations"
    )


@bp.route("/invitations/<int:invitation_id>/accept", methods=["POST"])
@policy("invitee", load=services.invitation_for_user)
def accept_invitation_by_id(invitation: Invitation):
    """Accept an invitation addressed to you from your invitations page."""
    membership = services.accept_invitation(invitation, current_user)
    if membership is None:
        abort(404)
    db.session.commit()
    flash(f"You have joined {membership.organisation.name}.", "success")
    return redirect(url_for("organisations.show", org_id=membership.organisation_id))
