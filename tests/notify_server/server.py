"""A GOV.UK Notify-compatible HTTP server for tests: real HTTP on 127.0.0.1, state in memory.

It answers `notifications-python-client` as Notify's API v2 does for text messages: POST /v2/notifications/sms,
GET /v2/notifications/{id} and GET /v2/notifications (filtered by reference, type and status), with Notify's
JSON shapes and errors ({"status_code": ..., "errors": [{"error": ..., "message": ...}]}). Every request must
carry a JWT signed (HS256) with the secret of one of the service's API keys, its `iss` the service id and its
`iat` within 30 seconds of now (checked with the library's own token code, as Notify's API checks it).
"""

import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import (
    TokenAlgorithmError,
    TokenDecodeError,
    TokenError,
    TokenExpiredError,
    TokenIssuerError,
)

UK_MOBILE = re.compile(r"^(?:\+44|0044|44|0)7\d{9}$")
TEMPLATE_TYPES = ("sms", "email", "letter")
SMS_FIELDS = {"phone_number", "template_id", "personalisation", "reference", "sms_sender_id", "scheduled_for"}
PLACEHOLDER = re.compile(r"\(\(([^()]+)\)\)")


class NotifyError(Exception):
    """An error Notify would answer with: status and the first of its `errors`."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message

    def body(self) -> dict:
        """Notify's v2 error body."""
        return {"status_code": self.status, "errors": [{"error": self.error, "message": self.message}]}


def _auth_error(status: int, message: str) -> NotifyError:
    return NotifyError(status, "AuthError", message)


def _validation(message: str) -> NotifyError:
    return NotifyError(400, "ValidationError", message)


def _issuer(token: str) -> str:
    """The token's `iss` (the service id), unverified, as Notify reads it to find the service's keys."""
    try:
        return get_token_issuer(token)
    except TokenIssuerError as error:
        raise _auth_error(403, "Invalid token: iss field not provided") from error
    except TokenDecodeError as error:
        raise _auth_error(403, "Invalid token: signature, api token is not valid") from error


def _signed_with(token: str, secret: str) -> bool:
    """Whether the token is signed with this secret and issued within 30 seconds of now (else Notify's error)."""
    try:
        decode_jwt_token(token, secret)
    except TokenExpiredError as error:
        raise _auth_error(403, "Error: Your system clock must be accurate to within 30 seconds") from error
    except TokenAlgorithmError as error:
        raise _auth_error(403, "Invalid token: algorithm used is not HS256") from error
    except TokenDecodeError:
        return False  # not signed with this key: Notify tries the next
    except TokenError as error:
        raise _auth_error(403, "Invalid token: signature, api token is not valid") from error
    return True


def _timestamp(now: datetime) -> str:
    return now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class ApiKey:
    """One API key of the service: the client is given `key name-service id-secret`."""

    name: str
    secret: str
    revoked: bool = False


@dataclass
class RecordedRequest:
    """One API request as the server received it (before authentication)."""

    method: str
    path: str
    query: dict
    body: dict | None
    authorization: str | None = None


