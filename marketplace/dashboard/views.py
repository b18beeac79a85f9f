"""Dashboard page."""

from flask import Blueprint, render_template
from flask_login import current_user

from ..core.features import tasks_for
from ..core.permissions import is_admin, signed_in
from ..organisations.permissions import active_memberships, is_entrepreneur, is_publisher

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@signed_in
def index():
    """What needs doing now, for each of the person's roles."""
    return render_template(
        "dashboard/index.html",
        title="Your dashboard",
        tasks=tasks_for(current_user),
        memberships=active_memberships(current_user),
        pending_requests=[m for m in current_user.memberships if not m.is_active],
        is_admin=is_admin(current_user),
        is_entrepreneur=is_entrepreneur(current_user),
        is_publisher=is_publisher(current_user),
        relief_profile=current_user.relief_profile,
    )
