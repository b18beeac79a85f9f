"""Cover's part of the dashboard: a relief worker's next steps, their profile, and links to pools, shifts and cover
requests for the people who use them."""

from flask import url_for

from ..accounts.models import IntendedRole
from ..core.features import NavLink, Task
from ..core.permissions import is_admin
from ..organisations import permissions as org
from .permissions import is_relief_worker


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
    for membership in org.enterprise_memberships(user):
        name = membership.organisation.name
        links.append(
            NavLink(f"Cover requests for {name}", "cover.cover_requests", {"org_id": membership.organisation_id})
        )
    for membership in org.publisher_memberships(user):
        name = membership.organisation.name
        links.append(NavLink(f"Relief pools of {name}", "cover.manage_pools", {"org_id": membership.organisation_id}))
    return links
