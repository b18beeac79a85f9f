"""Security headers and per-request CSP nonce."""

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request

STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"
STATIC_ENDPOINTS = {"static", "govuk_assets.static"}


def csp_nonce() -> str:
    """A random nonce for this response's inline scripts."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _form_action_sources() -> str:
    """Forms post to us; with Stripe, some (book, pay now) are answered by a redirect to its hosted Checkout page,
    which browsers also check against form-action. STRIPE_API_BASE (the tests' Stripe) serves that page itself."""
    config = current_app.config
    if config.get("PAYMENT_PROVIDER") != "stripe":
        return "'self'"
    base = urlsplit(config.get("STRIPE_API_BASE") or "")
    checkout = f"{base.scheme}://{base.netloc}" if base.scheme and base.netloc else STRIPE_CHECKOUT_ORIGIN
    return f"'self' {checkout}"


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
