"""The relief cover blueprint."""

from flask import Blueprint

bp = Blueprint("cover", __name__, url_prefix="/relief")
