"""Gunicorn settings for Backstop: `gunicorn -c python:marketplace.gunicorn_conf 'marketplace:create_app()'`.

Gunicorn writes its own `Server: gunicorn` line into every response (not a WSGI header, so the app's
SecurityHeaders middleware cannot remove it); this leaves it out, so responses do not advertise the software. Access lines are redacted (RedactingLogger).
Other settings come from the command line or GUNICORN_CMD_ARGS as usual.
"""

from gunicorn import glogging
from gunicorn.http import wsgi

from marketplace.core.logs import redact

_gunicorn_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self) -> list[str]:
    return [line for line in _gunicorn_default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server


class RedactingLogger(glogging.Logger):
    """Gunicorn's logger with link tokens and email addresses redacted from access lines (core/logs.py)."""

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = RedactingLogger
