"""Domain errors raised by services, and GOV.UK-style error pages."""

import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from ..extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule was broken; the message is plain English for the person who broke it."""


class NotAllowed(DomainError):
    """The person may not do this."""


def _page(template: str, status: int):
    def handler(error):
        return render_template(f"errors/{template}.html"), status

    return handler


def _server_error(error):
    db.session.rollback()
    log.exception("Unhandled error", exc_info=getattr(error, "original_exception", error))
    return render_template("errors/500.html"), 500


def _csrf_error(error: CSRFError):
    return render_template("errors/csrf.html"), 400


def register_error_pages(app: Flask) -> None:
    """GOV.UK pages for 400/403/404/405/413/429/500 and CSRF failures."""
    for status, template in ((400, "400"), (403, "403"), (404, "404"), (405, "405"), (413, "413"), (429, "429")):
        app.register_error_handler(status, _page(template, status))
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(500, _server_error)
