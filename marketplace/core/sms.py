"""Text messages through GOV.UK Notify: one generic template, used only when a Notify key is configured.

Only urgent alerts are texted (core/notifications.py decides which, and sends them from the queue). A text says
what happened in a few words and links to Backstop, where the details are: never private details in a text.
The template (NOTIFY_SMS_TEMPLATE_ID) is one whose whole content is ((message)).
"""

import re

from flask import current_app
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from .urls import public_origin

MOBILE_MESSAGE = "Enter a UK mobile number, like 07700 900982 or +44 7700 900982"
_SEPARATORS = re.compile(r"[\s().-]")
_UK_MOBILE = re.compile(r"^(?:\+44|0044|44|0)(7\d{9})$")  # 07… or +447…, as Notify accepts for UK mobiles
SMS_PREFIX = "Backstop: "
SMS_LENGTH = 160  # one text message of plain (GSM) characters
TIMEOUT_SECONDS = 10


def uk_mobile(text: str | None) -> str | None:
    """The UK mobile number in `text` as +447…, or None if it is not one (spaces, dashes and brackets are fine)."""
    compact = _SEPARATORS.sub("", (text or "").replace("(0)", ""))
    found = _UK_MOBILE.match(compact)
    return f"+44{found.group(1)}" if found else None


def configured() -> bool:
    """Whether text messages can be sent: a Notify key and the template are both configured."""
    config = current_app.config
    return bool(config.get("NOTIFY_API_KEY") and config.get("NOTIFY_SMS_TEMPLATE_ID"))


def wants_texts(user) -> bool:
    """Whether urgent alerts are texted to this person: Notify is set up, and they gave a mobile and opted in."""
    return configured() and bool(user.is_active and user.mobile and user.sms_alerts)


def message(title: str, link: str | None) -> str:
    """The text: what happened (the title, cut to fit one message) and the link; the body is never texted."""
    link = f"{public_origin()}{link}" if link and link.startswith("/") else link or ""
    room = max(SMS_LENGTH - len(SMS_PREFIX) - len(link) - 1, 40)
    title = title if len(title) <= room else title[: room - 3].rstrip() + "..."
    return f"{SMS_PREFIX}{title}\n{link}".rstrip()


def reference(notification_id: int) -> str:
    """Notify's reference for a notification's text: our notification id, so a retry can ask whether it went."""
    return f"notification-{notification_id}"


def _client() -> NotificationsAPIClient:
    config = current_app.config
    options = {"base_url": config["NOTIFY_BASE_URL"]} if config.get("NOTIFY_BASE_URL") else {}
    return NotificationsAPIClient(config["NOTIFY_API_KEY"], timeout=TIMEOUT_SECONDS, **options)


def send(mobile: str, text: str, ref: str) -> str:
    """Ask Notify to send one text; its notification id. Raises notifications_python_client's APIError."""
    template_id = current_app.config["NOTIFY_SMS_TEMPLATE_ID"]
    answer = _client().send_sms_notification(mobile, template_id, personalisation={"message": text}, reference=ref)
    return answer["id"]


def sent_already(ref: str) -> str | None:
    """Notify's id of a text it already has under this reference (an earlier attempt that reached it), or None."""
    answer = _client().get_all_notifications(template_type="sms", reference=ref)
    found = answer.get("notifications") or []
    return found[0]["id"] if found else None


def may_work_later(error: Exception) -> bool:
    """Whether a failed request is worth retrying: Notify down, too busy or unreachable, not a refusal (400, 403)."""
    status = error.status_code if isinstance(error, APIError) else None
    return status is None or status == 429 or status >= 500


def describe(error: Exception) -> str:
    """A failure as logs may show it: Notify's status and error names, never the request (it holds the number)."""
    if not isinstance(error, APIError):
        return type(error).__name__
    detail = error.message
    if isinstance(detail, list):
        detail = "; ".join(f"{item.get('error')}: {item.get('message')}" for item in detail if isinstance(item, dict))
    return f"{error.status_code} {detail}"
