"""Training pages for bookers (placeholders until the booking pages land)."""

from flask import abort
from flask_login import login_required

from . import bp


@bp.route("/bookings/<int:booking_id>")
@login_required
def show_booking(booking_id: int):
    """A booking (placeholder)."""
    abort(404)


@bp.route("/bookings/<int:booking_id>/paid")
@login_required
def booking_paid(booking_id: int):
    """Back from the payment page (placeholder)."""
    abort(404)


@bp.route("/waiting-list/<int:entry_id>")
@login_required
def waiting_list_entry(entry_id: int):
    """A waiting-list entry (placeholder)."""
    abort(404)