@dataclass
class FakeNotify:
    """The service's state: API keys, templates, notifications sent, and controls for tests."""

    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    keys: list[ApiKey] = field(default_factory=list)
    templates: dict[str, str] = field(default_factory=dict)  # template id → text message content
    notifications: list[dict] = field(default_factory=list)  # oldest first
    requests: list[RecordedRequest] = field(default_factory=list)
    failures: list[tuple[NotifyError, bool]] = field(default_factory=list)  # (error, store the text anyway)
    base_url: str = "http://127.0.0.1"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        """Back to one live API key and one template whose content is ((message)); nothing sent or logged."""
        with self.lock:
            self.keys = [ApiKey("backstop_test", str(uuid.uuid4()))]
            self.templates = {str(uuid.uuid4()): "((message))"}
            self.notifications, self.requests, self.failures = [], [], []

    @property
    def api_key(self) -> str:
        """The first key as Notify's API integration page shows it: key name-service id-secret."""
        return self.key_string(self.keys[0])

    def key_string(self, key: ApiKey) -> str:
        """A key as the client library expects it."""
        return f"{key.name}-{self.service_id}-{key.secret}"

    @property
    def template_id(self) -> str:
        """The id of the first template (the generic ((message)) one)."""
        return next(iter(self.templates))

    def fail_next(
        self,
        status: int = 500,
        error: str = "Exception",
        message: str = "Internal server error",
        *,
        store: bool = False,
    ) -> None:
        """Answer the next send with this error; store=True keeps the text anyway (Notify accepted it, but the answer
        never reached the caller, as after a timeout)."""
        with self.lock:
            self.failures.append((NotifyError(status, error, message), store))

    def texts(self) -> list[dict]:
        """The text messages sent, oldest first."""
        with self.lock:
            return [dict(item) for item in self.notifications if item["type"] == "sms"]

    # API

    def handle(self, method: str, path: str, query: dict, raw_body: str, authorization: str | None) -> tuple[int, dict]:
        """Answer one request: (status, JSON body)."""
        body = None
        try:
            body = json.loads(raw_body) if raw_body else None
        except ValueError:
            body = {"_invalid": raw_body}
        with self.lock:
            self.requests.append(RecordedRequest(method, path, query, body, authorization))
        try:
            self.authenticate(authorization)
            return self._route(method, path, query, body)
        except NotifyError as error:
            return error.status, error.body()

    def authenticate(self, authorization: str | None) -> None:
        """Check the bearer JWT as Notify's API does, or raise its AuthError."""
        if not authorization:
            raise _auth_error(401, "Unauthorized: authentication token must be provided")
        if authorization[:7].title() != "Bearer ":
            raise _auth_error(401, "Unauthorized: authentication bearer scheme must be used")
        token = authorization[7:]
        if _issuer(token) != self.service_id:
            raise _auth_error(403, "Invalid token: service not found")
        for key in self.keys:
            if _signed_with(token, key.secret):
                if key.revoked:
                    raise _auth_error(403, "Invalid token: API key revoked")
                return
        raise _auth_error(403, "Invalid token: API key not found")

    def _route(self, method: str, path: str, query: dict, body: dict | None) -> tuple[int, dict]:
        if method == "POST" and path == "/v2/notifications/sms":
            return 201, self.send_sms(body)
        if method == "GET" and path == "/v2/notifications":
            return 200, self.list_notifications(query)
        found = re.fullmatch(r"/v2/notifications/([^/]+)", path)
        if method == "GET" and found:
            return 200, self.get_notification(found.group(1))
        raise NotifyError(404, "InvalidRequest", "Resource not found")  # Notify's answer to an unknown URL

    def send_sms(self, body: dict | None) -> dict:
        """POST /v2/notifications/sms: check the request as Notify does, store the text, answer its summary."""
        if not isinstance(body, dict) or "_invalid" in body:
            raise NotifyError(400, "BadRequestError", "Invalid JSON supplied in POST data")
        template_id = self._check_sms_request(body)
        content = self._render(self.templates[template_id], body.get("personalisation") or {})
        if len(content) > 918:
            raise _validation(
                f"Text messages cannot be longer than 918 characters. Your message is {len(content)} characters long."
            )
        notification_id = str(uuid.uuid4())
        now = datetime.now(UTC)
        with self.lock:
            failure = self.failures.pop(0) if self.failures else None
            if failure is None or failure[1]:
                self.notifications.append(
                    {
                        "id": notification_id,
                        "reference": body.get("reference"),
                        "phone_number": body["phone_number"],
                        "type": "sms",
                        "status": "delivered",
                        "template_id": template_id,
                        "body": content,
                        "created_at": _timestamp(now),
                        "sent_at": _timestamp(now),
                        "completed_at": _timestamp(now),
                    }
                )
        if failure is not None:
            raise failure[0]
        return {
            "id": notification_id,
            "reference": body.get("reference"),
            "content": {"body": content, "from_number": "GOVUK"},
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": self._template_summary(template_id),
            "scheduled_for": None,
        }

    def _check_sms_request(self, body: dict) -> str:
        """The template id of a valid request, or Notify's validation error."""
        for name in ("phone_number", "template_id"):
            if name not in body:
                raise _validation(f"{name} is a required property")
        unexpected = sorted(set(body) - SMS_FIELDS)
        if unexpected:
            raise _validation(f"Additional properties are not allowed ({', '.join(unexpected)} was unexpected)")
        if body.get("reference") is not None and not isinstance(body["reference"], str):
            raise _validation(f"reference {body['reference']!r} is not of type string, null")
        if not isinstance(body["phone_number"], str) or not UK_MOBILE.match(
            re.sub(r"[\s().-]", "", body["phone_number"])
        ):
            raise _validation("phone_number Not a UK mobile number")
        try:
            template_id = str(uuid.UUID(str(body["template_id"])))
        except ValueError as error:
            raise _validation("template_id is not a valid UUID") from error
        if template_id not in self.templates:
            raise NotifyError(400, "BadRequestError", "Template not found")
        return template_id

    @staticmethod
    def _render(content: str, personalisation: dict) -> str:
        missing = [name for name in PLACEHOLDER.findall(content) if name not in personalisation]
        if missing:
            raise NotifyError(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        return PLACEHOLDER.sub(lambda match: str(personalisation[match.group(1)]), content)

    def _template_summary(self, template_id: str) -> dict:
        return {
            "id": template_id,
            "version": 1,
            "uri": f"{self.base_url}/services/{self.service_id}/templates/{template_id}",
        }

    def _public(self, item: dict) -> dict:
        """A stored notification as GET /v2/notifications answers it."""
        empty = dict.fromkeys(
            (
                "email_address",
                "line_1",
                "line_2",
                "line_3",
                "line_4",
                "line_5",
                "line_6",
                "postcode",
                "postage",
                "subject",
                "created_by_name",
                "scheduled_for",
            )
        )
        return {
            **empty,
            "id": item["id"],
            "reference": item["reference"],
            "phone_number": item["phone_number"],
            "type": item["type"],
            "status": item["status"],
            "template": self._template_summary(item["template_id"]),
            "body": item["body"],
            "created_at": item["created_at"],
            "sent_at": item["sent_at"],
            "completed_at": item["completed_at"],
        }

    def get_notification(self, notification_id: str) -> dict:
        """GET /v2/notifications/{id}."""
        try:
            notification_id = str(uuid.UUID(notification_id))
        except ValueError as error:
            raise _validation("notification_id is not a valid UUID") from error
        with self.lock:
            found = next((item for item in self.notifications if item["id"] == notification_id), None)
        if found is None:
            raise NotifyError(404, "NoResultFound", "No result found")
        return self._public(found)

    def list_notifications(self, query: dict) -> dict:
        """GET /v2/notifications: newest first, filtered by template_type, status and reference."""
        kind = query.get("template_type")
        if kind is not None and kind not in TEMPLATE_TYPES:
            raise _validation(f"template_type {kind} is not one of [sms, email, letter]")
        with self.lock:
            found = [
                self._public(item)
                for item in reversed(self.notifications)
                if (kind is None or item["type"] == kind)
                and (query.get("status") is None or item["status"] == query["status"])
                and (query.get("reference") is None or item["reference"] == query["reference"])
            ]
        return {"notifications": found, "links": {"current": f"{self.base_url}/v2/notifications"}}


class NotifyTestServer(FakeNotify):
    """Serves the fake Notify API from a daemon thread."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.httpd: ThreadingHTTPServer | None = None
        self.thread: threading.Thread | None = None
        self.reset()

    def start(self) -> "NotifyTestServer":
        """Listen on a free port of 127.0.0.1 and serve from a daemon thread."""
        server = self

        class Handler(_Handler):
            notify = server

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="notify-test-server", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(timeout=5)
            self.httpd = self.thread = None

    def __enter__(self) -> "NotifyTestServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into calls on the owning NotifyTestServer."""

    notify: NotifyTestServer

    def do_GET(self):  # noqa: N802
        """Handle GET."""
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        """Handle POST."""
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        status, payload = self.notify.handle(method, url.path, query, body, self.headers.get("Authorization"))
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        """Stay quiet (pytest shows failures, not access logs)."""
