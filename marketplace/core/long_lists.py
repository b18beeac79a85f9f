"""Long lists (212 council areas): GOV.UK's accessible-autocomplete over a plain select or a box of checkboxes.

Progressive enhancement only. Without JavaScript a single choice is a plain select and a multiple choice is a box of
small checkboxes that scrolls in its own space; with it, static/autocomplete.js turns the select into an autocomplete
(`enhanceSelectElement`) and the checkboxes into "Add an area" plus the chosen areas with Remove buttons, still
ticking the same checkboxes, so the server sees the same form either way. A page loads the library only when one of
these widgets rendered on it (base.html asks `autocomplete_on_page()`).
"""

from flask import g
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect


def _used_on_page() -> None:
    """Note that this page needs the autocomplete library (base.html loads it at the end of the page)."""
    g.autocomplete_on_page = True


def autocomplete_on_page() -> bool:
    """Whether a widget on this page needs the autocomplete library."""
    return bool(g.get("autocomplete_on_page"))


class AutocompleteSelect(GovSelect):
    """A GOV.UK select that JavaScript turns into an autocomplete (a plain select without it)."""

    def __call__(self, field, **kwargs):
        _used_on_page()
        kwargs.setdefault("data-module", "bs-autocomplete")
        return super().__call__(field, **kwargs)


class PickManyCheckboxes(GovCheckboxesInput):
    """Small GOV.UK checkboxes in a box of limited height; JavaScript shows an autocomplete to add one and the chosen
    ones with Remove buttons instead. `add_label` labels the autocomplete, `none_chosen` is said when none are."""

    def __init__(self, *, add_label: str, none_chosen: str):
        super().__init__()
        self.add_label, self.none_chosen = add_label, none_chosen

    def __call__(self, field, **kwargs):
        _used_on_page()
        return super().__call__(field, **kwargs)

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        params["classes"] = " ".join(filter(None, [params.get("classes"), "govuk-checkboxes--small bs-pick-many"]))
        params["attributes"] = {
            **params.get("attributes", {}),
            "data-bs-pick-many": field.id,
            "data-add-label": self.add_label,
            "data-none-chosen": self.none_chosen,
        }
        return params
