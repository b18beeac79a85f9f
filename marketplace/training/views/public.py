"""Training pages anyone can see (catalogue, course, session, certificate check)."""

from flask import abort

from ...extensions import db
from ..models import TrainingSession
from . import bp


@bp.route("/sessions/<int:session_id>")
def show_session(session_id: int):
    """A session's page (placeholder until the catalogue lands)."""
    session = db.session.get(TrainingSession, session_id) or abort(404)
    return session.course.title
