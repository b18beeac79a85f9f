"""Template globals and filters: the features' navigation, and dates and times in UK time (the one place for both)."""

from flask import Flask, request, url_for
from flask_login import current_user

from .clock import to_london
from .features import navigation_for
from .money import format_pence


def navigation() -> list[dict]:
    """Service navigation items for the person, as the registered features give them."""
    items = []
    for link in navigation_for(current_user):
        href = url_for(link.endpoint, **link.values)
        items.append({"text": link.text, "href": href, "active": request.path == href})
    return items


def format_time(moment) -> str:
    """'2:05pm' in UK time."""
    return f"{to_london(moment):%-I:%M%p}".replace("AM", "am").replace("PM", "pm")


def format_date(moment, *, year: bool = True) -> str:
    """'3 March 2026' ('3 March' without the year); a datetime is shown in UK time."""
    local = to_london(moment) if hasattr(moment, "hour") else moment
    if not local:
        return ""
    return f"{local.day} {local:%B %Y}" if year else f"{local.day} {local:%B}"


def format_datetime(moment) -> str:
    """'3 March 2026 at 2:05pm' in UK time."""
    return f"{format_date(moment)} at {format_time(moment)}" if moment else ""


def register(app: Flask) -> None:
    """Expose the helpers to every template."""
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_pence, "money")
    app.add_template_global(navigation)
