"""Relief worker pages (profile only, for now)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..core.permissions import signed_in
from ..extensions import db
from ..organisations.areas import area_choices
from ..organisations.forms import ReliefProfileForm
from .services import save_relief_profile

bp = Blueprint("cover", __name__, url_prefix="/relief")


@bp.route("/profile", methods=["GET", "POST"])
@signed_in
def relief_profile():
    """Create or edit your relief worker profile."""
    form = ReliefProfileForm(obj=current_user.relief_profile)
    form.area_id.choices = area_choices()
    if form.validate_on_submit():
        save_relief_profile(current_user, area_id=form.area_id.data, phone=form.phone.data)
        db.session.commit()
        flash(
            "Your relief worker profile has been saved. Relief pools are not open yet: "
            "we will tell you when you can apply to join one.",
            "success",
        )
        return redirect(url_for("dashboard.index"))
    title = "Your relief worker profile" if current_user.relief_profile else "Create your relief worker profile"
    return render_template(
        "cover/relief_profile.html",
        form=form,
        title=title,
        lead="Tell us where you live. When pools open they will ask for your checks, training and availability.",
    )
