"""Notification pages (shared by every role)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from .notifications import Notification, mark_all_read
from .pagination import paginate
from .permissions import signed_in

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@signed_in
def index():
    """Your notifications, newest first."""
    query = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    page = paginate(query, request.args.get("page", 1, type=int))
    return render_template("notifications/index.html", page=page, title="Notifications")


@bp.route("/read", methods=["POST"])
@signed_in
def mark_read():
    """Mark all your notifications as read."""
    mark_all_read(current_user)
    db.session.commit()
    flash("All notifications marked as read.", "success")
    return redirect(url_for("notifications.index"))
