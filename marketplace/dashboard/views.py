"""Dashboard page."""

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..core import permissions
from .services import tasks_for

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def index():
    """What needs doing now, for each of the person's roles."""
    return render_template(
        "dashboard/index.html",
        title="Your dashboard",
        tasks=tasks_for(current_user),
        memberships=permissions.active_memberships(current_user),
        pending_requests=[m for m in current_user.memberships if not m.is_active],
        is_admin=permissions.is_admin(current_user),
        relief_profile=current_user.relief_profile,
    )
