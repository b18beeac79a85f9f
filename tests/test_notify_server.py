"""The Notify test server answers the real `notifications-python-client` as GOV.UK Notify does, checking its JWT."""

import json
import time
import urllib.request
import uuid

import jwt
import pytest
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient


@pytest.fixture
def client(notify_server):
    """A real Notify client with the server's key, talking to the server."""
    return NotificationsAPIClient(notify_server.api_key, base_url=notify_server.base_url)


def refused(call) -> tuple[int, list]:
    """The status and Notify `errors` of a call the server refuses."""
    with pytest.raises(HTTPError) as caught:
        call()
    return caught.value.status_code, caught.value.message


def raw(server, token: str | None, path: str = "/v2/notifications/sms", body: dict | None = None) -> tuple[int, dict]:
    """One request with a hand-made Authorization header: (status, JSON body)."""
    headers = {"Content-Type": "application/json", **({"Authorization": token} if token else {})}
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(server.base_url + path, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # nosec B310 (the local test server)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_text_is_sent_and_found_again(client, notify_server):
    """POST /v2/notifications/sms answers 201 with Notify's shape; GET by id and by reference find it."""
    answer = client.send_sms_notification(
        "07700 900982", notify_server.template_id, personalisation={"message": "Hello"}, reference="notification-1"
    )
    assert set(answer) == {"id", "reference", "content", "uri", "template", "scheduled_for"}
    assert answer["content"] == {"body": "Hello", "from_number": "GOVUK"} and answer["reference"] == "notification-1"
    assert answer["template"]["id"] == notify_server.template_id and answer["template"]["version"] == 1
    assert answer["uri"] == f"{notify_server.base_url}/v2/notifications/{answer['id']}"
    found = client.get_notification_by_id(answer["id"])
    assert (found["type"], found["status"], found["body"], found["phone_number"]) == (
        "sms",
        "delivered",
        "Hello",
        "07700 900982",
    )
    listed = client.get_all_notifications(template_type="sms", reference="notification-1")["notifications"]
    assert [item["id"] for item in listed] == [answer["id"]]
    assert client.get_all_notifications(reference="notification-2")["notifications"] == []


def test_a_key_with_the_wrong_secret_is_refused(notify_server):
    """Signed with a secret the service has no key for: 403 AuthError 'API key not found', nothing sent."""
    bad = NotificationsAPIClient(f"other-{notify_server.service_id}-{uuid.uuid4()}", base_url=notify_server.base_url)
    send = lambda: bad.send_sms_notification("07700900982", notify_server.template_id, {"message": "x"})  # noqa: E731
    assert refused(send) == (403, [{"error": "AuthError", "message": "Invalid token: API key not found"}])
    assert notify_server.texts() == []


def test_a_key_for_another_service_is_refused(notify_server):
    """The right secret under another service id: 403 'service not found'."""
    key = notify_server.keys[0]
    other = NotificationsAPIClient(f"k-{uuid.uuid4()}-{key.secret}", base_url=notify_server.base_url)
    assert refused(lambda: other.get_all_notifications()) == (
        403,
        [{"error": "AuthError", "message": "Invalid token: service not found"}],
    )


def test_a_revoked_key_is_refused(client, notify_server):
    notify_server.keys[0].revoked = True
    assert refused(lambda: client.get_all_notifications())[1][0]["message"] == "Invalid token: API key revoked"


def token(server, *, iat: int | None = None, iss: str | None = None, algorithm: str = "HS256") -> str:
    claims = {"iss": iss or server.service_id, "iat": int(time.time()) if iat is None else iat}
    return "Bearer " + jwt.encode(claims, server.keys[0].secret, algorithm=algorithm)


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512 with Notify's 36-byte secret
@pytest.mark.parametrize(
    ("header", "status", "message"),
    [
        (None, 401, "Unauthorized: authentication token must be provided"),
        ("Basic abc", 401, "Unauthorized: authentication bearer scheme must be used"),
        ("Bearer not-a-jwt", 403, "Invalid token: signature, api token is not valid"),
        ("stale", 403, "Error: Your system clock must be accurate to within 30 seconds"),
        ("future", 403, "Error: Your system clock must be accurate to within 30 seconds"),
        ("HS512", 403, "Invalid token: algorithm used is not HS256"),
    ],
)
def test_bad_tokens_get_notifys_auth_errors(notify_server, header, status, message):
    """Missing, wrongly schemed, malformed, more than 30 s old or ahead, or not HS256: Notify's AuthError each time."""
    now = int(time.time())
    made = {
        "stale": lambda: token(notify_server, iat=now - 60),
        "future": lambda: token(notify_server, iat=now + 60),
        "HS512": lambda: token(notify_server, algorithm="HS512"),
    }
    authorization = made[header]() if header in made else header
    assert raw(notify_server, authorization) == (
        status,
        {"status_code": status, "errors": [{"error": "AuthError", "message": message}]},
    )


def test_a_fresh_token_is_accepted(notify_server):
    """Signed with the key's secret, iss the service id and iat now: the request reaches validation."""
    status, body = raw(notify_server, token(notify_server), body={"template_id": notify_server.template_id})
    assert (status, body["errors"][0]["message"]) == (400, "phone_number is a required property")


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"phone_number": "0113 496 0000"}, "ValidationError", "phone_number Not a UK mobile number"),
        ({"template_id": "nope"}, "ValidationError", "template_id is not a valid UUID"),
        ({"template_id": str(uuid.UUID(int=1))}, "BadRequestError", "Template not found"),
        ({"personalisation": {"other": "x"}}, "BadRequestError", "Missing personalisation: message"),
        ({"colour": "red"}, "ValidationError", "Additional properties are not allowed (colour was unexpected)"),
    ],
)
def test_invalid_texts_get_notifys_validation_errors(notify_server, changes, error, message):
    body = {
        "phone_number": "07700900982",
        "template_id": notify_server.template_id,
        "personalisation": {"message": "x"},
    }
    status, answer = raw(notify_server, token(notify_server), body={**body, **changes})
    assert (status, answer) == (400, {"status_code": 400, "errors": [{"error": error, "message": message}]})
    assert notify_server.texts() == []


def test_unknown_notifications_and_filters(client):
    assert refused(lambda: client.get_notification_by_id(str(uuid.uuid4()))) == (
        404,
        [{"error": "NoResultFound", "message": "No result found"}],
    )
    assert refused(lambda: client.get_notification_by_id("x"))[1][0]["message"] == "notification_id is not a valid UUID"
    assert refused(lambda: client.get_all_notifications(template_type="fax"))[0] == 400


def test_a_planned_failure_can_keep_the_text(client, notify_server):
    """fail_next(store=True): the caller gets the error, but Notify has the text (as when an answer is lost)."""
    notify_server.fail_next(500, store=True)
    send = lambda: client.send_sms_notification("07700900982", notify_server.template_id, {"message": "x"})  # noqa: E731
    assert refused(send) == (500, [{"error": "Exception", "message": "Internal server error"}])
    assert len(notify_server.texts()) == 1
