"""Template globals and filters: the features' navigation, and dates and times in UK time (the one place for both)."""

from copy import copy, deepcopy

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


# The form widgets templates/macros/fast.html renders: the widget's template -> (macro, the params the macro renders,
# those it needs, an item's params). A field with any other param (a prefix, a conditional reveal, a page-heading
# label, an item hint...) renders itself with GOV.UK Frontend's macro. govukDateInput ignores `label` and `value`.
_SHARED = {"name", "attributes", "hint", "errorMessage", "classes"}
_FAST_WIDGETS = {
    "govuk_frontend_wtf/select.html": (
        "select",
        {"id", "label", "items"},
        ("name", "label"),
        {"text", "value", "selected"},
    ),
    "govuk_frontend_wtf/radios.html": (
        "radios",
        {"fieldset", "items"},
        ("name", "fieldset"),
        {"text", "value", "checked"},
    ),
    "govuk_frontend_wtf/input.html": ("input", {"id", "label", "value", "type"}, ("name", "label"), set()),
    "govuk_frontend_wtf/date.html": (
        "date",
        {"id", "fieldset", "items", "label", "value"},
        ("id", "fieldset", "items"),
        {"label", "id", "name", "value", "classes"},
    ),
}


def _only(value, keys: set) -> bool:
    """None, or a dict of these keys only."""
    return value is None or (isinstance(value, dict) and set(value) <= keys)


def _covered(component: str, params: dict, keys: set, needs: tuple, item_keys: set) -> bool:
    """Whether templates/macros/fast.html renders every one of these GOV.UK params as GOV.UK Frontend's macro would."""
    fieldset, label, items = params.get("fieldset") or {}, params.get("label"), params.get("items") or []
    return (
        set(params) <= keys | _SHARED
        and all(params.get(key) for key in needs)
        and _only(params.get("hint"), {"text"})
        and _only(params.get("errorMessage"), {"text"})
        and (component == "date" or label is None or (_only(label, {"text", "classes"}) and label.get("text")))
        and _only(fieldset, {"legend"})
        and _only(fieldset.get("legend"), {"text", "classes"})
        and all(isinstance(v, str | int) and not isinstance(v, bool) for v in (params.get("attributes") or {}).values())
        and all(isinstance(item, dict) and set(item) <= item_keys for item in items)
        and (component != "radios" or all(item.get("text") for item in items))  # govukLabel shows no empty label
    )


def govuk_field_params(field, params: dict | None = None) -> dict | None:
    """{'component', 'params'}: the GOV.UK params the field's widget builds (render_kw, errors and the page's params
    merged, as when the field renders itself), for templates/macros/fast.html; None when that file does not cover
    the widget or one of its params (the field then renders itself)."""
    fast = _FAST_WIDGETS.get(getattr(field.widget, "template", None))
    if not fast:
        return None
    widget = field.widget
    capture = copy(widget)
    capture.render = lambda built: built  # the widget stops before rendering GOV.UK's macro
    field.widget = capture  # the bound field belongs to this request's form
    try:
        built = field(params=deepcopy(params)) if params else field()
    finally:
        field.widget = widget
    component = fast[0]
    return {"component": component, "params": built} if _covered(component, built, *fast[1:]) else None


def register(app: Flask) -> None:
    """Expose the helpers to every template (our `wtforms_errors` replaces govuk-frontend-wtf's: see above)."""
    app.add_template_global(error_summary, "wtforms_errors")
    app.add_template_global(autocomplete_on_page)
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_global(format_span, "timespan")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_pence, "money")
    app.add_template_global(navigation)
    app.add_template_global(govuk_field_params)
