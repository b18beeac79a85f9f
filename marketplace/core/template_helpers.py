"""Template globals and filters: navigation by role, unread count, dates and times in UK time."""

from flask import Flask, request, url_for
from flask_login import current_user

from . import permissions
from .clock import to_london
from .money import format_pence
from .notifications import unread_count


def _item(text: str, endpoint: str, **values) -> dict:
    href = url_for(endpoint, **values)
    return {"text": text, "href": href, "active": request.path == href}


def navigation() -> list[dict]:
    """Service navigation items for the signed-in person's roles."""
    training = _item("Training", "training.catalogue")
    if not current_user.is_authenticated:
        return [training, _item("Sign in", "accounts.sign_in"), _item("Create an account", "accounts.register")]
    items = [_item("Dashboard", "dashboard.index"), training, _item("Your bookings", "training.my_bookings")]
    for membership in permissions.active_memberships(current_user):
        items.append(_item(membership.organisation.name, "organisations.show", org_id=membership.organisation_id))
    if permissions.is_relief_worker(current_user):
        items.append(_item("Relief profile", "cover.relief_profile"))
    if permissions.is_admin(current_user):
        items.extend([_item("Admin", "admin.index"), _item("Audit log", "admin.audit")])
    count = unread_count(current_user)
    label = f"Notifications ({count} unread)" if count else "Notifications"
    items.extend([_item(label, "notifications.index"), _item("Your account", "accounts.profile")])
    return items


def format_datetime(moment) -> str:
    """'3 March 2026 at 2:05pm' in UK time."""
    local = to_london(moment)
    if local is None:
        return ""
    return f"{local.day} {local:%B %Y} at {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")


def format_date(moment) -> str:
    """'3 March 2026'."""
    local = to_london(moment) if hasattr(moment, "hour") else moment
    return f"{local.day} {local:%B %Y}" if local else ""


def register(app: Flask) -> None:
    """Expose the helpers to every template."""
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_pence, "money")
    app.add_template_global(navigation)
    app.add_template_global(permissions, "permissions")
