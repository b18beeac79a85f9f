"""Security headers and per-request CSP nonce."""

import secrets

from flask import Flask, current_app, g, request

STATIC_ENDPOINTS = {"static", "govuk_assets.static"}


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


def set_security_headers(response):
    """Add the headers every response carries (HSTS only where configured, i.e. production)."""
    response.headers["Content-Security-Policy"] = _content_security_policy()
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint not in STATIC_ENDPOINTS:
        response.headers.setdefault("Cache-Control", "no-store")  # pages and downloads carry personal data
    if current_app.config.get("HSTS"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def register_security(app: Flask) -> None:
    """Install the header hook and expose the nonce to templates as cspNonce."""
    app.after_request(set_security_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
