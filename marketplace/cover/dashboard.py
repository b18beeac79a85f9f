"""Cover's part of the dashboard: a relief worker's next steps, their profile, and links to pools, shifts and cover
requests for the people who use them."""

from flask import url_for
from sqlalchemy import exists, func, select

from ..accounts.models import IntendedRole
from ..core.clock import utcnow
from ..core.features import NavLink, Task
from ..core.permissions import is_admin
from ..extensions import db
from ..organisations import permissions as org
from .models import CoverShift, Timesheet
from .permissions import is_relief_worker
from .statuses import ShiftStatus, TimesheetStatus


def setup_tasks(user) -> list[Task]:
    """Ask someone who registered as a relief worker to create their profile."""
    if is_admin(user) or is_relief_worker(user):
        return []
    if user.intended_role != IntendedRole.RELIEF_WORKER:
        return []
    return [Task("Create your relief worker profile", url_for("cover.relief_profile"))]


def worker_tasks(user) -> list[Task]:
    """A relief worker's missing checks and availability (no query: the profile is loaded with the person)."""
    profile = user.relief_profile if is_relief_worker(user) else None
    if profile is None:
        return []
    tasks = []
    if not profile.dbs_level:
        tasks.append(Task("Add your DBS check and referees", url_for("cover.relief_checks")))
    if not profile.availability:
        tasks.append(Task("Say when you can work", url_for("cover.relief_availability")))
    return tasks


def relief_section(user) -> dict | None:
    """The person's relief worker profile, summarised (none: no section)."""
    profile = user.relief_profile
    return {"profile": profile} if profile is not None else None


def become_links(user) -> list[NavLink]:
    """Become a relief worker, for anyone who is not one (platform admins aside)."""
    if is_admin(user) or is_relief_worker(user):
        return []
    return [NavLink("Become a relief worker", "cover.relief_profile")]


def cover_links(user) -> list[NavLink]:
    """Relief pools for everyone who may use them; each enterprise's cover requests; each publisher's pools."""
    links = [NavLink("Relief pools", "cover.pools_list")]
    if is_relief_worker(user):
        links.append(NavLink("Cover shifts you can take", "cover.open_shifts"))
        links.append(NavLink("Your earnings", "cover.earnings"))
    for membership in org.enterprise_memberships(user):
        name = membership.organisation.name
        links.append(
            NavLink(f"Cover requests for {name}", "cover.cover_requests", {"org_id": membership.organisation_id})
        )
    for membership in org.publisher_memberships(user):
        name = membership.organisation.name
        links.append(NavLink(f"Relief pools of {name}", "cover.manage_pools", {"org_id": membership.organisation_id}))
        if org.is_finance(user, membership.organisation):
            values = {"org_id": membership.organisation_id}
            links.append(NavLink(f"Relief workers' pay from {name}", "cover.payroll", values))
    return links


def _counts(user) -> dict[str, int]:
    """Timesheets the person must send (as a worker) or approve (for their enterprises), in one statement."""
    enterprise_ids = [m.organisation_id for m in org.enterprise_memberships(user)]
    to_send = select(func.count()).where(
        CoverShift.worker_id == user.id,
        CoverShift.status == ShiftStatus.ACCEPTED,
        CoverShift.starts_at <= utcnow(),
        ~exists().where(Timesheet.shift_id == CoverShift.id, Timesheet.status != TimesheetStatus.DISPUTED),
    )
    to_approve = (
        select(func.count())
        .select_from(Timesheet)
        .join(CoverShift, CoverShift.id == Timesheet.shift_id)
        .where(CoverShift.organisation_id.in_(enterprise_ids), Timesheet.status == TimesheetStatus.SUBMITTED)
    )
    row = db.session.execute(
        select(to_send.scalar_subquery().label("to_send"), to_approve.scalar_subquery().label("to_approve"))
    ).one()
    return row._asdict()


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def cover_tasks(user) -> list[Task]:
    """Timesheets to send or approve (pool managers find applications and disputes on their pool's page, which the
    dashboard links to: their dashboard is at its query budget)."""
    if is_admin(user) or not (is_relief_worker(user) or org.is_entrepreneur(user)):
        return []
    counts = _counts(user)
    tasks = []
    if counts["to_send"]:
        tasks.append(
            Task(f"Send {_plural(counts['to_send'], 'timesheet', 'timesheets')}", url_for("cover.open_shifts"))
        )
    if counts["to_approve"]:
        text = f"Approve {_plural(counts['to_approve'], 'timesheet', 'timesheets')} for relief cover"
        membership = org.enterprise_memberships(user)[0]
        tasks.append(Task(text, url_for("cover.cover_requests", org_id=membership.organisation_id)))
    return tasks
