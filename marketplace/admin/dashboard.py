"""Platform admin's part of the dashboard: organisations waiting for approval, and the admin links."""

from flask import url_for
from sqlalchemy import func, select

from ..core import permissions
from ..core.features import NavLink, Task
from ..extensions import db
from ..organisations.models import Organisation, OrgStatus


def approval_tasks(user) -> list[Task]:
    """How many organisations wait for a platform admin to approve them."""
    if not permissions.is_admin(user):
        return []
    query = select(func.count()).select_from(Organisation).where(Organisation.status == OrgStatus.PENDING)
    pending = db.session.scalar(query) or 0
    if not pending:
        return []
    noun = "organisation is" if pending == 1 else "organisations are"
    return [Task(f"{pending} {noun} waiting for approval", url_for("admin.organisations", status=OrgStatus.PENDING))]


def admin_links(user) -> list[NavLink]:
    """Where platform admins approve organisations, read the audit log and manage areas."""
    if not permissions.is_admin(user):
        return []
    return [
        NavLink("Organisations waiting for approval", "admin.organisations", {"status": OrgStatus.PENDING.value}),
        NavLink("Audit log", "admin.audit"),
        NavLink("Areas", "admin.areas"),
    ]
