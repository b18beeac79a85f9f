"""Domain errors raised by services, and GOV.UK-style error pages."""

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

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


class UnusableCharacters(BadRequest):
    """A request carrying a NUL character: nobody types one, and PostgreSQL cannot store it in text."""

    description = (
        "What you sent contains a character that cannot be used (a null character, which can come from pasting). "
        "Remove it and try again."
    )


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def refuse_unusable_characters() -> None:
    """Before any view or query: NUL anywhere in the address, the query string or a posted form (names or values)
    is a 400 page that says so (otherwise PostgreSQL would refuse the text and the person would see a 500)."""
    texts = [request.path, *(text for pair in request.args.items(multi=True) for text in pair)]
    if request.mimetype in FORM_TYPES:
        texts += [text for pair in request.form.items(multi=True) for text in pair]
    if any("\x00" in text for text in texts):
        raise UnusableCharacters()


def _unusable_characters(error: UnusableCharacters):
    return render_template("errors/400.html", message=error.description), 400


def _server_error(error):
    db.session.rollback()
    log.exception("Unhandled error", exc_info=getattr(error, "original_exception", error))
    return render_template("errors/500.html"), 500


def _csrf_error(error: CSRFError):
    return render_template("errors/csrf.html"), 400


def register_error_pages(app: Flask) -> None:
    """GOV.UK pages for 400/403/404/405/413/429/500, CSRF failures and unusable characters (checked first)."""
    for status, template in ((400, "400"), (403, "403"), (404, "404"), (405, "405"), (413, "413"), (429, "429")):
        app.register_error_handler(status, _page(template, status))
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(UnusableCharacters, _unusable_characters)
    app.before_request(refuse_unusable_characters)
    app.register_error_handler(500, _server_error)
