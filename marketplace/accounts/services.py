"""Account rules: registration, verification, sign-in, passwords and profiles. Callers commit."""

from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import delete, func, select

from ..core import audit, sms
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.mail import send_email
from ..core.notifications import EmailChoice
from ..core.queue import enqueue
from ..core.tokens import hash_token, new_token, sign, unsign
from ..extensions import db
from . import sessions, throttle
from .models import PasswordResetToken, User
from .passwords import hash_password, verify_password


class EmailTaken(DomainError):
    """Someone already registered with that email address."""


class SignInRefused(DomainError):
    """Sign-in failed; the message never says whether the account exists."""


class NotVerified(DomainError):
    """Correct password, but the email address is not confirmed yet."""


BAD_CREDENTIALS = "Enter a correct email address and password"
THROTTLED = "Too many attempts to sign in. Wait 5 minutes, then try again, or reset your password"


def normalise_email(email: str) -> str:
    """Email addresses compare without case or surrounding spaces."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this email address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(*, name: str, email: str, password: str, intended_role: str, verified: bool = False) -> User:
    """A new account (refuses an email address already in use)."""
    email = normalise_email(email)
    if find_user_by_email(email):
        raise EmailTaken("An account already exists with this email address. Sign in or reset your password")
    user = User(name=name.strip(), email=email, password_hash=hash_password(password), intended_role=intended_role)
    if verified:
        user.email_verified_at = utcnow()
    db.session.add(user)
    db.session.flush()
    return user


def register(*, name: str, email: str, password: str, intended_role: str) -> User | None:
    """Register a person and email them a link to confirm their address.

    If the address already has an account, nothing is created: the holder is emailed instead and None is
    returned, so the caller shows the same page either way and never reveals whether an account exists.
    """
    existing = find_user_by_email(email)
    if existing is not None:
        hash_password(password)  # spend the same effort as a real registration (no timing hint)
        audit.record("account.registration_for_existing_email", obj=existing, actor=None, email=existing.email)
        send_account_exists_email(existing)
        return None
    user = create_user(name=name, email=email, password=password, intended_role=intended_role)
    audit.record("account.registered", obj=user, actor=user, intended_role=intended_role)
    send_verification_email(user)
    return user


def send_account_exists_email(user: User) -> None:
    """Tell an account holder that someone tried to register with their address, with sign-in and reset links."""
    sign_in_link = url_for("accounts.sign_in", _external=True)
    reset_link = url_for("accounts.forgot_password", _external=True)
    send_email(user.email, "account_exists", user=user, sign_in_link=sign_in_link, reset_link=reset_link)


def send_verification_email(user: User) -> None:
    """Email a signed, expiring link that confirms the address."""
    token = sign("verify-email", {"id": user.id, "email": user.email})
    hours = current_app.config["EMAIL_VERIFICATION_MAX_AGE_HOURS"]
    link = url_for("accounts.verify_email", token=token, _external=True)
    send_email(user.email, "verify_email", user=user, link=link, hours=hours)


def verify_email(token: str) -> User | None:
    """Confirm the address in a verification link; None if the link is bad, expired or for an old address."""
    max_age = current_app.config["EMAIL_VERIFICATION_MAX_AGE_HOURS"] * 3600
    data = unsign("verify-email", token, max_age)
    user = db.session.get(User, data["id"]) if isinstance(data, dict) else None
    if user is None or user.email != data.get("email"):
        return None
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        audit.record("account.email_verified", obj=user, actor=user)
    return user


def authenticate(email: str, password: str, ip: str, *, device=None) -> User:
    """The account for these credentials, or SignInRefused with the same words for any failure.

    Every attempt counts against the throttle before its password is checked (accounts/throttle.py) and is taken
    back if the password is right. A browser that signed in to this account before under its current password
    (`device`, a devices.KnownDevice) has its own budget, untouched by anyone else's guesses.
    """
    email = normalise_email(email)
    now = utcnow()
    user = find_user_by_email(email)
    own_device = device.device_id if device is not None and device.is_for(user) else None
    attempt = throttle.reserve_guess(email, ip, now, device=own_device)
    if attempt is None:
        audit.record("account.sign_in_throttled", obj=user, actor=None)
        raise SignInRefused(THROTTLED)
    if not _password_is_right(user, password):
        audit.record("account.sign_in_failed", obj=user, actor=None)
        raise SignInRefused(BAD_CREDENTIALS)
    throttle.release_guess(attempt)
    if not user.is_verified:
        send_verification_email(user)
        raise NotVerified("Confirm your email address before you sign in. We have sent you a new link")
    return user


def _password_is_right(user: User | None, password: str) -> bool:
    """The password matches an active account (the same hashing effort when there is no account)."""
    return verify_password(user.password_hash if user else None, password) and user is not None and user.is_active


def sign_in(user: User, *, remember: bool) -> None:
    """Start a fresh session for an authenticated person."""
    sessions.start_session(user, remember=remember)
    audit.record("account.signed_in", obj=user, actor=user, remember=remember)


def sign_out(user: User) -> None:
    """End the current session."""
    audit.record("account.signed_out", obj=user, actor=user)
    sessions.end_session()


def set_password(user: User, new_password: str, *, keep_signed_in: bool) -> None:
    """Store a new password, revoke every outstanding reset link and end every session; the current browser gets
    a new session if asked."""
    user.password_hash = hash_password(new_password)
    revoke_reset_links(user)
    sessions.end_all_sessions(user)
    if keep_signed_in:
        sessions.start_session(user)


# A message, not a password (bandit B105 reads the name).
PASSWORD_CHECKS_THROTTLED = "You have entered a wrong password too many times. Wait 5 minutes, then try again"  # nosec B105


def confirm_password(user: User, password: str, wrong: str) -> None:
    """A signed-in person types their password again (to change it, or to close their account): each attempt counts
    against the sign-in throttle like a sign-in does, so a stolen session cannot be used to guess it."""
    attempt = throttle.reserve_guess(user.email, audit.client_ip() or "unknown", utcnow())
    if attempt is None:
        raise DomainError(PASSWORD_CHECKS_THROTTLED)
    if not verify_password(user.password_hash, password or ""):
        raise DomainError(wrong)
    throttle.release_guess(attempt)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password after checking the current one."""
    confirm_password(user, current_password, "Your current password is not correct")
    set_password(user, new_password, keep_signed_in=True)
    audit.record("account.password_changed", obj=user, actor=user)
    send_email(user.email, "password_changed", user=user)


