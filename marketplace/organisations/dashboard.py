"""Organisations' part of the dashboard: set one up, accept invitations, add details, answer join requests;
the person's organisations and requests to join; the links to set up or join one."""

from flask import url_for
from sqlalchemy import func, select

from ..accounts.models import IntendedRole
from ..core.features import NavLink, Task
from ..core.permissions import is_admin
from ..extensions import db
from .models import LegalForm, Membership, MembershipStatus
from .permissions import active_memberships, is_entrepreneur, is_publisher
from .services import invitations_for

LEGAL_FORMS_WITH_NUMBERS = (LegalForm.LIMITED_COMPANY, LegalForm.CIC, LegalForm.CHARITY, LegalForm.COOPERATIVE)


def setup_tasks(user) -> list[Task]:
    """Set up the enterprise, council or NHS body the person said they work for."""
    if is_admin(user):
        return []
    tasks = []
    if user.intended_role == IntendedRole.ENTREPRENEUR and not is_entrepreneur(user):
        tasks.append(
            Task(
                "Set up your enterprise",
                url_for("organisations.new_enterprise"),
                "Trading name, legal form, staff and area",
            )
        )
    if user.intended_role == IntendedRole.PUBLISHER and not user.memberships:
        tasks.append(Task("Add or join your council or NHS body", url_for("organisations.new_publisher")))
    return tasks


def invitation_tasks(user) -> list[Task]:
    """Invitations waiting for the person to accept."""
    return [
        Task(f"Accept the invitation to join {inv.organisation.name}", url_for("organisations.invitations_list"))
        for inv in invitations_for(user)
    ]


def organisation_tasks(user) -> list[Task]:
    """What the owners of each of the person's organisations still have to do."""
    tasks = []
    for membership in active_memberships(user):
        organisation = membership.organisation
        if (
            organisation.is_enterprise
            and membership.is_owner
            and not organisation.registration_number
            and organisation.legal_form in LEGAL_FORMS_WITH_NUMBERS
        ):
            tasks.append(
                Task(
                    f"Add the registration number of {organisation.name}",
                    url_for("organisations.edit", org_id=organisation.id),
                )
            )
        if membership.is_owner:
            tasks.extend(_join_request_tasks(organisation))
    return tasks


def _join_request_tasks(organisation) -> list[Task]:
    query = (
        select(func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == organisation.id, Membership.status == MembershipStatus.REQUESTED)
    )
    waiting = db.session.scalar(query) or 0
    if not waiting:
        return []
    noun = "request" if waiting == 1 else "requests"
    return [
        Task(f"{waiting} {noun} to join {organisation.name}", url_for("organisations.members", org_id=organisation.id))
    ]


def organisations_section(user) -> dict | None:
    """The organisations the person belongs to, and the ones they asked to join (none: no section)."""
    memberships = active_memberships(user)
    requested = [m for m in user.memberships if not m.is_active]
    if not memberships and not requested:
        return None
    return {"memberships": memberships, "requested": requested}


def setup_links(user) -> list[NavLink]:
    """Set up an enterprise, or add or join a council or NHS body, if the person has not (not for platform admins)."""
    if is_admin(user):
        return []
    links = [] if is_entrepreneur(user) else [NavLink("Set up an enterprise", "organisations.new_enterprise")]
    if not is_publisher(user):
        links.append(NavLink("Add or join a council or NHS body", "organisations.new_publisher"))
    return links


def invitation_links(user) -> list[NavLink]:
    """Where the person's invitations to join organisations are."""
    return [] if is_admin(user) else [NavLink("Your invitations", "organisations.invitations_list")]
