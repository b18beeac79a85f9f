"""A Stripe-compatible HTTP server for tests: real HTTP on 127.0.0.1, state in memory."""

import copy
import html
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .resources import FakeStripe, new_id
from .schema import StripeApiError, decode_form, match_template, spec_paths, validate

API_KEY = re.compile(r"^Bearer (sk_test_\w+)$")


class Headers(dict):
    """Request headers with case-insensitive lookups (`headers["idempotency-key"]`)."""

    def __init__(self, items=()):
        super().__init__((key.title(), value) for key, value in items)

    def __getitem__(self, key):
        return super().__getitem__(key.title())

    def __contains__(self, key):
        return super().__contains__(key.title())

    def get(self, key, default=None):
        """The header's value, or `default`."""
        return super().get(key.title(), default)


@dataclass
class RecordedRequest:
    """One API request as the server received it (params decoded, before validation)."""

    method: str
    path: str
    params: dict
    headers: Headers = field(default_factory=Headers)

    @property
    def idempotency_key(self) -> str | None:
        """The request's `Idempotency-Key` header, if any."""
        return self.headers.get("Idempotency-Key")


class StripeTestServer(FakeStripe):
    """Serves the fake Stripe API (and a hosted Checkout page) from a daemon thread; see `FakeStripe` for controls."""

    # (method, spec path template, handler); templates are the spec's, so requests are checked against them.
    ROUTES = [
        ("POST", "/v1/checkout/sessions", "create_checkout_session"),
        ("GET", "/v1/checkout/sessions/{session}", "_get_checkout_session"),
        ("POST", "/v1/checkout/sessions/{session}/expire", "_expire_checkout_session"),
        ("GET", "/v1/payment_intents/{intent}", "_get_payment_intent"),
        ("GET", "/v1/charges/{charge}", "_get_charge"),
        ("POST", "/v1/refunds", "create_refund"),
        ("GET", "/v1/refunds/{refund}", "_get_refund"),
        ("GET", "/v1/events/{id}", "_get_event"),
        ("POST", "/v1/customers", "create_customer"),
        ("GET", "/v1/customers/{customer}", "_get_customer"),
        ("GET", "/v1/setup_intents/{intent}", "_get_setup_intent"),
        ("GET", "/v1/payment_methods/{payment_method}", "_get_payment_method"),
        ("POST", "/v1/payment_intents", "create_payment_intent"),
        ("POST", "/v1/accounts", "create_account"),
        ("GET", "/v1/accounts/{account}", "_get_account"),
        ("POST", "/v1/account_links", "create_account_link"),
        ("POST", "/v1/transfers", "create_transfer"),
        ("GET", "/v1/transfers/{transfer}", "_get_transfer"),
    ]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> "StripeTestServer":
        """Listen on a free port of 127.0.0.1 and serve from a daemon thread."""
        server = self

        class Handler(_Handler):
            stripe = server

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="stripe-test-server", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(timeout=5)
            self.httpd = self.thread = None

    def __enter__(self) -> "StripeTestServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # API dispatch

    def handle_api(self, method: str, path: str, params: dict, headers: Headers) -> tuple[int, dict, dict]:
        """Answer one /v1 request: (status, JSON body, extra response headers)."""
        with self.lock:
            self.requests.append(RecordedRequest(method, path, params, headers))
        try:
            self._authenticate(headers.get("Authorization"))
            handler, template, path_params = self._route(method, path)
            checked = validate(method, template, params)
        except StripeApiError as error:
            return error.status, error.body(), {}
        key = headers.get("Idempotency-Key") if method == "POST" else None
        with self.lock:
            if key is not None and key in self.idempotency:
                return self._replay(key, method, path, params)
            try:
                status, body = 200, getattr(self, handler)(checked, **path_params)
                if method == "POST" and checked.get("expand"):
                    body = self.expand(self.objects[body["id"]], checked["expand"])
            except StripeApiError as error:
                status, body = error.status, error.body()
            except Exception as error:  # a bug in the fake: answer like Stripe's 500, don't store it
                message = f"Backstop Stripe test server error: {error!r}"
                return 500, {"error": {"type": "api_error", "message": message}}, {}
            if key is not None:
                self.idempotency[key] = (method, path, params, status, body)
        return status, body, {"Idempotency-Key": key} if key else {}

    @staticmethod
    def _authenticate(authorization: str | None) -> None:
        if not authorization:
            raise StripeApiError(
                401,
                "You did not provide an API key. You need to provide your API key in the Authorization header, "
                "using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        if not API_KEY.match(authorization):
            key = authorization.removeprefix("Bearer ")
            shown = f"{key[:8]}{'*' * (len(key) - 12)}{key[-4:]}" if len(key) > 12 else key
            raise StripeApiError(401, f"Invalid API Key provided: {shown}")

    def _route(self, method: str, path: str) -> tuple[str, str, dict]:
        routes = {template: handler for verb, template, handler in self.ROUTES if verb == method}
        found = match_template(path, routes)
        if found is None:
            known = match_template(path, spec_paths())
            hint = " (a Stripe endpoint the Backstop test server does not implement)" if known else ""
            raise StripeApiError(
                404,
                f"Unrecognized request URL ({method}: {path}){hint}. Please see https://stripe.com/docs or we can "
                "help at https://support.stripe.com/.",
            )
        template, path_params = found
        return routes[template], template, path_params

    def _replay(self, key: str, method: str, path: str, params: dict) -> tuple[int, dict, dict]:
        first_method, first_path, first_params, status, body = self.idempotency[key]
        if (first_method, first_path, first_params) != (method, path, params):
            error = StripeApiError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                f"Try using a key other than '{key}' if you meant to execute a different request.",
                type="idempotency_error",
            )
            return error.status, error.body(), {}
        return status, body, {"Idempotency-Key": key, "Idempotent-Replayed": "true"}

    def _get(self, kind: str, object_id: str, param: str, params: dict) -> dict:
        return self.expand(self.get_object(kind, object_id, param), params.get("expand", []))

    def _get_checkout_session(self, params: dict, session: str) -> dict:
        return self._get("checkout.session", session, "session", params)

    def _expire_checkout_session(self, params: dict, session: str) -> dict:
        return self.expire_checkout(session)

    def _get_payment_intent(self, params: dict, intent: str) -> dict:
        return self._get("payment_intent", intent, "intent", params)

    def _get_charge(self, params: dict, charge: str) -> dict:
        return self._get("charge", charge, "charge", params)

    def _get_refund(self, params: dict, refund: str) -> dict:
        return self._get("refund", refund, "refund", params)

    def _get_event(self, params: dict, id: str) -> dict:
        return self._get("event", id, "id", params)

    def _get_customer(self, params: dict, customer: str) -> dict:
        return self._get("customer", customer, "customer", params)

    def _get_setup_intent(self, params: dict, intent: str) -> dict:
        return self._get("setup_intent", intent, "intent", params)

    def _get_payment_method(self, params: dict, payment_method: str) -> dict:
        return self._get("payment_method", payment_method, "payment_method", params)

    def _get_account(self, params: dict, account: str) -> dict:
        return self._get("account", account, "account", params)

    def _get_transfer(self, params: dict, transfer: str) -> dict:
        return self._get("transfer", transfer, "transfer", params)

    # Hosted Checkout page

    def checkout_page(self, session_id: str) -> tuple[int, str]:
        """The HTML of the hosted Checkout page: the amount, a Pay button and a Cancel link."""
        with self.lock:
            session = copy.deepcopy(self.objects.get(session_id) or {})
        if session.get("object") != "checkout.session":
            return 404, _page("Not found", "<p>No such Checkout Session.</p>")
        if session["status"] != "open":
            return 410, _page("Checkout", f"<p>This Checkout Session is {html.escape(session['status'])}.</p>")
        if session["mode"] == "setup":
            return 200, _page("Checkout", _setup_form(session_id, session["cancel_url"]))
        items = "".join(
            f"<li>{html.escape(item['price_data'].get('product_data', {}).get('name', 'Item'))}"
            f" &times; {html.escape(str(item['quantity']))}</li>"
            for item in session["_line_items"]
        )
        amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
        body = (
            f"<ul>{items}</ul><p>Total: <strong id='amount'>{amount}</strong></p>"
            f"<form method='post' action='/checkout/{html.escape(session_id)}/pay'>"
            "<button type='submit'>Pay</button></form>"
            f"<p><a href='{html.escape(session['cancel_url'] or '/')}'>Cancel</a></p>"
        )
        return 200, _page("Checkout", body)

    def pay(self, session_id: str) -> tuple[int, str | None]:
        """Complete the session from the hosted page: (303, success URL) or (status, None)."""
        with self.lock:
            session = self.objects.get(session_id)
            if session is None or session.get("object") != "checkout.session":
                return 404, None
            if session["status"] != "open":
                return 410, None
            if session["mode"] == "setup":
                self.complete_setup_checkout(session_id)
            else:
                self.complete_checkout(session_id)
            return 303, session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)

    def onboarding_page(self, account_id: str, token: str) -> tuple[int, str]:
        """The hosted Connect onboarding page: a Finish button (the person's details are taken as given)."""
        with self.lock:
            account = self.objects.get(account_id) or {}
            known = account.get("object") == "account" and token in account.get("_links", {})
        if not known:
            return 404, _page("Not found", "<p>This onboarding link is not valid.</p>")
        body = (
            f"<p>Tell us about yourself to get paid.</p><form method='post' action='/connect/{html.escape(account_id)}"
            f"/{html.escape(token)}'><button type='submit'>Finish</button></form>"
        )
        return 200, _page("Onboarding", body)


