"""Training pages for platform admins: the managed list of topics (add, rename, retire)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from ...core.actions import attempt, submit
from ...core.permissions import admin_only
from ...extensions import db
from .. import courses
from ..forms import RenameTopicForm, TopicForm
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
    rows = db.session.scalars(select(Topic).order_by(Topic.retired_at.is_not(None), Topic.name)).all()
    return render_template("training/manage/topics.html", form=form, topics=rows, title="Training topics")


def _topic(topic_id: int) -> Topic:
    """The topic, or 404."""
    return db.session.get(Topic, topic_id) or abort(404)


@bp.route("/topics/<int:topic_id>/rename", methods=["GET", "POST"])
@admin_only
def rename_topic(topic_id: int):
    """Give a topic a new name (courses that have it show the new name)."""
    topic = _topic(topic_id)
    form = RenameTopicForm(data={"name": topic.name})
    old = topic.name
    if submit(form, lambda: courses.rename_topic(topic, form.name.data, current_user)).ok:
        flash(f"{old} is now called {topic.name}.", "success")
        return redirect(url_for("training.topics"))
    return render_template("components/form_page.html", form=form, title=f"Rename {old}", lead="Training topic")


@bp.route("/topics/<int:topic_id>/retire", methods=["POST"])
@admin_only
def retire_topic(topic_id: int):
    """Stop offering a topic for new courses."""
    topic = _topic(topic_id)
    attempt(
        lambda: courses.retire_topic(topic, current_user),
        success=f"{topic.name} is retired: it is no longer offered for new courses. Courses that have it keep it.",
    )
    return redirect(url_for("training.topics"))
