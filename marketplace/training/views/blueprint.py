"""The training blueprint, on which the public, booker and publisher view modules register their routes."""

from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training")