def request_password_reset(email: str) -> None:
    """Ask for a single-use reset link (the page says the same either way).

    The request does the same work for a known and an unknown address: it queues `send_password_reset` and
    nothing else, so neither the page nor its timing tells whether an account exists.
    """
    enqueue(send_password_reset, normalise_email(email))


def send_password_reset(email: str) -> None:
    """A queued job: email a reset link if the address has an account (nothing otherwise)."""
    user = find_user_by_email(email)
    if user is None:
        return
    token, token_hash = new_token()
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE_MINUTES"]
    db.session.add(
        PasswordResetToken(user_id=user.id, token_hash=token_hash, expires_at=utcnow() + timedelta(minutes=minutes))
    )
    audit.record("account.password_reset_requested", obj=user, actor=None)
    link = url_for("accounts.reset_password", token=token, _external=True)
    send_email(user.email, "password_reset", user=user, link=link, minutes=minutes)
    db.session.commit()


def revoke_reset_links(user: User) -> int:
    """Make every reset link of this person unusable (after a reset, or a password change)."""
    query = (
        PasswordResetToken.__table__.update()
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return db.session.execute(query).rowcount or 0


def usable_reset_token(token: str) -> PasswordResetToken | None:
    """The reset token behind a link if it is unused and unexpired."""
    row = db.session.scalar(select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token)))
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        return None
    return row


def reset_password(token: str, new_password: str) -> User | None:
    """Use a reset link once: set the password, end all sessions; None if the link is no longer valid."""
    row = usable_reset_token(token)
    if row is None:
        return None
    claimed = db.session.execute(
        PasswordResetToken.__table__.update()
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        return None
    user = db.session.get(User, row.user_id)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    set_password(user, new_password, keep_signed_in=False)
    audit.record("account.password_reset", obj=user, actor=user)
    return user


def update_profile(user: User, *, name: str) -> None:
    """Change the person's name."""
    if user.name != name.strip():
        audit.record("account.profile_updated", obj=user, actor=user, old_name=user.name)
        user.name = name.strip()


def choose_text_alerts(user: User, mobile: str | None, alerts: bool) -> None:
    """The person's UK mobile (stored as +447…, or none) and whether urgent alerts are texted to it (core/sms.py)."""
    number = sms.uk_mobile(mobile) if mobile else None
    if mobile and number is None:
        raise DomainError(sms.MOBILE_MESSAGE)
    if alerts and number is None:
        raise DomainError("Enter your mobile number to get text message alerts")
    if user.mobile != number:
        audit.record("account.mobile_changed", obj=user, actor=user, given=number is not None)  # never the number
        user.mobile = number
    if user.sms_alerts != alerts:
        audit.record("account.sms_alerts_chosen", obj=user, actor=user, on=alerts)
        user.sms_alerts = alerts


def choose_notification_email(user: User, choice: str) -> None:
    """How the person wants notifications emailed: each one, one digest a day, or none (core/notifications.py)."""
    if choice not in set(EmailChoice):
        raise DomainError("Select how we should email you about your notifications")
    if user.notification_email != choice:
        audit.record("account.notification_email_chosen", obj=user, actor=user, old=user.notification_email, new=choice)
        user.notification_email = choice


def purge_expired_reset_tokens(now) -> int:
    """Delete reset tokens past expiry or already used (a periodic job)."""
    query = delete(PasswordResetToken).where(
        (PasswordResetToken.expires_at <= now) | PasswordResetToken.used_at.is_not(None)
    )
    return db.session.execute(query).rowcount or 0


def count_users() -> int:
    """How many accounts exist."""
    return db.session.scalar(select(func.count()).select_from(User)) or 0
