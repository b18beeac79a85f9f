"""The periodic jobs of every feature, registered in one place."""

from ..accounts.services import purge_expired_reset_tokens
from ..accounts.sessions import purge_expired_sessions
from ..accounts.throttle import purge_old_failures
from ..organisations.services import purge_expired_invitations
from ..training.booking import expire_holds
from ..training.reminders import send_session_reminders, warn_expiring_records
from ..training.waiting import expire_offers
from .jobs import REGISTRY, periodic


def load() -> None:
    """Register the jobs (idempotent: the registry is keyed by name)."""
    if REGISTRY:
        return
    periodic("purge-password-reset-tokens", "Delete used and expired password reset links")(purge_expired_reset_tokens)
    periodic("purge-invitations", "Delete used, revoked and expired invitations")(purge_expired_invitations)
    periodic("purge-sessions", "Delete expired sign-in sessions")(purge_expired_sessions)
    periodic("purge-sign-in-failures", "Forget failed sign-ins older than the throttle window")(purge_old_failures)
    periodic("expire-training-holds", "Release seats held 15 minutes for bookings not paid")(expire_holds)
    periodic("expire-waiting-list-offers", "Pass waiting-list offers not taken in 24 hours to the next entry")(
        expire_offers
    )
    periodic("send-training-reminders", "Remind bookers and attendees 2 days before a session")(send_session_reminders)
    periodic("warn-expiring-training", "Warn people 30 days before a training record expires")(warn_expiring_records)
