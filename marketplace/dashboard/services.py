"""Work out the to-do list for a person's dashboard."""

from flask import url_for
from sqlalchemy import func, select

from ..accounts.models import IntendedRole
from ..core import permissions
from ..extensions import db
from ..organisations.models import Membership, MembershipStatus, Organisation, OrgStatus
from ..organisations.services import invitations_for
from .tasks import Task


def _setup_tasks(user) -> list[Task]:
    if permissions.is_admin(user):
        return []
    tasks = []
    has_org = bool(user.memberships)
    if user.intended_role == IntendedRole.ENTREPRENEUR and not permissions.is_entrepreneur(user):
        tasks.append(
            Task(
                "Set up your enterprise",
                url_for("organisations.new_enterprise"),
                "Trading name, legal form, staff and area",
            )
        )
    if user.intended_role == IntendedRole.PUBLISHER and not has_org:
        tasks.append(Task("Add or join your council or NHS body", url_for("organisations.new_publisher")))
    if user.intended_role == IntendedRole.RELIEF_WORKER and not permissions.is_relief_worker(user):
        tasks.append(Task("Create your relief worker profile", url_for("cover.relief_profile")))
    return tasks


def _organisation_tasks(user) -> list[Task]:
    tasks = []
    for membership in permissions.active_memberships(user):
        organisation = membership.organisation
        if (
            organisation.is_enterprise
            and membership.is_owner
            and not organisation.registration_number
            and organisation.legal_form in ("limited_company", "cic", "charity", "cooperative")
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


def _admin_tasks(user) -> list[Task]:
    if not permissions.is_admin(user):
        return []
    pending = (
        db.session.scalar(
            select(func.count()).select_from(Organisation).where(Organisation.status == OrgStatus.PENDING)
        )
        or 0
    )
    if not pending:
        return []
    noun = "organisation is" if pending == 1 else "organisations are"
    return [Task(f"{pending} {noun} waiting for approval", url_for("admin.organisations", status=OrgStatus.PENDING))]


def _invitation_tasks(user) -> list[Task]:
    return [
        Task(f"Accept the invitation to join {inv.organisation.name}", url_for("organisations.invitations_list"))
        for inv in invitations_for(user)
    ]


def tasks_for(user) -> list[Task]:
    """Everything the person should do next, most urgent first."""
    from ..training.dashboard import training_tasks

    return (
        _setup_tasks(user)
        + _admin_tasks(user)
        + _invitation_tasks(user)
        + training_tasks(user)
        + _organisation_tasks(user)
    )
