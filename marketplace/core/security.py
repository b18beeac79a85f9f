"""Security headers (on every response, even one the app fails to make) and the per-request CSP nonce."""

import logging
import os
import secrets
import sys
from pathlib import Path

from flask import Flask, current_app, g, request

STATIC_ENDPOINTS = {"static", "govuk_assets.static"}
log = logging.getLogger(__name__)


def csp_nonce() -> str:
    """A random nonce for this response's inline scripts."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def allow_form_action(app: Flask, origins) -> None:
    """Let a feature name other sites our forms may lead to: `origins()` returns them, asked on each response."""
    app.extensions.setdefault("form_action_origins", []).append(origins)


def _form_action_sources() -> str:
    """Forms post to us; some are answered by a redirect to another site (a hosted payment page), which browsers
    also check against form-action, so the features that do that name those sites (allow_form_action)."""
    others = [origin for origins in current_app.extensions.get("form_action_origins", ()) for origin in origins()]
    return " ".join(["'self'", *dict.fromkeys(others)])


def _content_security_policy() -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{csp_nonce()}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action {_form_action_sources()}",
            "frame-ancestors 'none'",
        ]
    )


STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS_VALUE = "max-age=31536000; includeSubDomains"
# For a response the app did not make itself (it failed): nothing may run, load or frame it.
FALLBACK_CSP = "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
FAILED_PAGE = (
    b"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Sorry, there is a problem with the service"
    b"</title></head><body><h1>Sorry, there is a problem with the service</h1><p>Try again later.</p></body></html>"
)


def set_security_headers(response):
    """The page's own policy (with this request's nonce) and the no-store rule; SecurityHeaders adds the rest."""
    response.headers["Content-Security-Policy"] = _content_security_policy()
    if request.endpoint not in STATIC_ENDPOINTS:
        response.headers.setdefault("Cache-Control", "no-store")  # pages and downloads carry personal data
    return response


class SecurityHeaders:
    """WSGI middleware: every response leaves with the security headers, and no Server banner, even an error page
    made after Flask gave up (or the app raising), where after_request hooks never ran."""

    def __init__(self, wsgi_app, *, hsts: bool):
        self.wsgi_app = wsgi_app
        self.headers = {**STATIC_HEADERS, **({"Strict-Transport-Security": HSTS_VALUE} if hsts else {})}

    def __call__(self, environ, start_response):
        started = []

        def start_with_headers(status, headers, exc_info=None):
            started.append(status)
            present = {name.lower() for name, _ in headers}
            headers = [(name, value) for name, value in headers if name.lower() != "server"]
            headers += [(name, value) for name, value in self.headers.items() if name.lower() not in present]
            if "content-security-policy" not in present:
                headers.append(("Content-Security-Policy", FALLBACK_CSP))
            if "cache-control" not in present:
                headers.append(("Cache-Control", "no-store"))
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, start_with_headers)
        except Exception:  # the app could not even make its error page: answer a plain one, headers included
            log.exception("The application failed to answer %s", environ.get("PATH_INFO"))
            start_with_headers(
                "500 Internal Server Error",
                [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(FAILED_PAGE)))],
                sys.exc_info() if started else None,  # a second start_response must carry the error
            )
            return [FAILED_PAGE]


def instance_secret_key(instance_path: str) -> str:
    """Development's secret key: random, made on first run and kept in instance/secret_key (readable by the owner
    only), so no known key can mint working links or sessions."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        # Written whole to a private temporary file, then linked into place: two processes starting together
        # both end up reading the one key that was linked first, never a half-written file.
        draft = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def register_security(app: Flask) -> None:
    """Install the header hook and expose the nonce to templates as cspNonce."""
    app.after_request(set_security_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
