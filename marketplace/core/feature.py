"""Core's own pages, tables and jobs, plugged in like a feature's: notifications and their digests, audit events,
sent emails; what they hold about a person and how long."""

from sqlalchemy.orm import with_expression

from ..accounts.models import User
from . import audit, mail, notifications, personal_data
from .features import Feature, Job, NavItem, NavLink, PersonalData, Retention, signed_in
from .views import bp


def _notifications_link(user) -> list[NavLink]:
    """'Notifications (3 unread)' for a signed-in person."""
    if not signed_in(user):
        return []
    count = notifications.unread_count(user)
    return [NavLink(f"Notifications ({count} unread)" if count else "Notifications", "notifications.index")]


feature = Feature(
    "notifications",
    blueprints=(bp,),
    models=(audit, mail, notifications),
    jobs=(
        Job("purge-sent-emails", "Forget emails sent over 7 days ago (no retry is that late)", mail.purge_sent_emails),
        Job(
            "send-notification-digests",
            "Email yesterday's notifications, in one message, to people who chose a daily email",
            notifications.send_digests,
        ),
    ),
    navigation=(NavItem(70, _notifications_link),),
    signed_in_loads=(lambda: with_expression(User.unread_notifications, notifications.unread_count_of(User.id)),),
    # After the other features (accounts aside), so the audit events they record while closing an account are redacted.
    personal_data=(PersonalData(80, export=personal_data.export, anonymise=personal_data.anonymise),),
    retention=(
        Retention(
            60,
            "IP addresses in the record of what was done in the service",
            f"{audit.IP_KEPT_MONTHS} months",
            audit.forget_ips,
        ),
        Retention(
            70,
            "Notifications",
            f"{personal_data.NOTIFICATIONS_KEPT_YEARS} years",
            personal_data.forget_old_notifications,
        ),
    ),
)
