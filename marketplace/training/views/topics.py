"""Training pages for platform admins: the managed list of topics."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ...core.actions import submit
from ...core.permissions import admin_only
from ...extensions import db
from .. import courses
from ..forms import TopicForm
from ..models import Topic
from .blueprint import bp


@bp.route("/topics", methods=["GET", "POST"])
@admin_only
def topics():
    """The managed list of training topics; admins add more."""
    form = TopicForm()
    if submit(form, lambda: courses.add_topic(form.name.data, current_user)).ok:
        flash(f"{' '.join(form.name.data.split())} has been added.", "success")
        return redirect(url_for("training.topics"))
    names = db.session.scalars(select(Topic.name).order_by(Topic.name)).all()
    return render_template("training/manage/topics.html", form=form, names=names, title="Training topics")
