"""Serve GOV.UK Frontend's fonts and images where its CSS expects them (/assets/...)."""

import os

from flask import Blueprint, Flask


def register(app: Flask) -> None:
    """Add the /assets route for files copied from node_modules at build time."""
    folder = os.path.join(app.static_folder, "govuk", "assets")
    app.register_blueprint(Blueprint("govuk_assets", __name__, static_folder=folder, static_url_path="/assets"))
