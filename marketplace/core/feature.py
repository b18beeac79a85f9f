"""Core's own pages, tables and jobs, plugged in like a feature's: notifications, audit events, sent emails."""

from . import audit, mail, notifications
from .features import Feature, Job, NavItem, NavLink, signed_in
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
    ),
    navigation=(NavItem(70, _notifications_link),),
)
