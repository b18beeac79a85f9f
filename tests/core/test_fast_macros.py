"""templates/macros/fast.html renders what GOV.UK Frontend's macros render (issue 9): the same elements, classes,
ids, attributes, text and escaping, for the tags and form fields pages show in loops and long forms."""

from copy import deepcopy
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup, Comment, NavigableString
from flask import render_template_string
from werkzeug.datastructures import MultiDict

from marketplace.admin.forms import AuditFilterForm
from marketplace.core.long_lists import autocomplete_on_page
from marketplace.core.template_helpers import govuk_field_params
from marketplace.training import catalogue
from marketplace.training.forms import attendance_form
from marketplace.training.forms_booking import catalogue_filter_form

FAST = '{% import "macros/fast.html" as fast %}'
LEGEND_S = {"fieldset": {"legend": {"text": "Starting from", "classes": "govuk-fieldset__legend--s"}}}
CATALOGUE_PARAMS = {  # as templates/training/catalogue.html passes them
    "area": {"hint": {"text": "Courses for people working in this area"}},
    "starts_from": LEGEND_S,
    "starts_to": LEGEND_S,
    "price": {"classes": "govuk-radios--small", "fieldset": {"legend": {"text": "Price", "classes": "s"}}},
    "delivery": {"classes": "govuk-radios--small", "fieldset": {"legend": {"text": "How", "classes": "s"}}},
}


def dom(html) -> list:
    """The elements (name, attributes in any order), and text with whitespace collapsed, in document order."""
    found = []

    def walk(node):
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                if text := " ".join(str(child).split()):
                    found.append(text)
                continue
            attributes = {k: " ".join(v) if isinstance(v, list) else v for k, v in child.attrs.items()}
            found.append((child.name, sorted(attributes.items())))
            walk(child)
            found.append(f"/{child.name}")

    walk(BeautifulSoup(str(html), "html.parser"))
    return found


def fast_field(field, params=None) -> str:
    return render_template_string(FAST + "{{ fast.field(f, p) }}", f=field, p=params)


def assert_same_as_widget(field, params=None, *, fast=True):
    """(govuk-frontend-wtf's radios and checkboxes change the params they are given: each call gets its own copy.)"""
    widget_html = field(params=deepcopy(params)) if params else field()
    assert (govuk_field_params(field, deepcopy(params)) is not None) is fast, field.name
    assert dom(fast_field(field, deepcopy(params))) == dom(widget_html), field.name


@pytest.mark.parametrize("text", ["New", "Fish & <chips>"])
@pytest.mark.parametrize("classes", ["", "govuk-tag--grey"])
def test_tag_is_govuk_tag(app, text, classes):
    with app.test_request_context():
        govuk = render_template_string(
            '{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}'
            "{{ govukTag({'text': text, 'classes': classes}) }}",
            text=text,
            classes=classes,
        )
        assert dom(render_template_string(FAST + "{{ fast.tag(text, classes) }}", text=text, classes=classes)) == dom(
            govuk
        )
        assert "&lt;chips&gt;" in govuk or text == "New"


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": 'a<b "c"', "topic": "9", "price": "free", "delivery": "online", "starts_from": ["1", "2", "2026"]},
        {"topic": "nope", "area": "99999", "starts_from": ["31", "2", "2026"], "starts_to": ["x", "", ""]},
        {"starts_from": ["5", "5", "2026"], "starts_to": ["1", "1", "2026"]},
    ],
)
def test_catalogue_filters_are_the_widgets_markup(app, ctx, query):
    with app.test_request_context("/training"):
        form = catalogue_filter_form(MultiDict(query), catalogue.topics(), catalogue.areas())
        form.validate()
        form.price.errors.append("Select an area to find courses subsidised there")
        for field in form:
            assert_same_as_widget(field, CATALOGUE_PARAMS.get(field.name))
            assert_same_as_widget(field)


def test_the_area_select_still_asks_for_the_autocomplete(app, ctx):
    with app.test_request_context("/training"):
        form = catalogue_filter_form(MultiDict(), catalogue.topics(), catalogue.areas())
        assert not autocomplete_on_page()
        html = fast_field(form.area, CATALOGUE_PARAMS["area"])
        assert autocomplete_on_page()
        assert 'data-module="bs-autocomplete"' in html and html.count("<option") == len(catalogue.areas()) + 1


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"action": "x<y", "date_from-day": "1", "date_from-month": "2", "date_from-year": "2020", "date_to-day": "40"},
    ],
)
def test_audit_filters_and_attendance_are_the_widgets_markup(app, query):
    with app.test_request_context("/admin/audit"):
        form = AuditFilterForm(formdata=MultiDict(query))
        form.validate()
        for field in (form.action, form.actor, form.organisation, form.date_from, form.date_to):
            assert_same_as_widget(field)
        people = [
            SimpleNamespace(id=n, name=f"Name <{n}>", email=f"p{n}@example.com", status=s)
            for n, s in ((1, "booked"), (2, "attended"))
        ]
        for field in attendance_form(people):
            if field.type == "RadioField":
                assert_same_as_widget(field, {"fieldset": {"legend": {"text": field.label.text, "classes": "s"}}})


def test_params_the_macros_do_not_cover_go_to_the_widget(app, ctx):
    """A page-heading label, an item hint or a widget without a local macro: the field renders itself."""
    with app.test_request_context("/training"):
        form = catalogue_filter_form(MultiDict(), catalogue.topics(), catalogue.areas())
        assert_same_as_widget(form.q, {"label": {"isPageHeading": True}}, fast=False)
        assert_same_as_widget(form.q, {"prefix": {"text": "£"}}, fast=False)
        assert_same_as_widget(form.price, {"items": [{"hint": {"text": "Costs nothing"}}]}, fast=False)
        assert_same_as_widget(
            form.delivery, {"fieldset": {"legend": {"text": "How", "isPageHeading": True}}}, fast=False
        )
        audit = AuditFilterForm(formdata=MultiDict())
        assert_same_as_widget(audit.submit, fast=False)
