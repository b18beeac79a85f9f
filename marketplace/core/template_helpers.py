"""Template globals and filters: the features' navigation, and dates and times in UK time (the one place for both)."""

from flask import Flask, request, url_for
from flask_login import current_user
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput

from .clock import to_london
from .features import navigation_for
from .long_lists import autocomplete_on_page
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


def format_span(start, end) -> str:
    """'3 March 2026, 9:30am to 12:30pm' within one UK day; otherwise both moments in full."""
    if not start or not end:
        return format_datetime(start or end)
    if to_london(start).date() == to_london(end).date():
        return f"{format_date(start)}, {format_time(start)} to {format_time(end)}"
    return f"{format_datetime(start)} to {format_datetime(end)}"


def _error_anchor(field) -> str:
    """The id of the input to fix: a date's or time's first wrong part, else the field's own id."""
    anchor = getattr(field, "error_anchor", None)
    if anchor:
        return anchor
    return f"{field.id}-day" if isinstance(field.widget, GovDateInput) else field.id


def error_summary(form, params=None) -> dict:
    """govukErrorSummary's params for a form, each error linking to the input to fix (govuk-frontend-wtf's
    `wtforms_errors` links a day/month/year date to its wrapper, which cannot take focus)."""
    summary = wtforms_errors(form, params or {})
    anchors = {f"#{field.id}": f"#{_error_anchor(field)}" for field in form if field.errors}
    for item in summary["errorList"]:
        item["href"] = anchors.get(item["href"], item["href"])
    return summary


def register(app: Flask) -> None:
    """Expose the helpers to every template (our `wtforms_errors` replaces govuk-frontend-wtf's: see above)."""
    app.add_template_global(error_summary, "wtforms_errors")
    app.add_template_global(autocomplete_on_page)
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_global(format_span, "timespan")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_pence, "money")
    app.add_template_global(navigation)
