"""Training pages: one blueprint, split into public, booker and publisher modules."""

from flask import Blueprint

bp = Blueprint("training", __name__, url_prefix="/training")

from . import book, manage, public  # noqa: E402,F401  (the modules register their routes on bp)
