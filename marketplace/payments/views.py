"""Payment pages: invoices (on screen and PDF) and marking them paid."""

from flask import Blueprint

bp = Blueprint("payments", __name__, url_prefix="/payments")
