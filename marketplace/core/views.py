"""Notification pages (shared by every role)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from .notifications import Notification, mark_all_read
from .pagination import CURSOR_ARG, keyset_page
from .permissions import signed_in

bp = Blueprint("notifications", __name__, url_prefix="/notifications")

# Newest first, then by id so the order is total (ix_notifications_user_id_created_at_id serves it).
NEWEST_FIRST = (Notification.created_at.desc(), Notification.id.desc())


@bp.route("/")
@signed_in
def index():
    """Your notifications, newest first."""
    query = select(Notification).where(Notification.user_id == current_user.id)
    page = keyset_page(query, NEWEST_FIRST, request.args.get(CURSOR_ARG))
    return render_template("notifications/index.html", page=page, title="Notifications")


@bp.route("/read", methods=["POST"])
@signed_in
def mark_read():
    """Mark all your notifications as read."""
    mark_all_read(current_user)
    db.session.commit()
    flash("All notifications marked as read.", "success")
    return redirect(url_for("notifications.index"))
