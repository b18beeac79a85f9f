"""What accounts hold about a person (profile, sessions, failed sign-ins), for their data export; what closing the
account does to it; and the pseudonym a closed account is known by in the records kept."""

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, select

from ..core import audit
from ..core.clock import utcnow
from ..extensions import db
from . import sessions
from .models import SignInFailure, User, UserSession
from .services import revoke_reset_links

# Not an argon2 hash: verify_password refuses every password against it (not a password: bandit B105).
LOCKED_HASH = "!"  # nosec B105


@dataclass(frozen=True)
class Pseudonym:
    """Who a closed account becomes in the records kept about it: a stable code, and the name and email shown."""

    code: str

    @property
    def name(self) -> str:
        return f"Closed account {self.code}"

    @property
    def email(self) -> str:
        """Unique, and undeliverable: the .invalid domain never exists (RFC 2606)."""
        return f"closed-{self.code.lower()}@invalid"


def pseudonym_of(user: User) -> Pseudonym:
    """The person's pseudonym: P- and the first 10 hex digits of an HMAC of their id under SECRET_KEY (stable)."""
    if user.pseudonym:
        return Pseudonym(user.pseudonym)
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else key.encode()
    digest = hmac.new(key, f"user:{user.id}".encode(), hashlib.sha256).hexdigest()
    return Pseudonym(f"P-{digest[:10]}")


def export(user: User) -> dict[str, list[dict]]:
    """The person's profile, their signed-in sessions and the times of failed sign-ins to their account."""
    profile = {
        "name": user.name,
        "email": user.email,
        "registered_as": user.intended_role,
        "registered_at": user.created_at,
        "email_confirmed_at": user.email_verified_at,
        "notification_emails": user.notification_email,
        "mobile": user.mobile,
        "text_message_alerts": user.sms_alerts,
        "platform_admin": user.is_admin,
    }
    signed_in = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id))
    failures = db.session.scalars(select(SignInFailure.at).where(SignInFailure.email == user.email))
    return {
        "profile": [profile],
        "sign_in_sessions": [
            {"started_at": row.created_at, "expires_at": row.expires_at, "keep_me_signed_in": row.remember}
            for row in signed_in
        ],
        # Who tried is not the person's data (their IP address could be anyone's): only when.
        "failed_sign_ins": [{"at": at} for at in failures],
    }


def anonymise(user: User, pseudonym: Pseudonym) -> None:
    """The account keeps only its pseudonym: no name, email or password; every session and reset link ends, failed
    sign-ins are forgotten, and earlier names in its audit events are replaced (last: the others read the row)."""
    old_names = _earlier_names(user)
    theirs = [event.id for event in audit.events_about(user)]
    sessions.end_all_sessions(user)
    revoke_reset_links(user)
    db.session.execute(delete(SignInFailure).where(SignInFailure.email == user.email))
    audit.redact({name: pseudonym.name for name in old_names}, within=theirs)
    user.name, user.email, user.password_hash = pseudonym.name, pseudonym.email, LOCKED_HASH
    user.mobile, user.sms_alerts = None, False
    user.is_active_account, user.is_admin = False, False
    user.pseudonym, user.closed_at = pseudonym.code, utcnow()


def _earlier_names(user: User) -> set[str]:
    """Names the person had before (account.profile_updated records each old name)."""
    events = audit.events_about(user, actions=("account.profile_updated",))
    return {event.details["old_name"] for event in events if event.details.get("old_name")}