def _setup_form(session_id: str, cancel_url: str | None) -> str:
    return (
        "<p>Save a card for future payments.</p>"
        f"<form method='post' action='/checkout/{html.escape(session_id)}/pay'><button type='submit'>Save card</button>"
        f"</form><p><a href='{html.escape(cancel_url or '/')}'>Cancel</a></p>"
    )


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title} - Stripe test server</title>"
        f"</head><body><main><h1>{title}</h1>{body}</main></body></html>"
    )


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into calls on the owning StripeTestServer."""

    stripe: StripeTestServer

    def do_GET(self):  # noqa: N802
        """Handle GET."""
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        """Handle POST."""
        self._dispatch("POST")

    def do_DELETE(self):  # noqa: N802
        """Handle DELETE."""
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        checkout = re.fullmatch(r"/checkout/([^/]+)(/pay)?", url.path)
        if checkout:
            self._checkout(method, checkout.group(1), bool(checkout.group(2)))
            return
        onboarding = re.fullmatch(r"/connect/([^/]+)/([^/]+)", url.path)
        if onboarding:
            self._onboarding(method, *onboarding.groups())
            return
        pairs = parse_qsl(url.query, keep_blank_values=True) + parse_qsl(body, keep_blank_values=True)
        headers = Headers(self.headers.items())
        status, payload, extra = self.stripe.handle_api(method, url.path, decode_form(pairs), headers)
        extra = {"Request-Id": new_id("req", 14), **extra}
        if "Stripe-Version" in headers:
            extra["Stripe-Version"] = headers["Stripe-Version"]
        self._send(status, json.dumps(payload, indent=2), "application/json", extra)

    def _checkout(self, method: str, session_id: str, pay: bool) -> None:
        if method == "POST" and pay:
            status, location = self.stripe.pay(session_id)
            if location:
                self._send(303, "", "text/plain", {"Location": location})
            else:
                self._send(status, _page("Checkout", "<p>This Checkout Session cannot be paid.</p>"), "text/html")
        elif method == "GET" and not pay:
            status, page = self.stripe.checkout_page(session_id)
            self._send(status, page, "text/html; charset=utf-8")
        else:
            self._send(405, _page("Method not allowed", ""), "text/html; charset=utf-8")

    def _onboarding(self, method: str, account_id: str, token: str) -> None:
        if method == "POST":
            location = self.stripe.onboarding_return(account_id, token)
            if location:
                self._send(303, "", "text/plain", {"Location": location})
            else:
                self._send(404, _page("Not found", ""), "text/html; charset=utf-8")
        else:
            status, page = self.stripe.onboarding_page(account_id, token)
            self._send(status, page, "text/html; charset=utf-8")

    def _send(self, status: int, text: str, content_type: str, headers: dict | None = None) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        """Stay quiet (pytest shows failures, not access logs)."""
