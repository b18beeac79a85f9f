"""Dashboard page."""

from flask import Blueprint, render_template
from flask_login import current_user

from ..core.features import dashboard_links_for, dashboard_sections_for, tasks_for
from ..core.permissions import is_admin, signed_in
from ..organisations.permissions import is_publisher
from ..training.permissions import may_book

bp = Blueprint("dashboard", __name__)


def leads_with_what_they_run(user) -> bool:
    """A council or NHS body's member who books nothing lands on what they run; the other links come last."""
    return is_publisher(user) and not may_book(user) and not is_admin(user)


@bp.route("/dashboard")
@signed_in
def index():
    """What needs doing now, what the person runs, and where to go next, as the features give them."""
    return render_template(
        "dashboard/index.html",
        title="Your dashboard",
        tasks=tasks_for(current_user),
        sections=dashboard_sections_for(current_user),
        links=dashboard_links_for(current_user),
        links_last=leads_with_what_they_run(current_user),
    )
