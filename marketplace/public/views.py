"""Home page and the service's standing pages."""

from flask import Blueprint, render_template

from ..core.features import retention_schedule
from ..core.permissions import public

bp = Blueprint("public", __name__)


@bp.route("/")
@public
def home():
    """What Backstop is and how to start."""
    return render_template("public/home.html", title="Backstop: shared services for care micro-enterprises")


@bp.route("/accessibility")
@public
def accessibility():
    """Accessibility statement."""
    return render_template("public/accessibility.html", title="Accessibility statement")


@bp.route("/privacy")
@public
def privacy():
    """Privacy notice, with the retention schedule every feature declares (one job applies it)."""
    return render_template("public/privacy.html", title="Privacy notice", schedule=retention_schedule())


@bp.route("/cookies")
@public
def cookies():
    """Cookies used by the service."""
    return render_template("public/cookies.html", title="Cookies")
