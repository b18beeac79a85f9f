"""Junk never causes a server error. Hypothesis sends generated nonsense to every route: a query string on every
GET, and a form on every POST (the fields each page's own forms have, one to three of them spoiled, some missing or
repeated, the rest answered plausibly), with junk ids and tokens in the path, as each person who may use the route.
Every answer must be below 500. The regression tests for the causes it found are in tests/test_junk_regressions.py.
"""

import os
import time
import zlib
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from marketplace.core.clock import today
from marketplace.extensions import db

from . import factories
from . import test_access_matrix as matrix

world = matrix.world  # the access matrix's people and objects: enterprise A, B, a council, a booking, ...

# Examples per route, method and persona: a few for a route with no fields (its path and query string), more for a
# form, in proportion to its fields; the whole walk stays within about 30 seconds. JUNK_SCALE=10 looks ten times
# harder (for a search by hand before a release: a few minutes).
SCALE = float(os.environ.get("JUNK_SCALE", "1"))
FEWEST_EXAMPLES, EXAMPLES_PER_FIELD, MOST_EXAMPLES = 3 * SCALE, 1.5 * SCALE, int(24 * SCALE)
NOT_WALKED = {"accounts.sign_out"}  # it would end the persona's session for the routes after it
# Each route is walked by the first two of the personas allowed it, in this order (so a page every signed-in
# person has is tried by an entrepreneur and a relief worker, whose pages differ most; public pages by anonymous
# people and entrepreneurs).
PREFERENCE = ["anonymous", "entrepreneur", "relief_worker", "publisher", "admin", "member", "other_org"]
WALKERS_PER_ROUTE = 2

# Text that has broken pages somewhere: NUL (PostgreSQL refuses it in text), control and bidi characters, CR/LF,
# numbers beyond 32 and 64 bits, NaN and infinities, amounts beyond the price columns, dates at the ends of time,
# digits that are not ASCII, very long text, markup, and addresses that lead elsewhere.
NASTY = [
    "\x00",
    "a\x00b",
    "\r\n",
    "/dashboard\r\nSet-Cookie: x=1",
    "\u202eevil\u202c",
    "\u200b",
    "\x1b[2J",
    "\x7f\x08",
    "\ufeff",
    "2147483647",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "1" * 40,
    "-1",
    "0",
    "1.5",
    "²",
    "١٢",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1e30",
    "1E+999999",
    "21000000.01",
    "99999999999.99",
    "0.001",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "9999",
    "99",
    "x" * 10_000,
    "",
    " ",
    "\t",
    "🙂",
    "<script>alert(1)</script>",
    "{{ 7 * 7 }}",
    "' OR '1'='1",
    "%00",
    "../../../etc/passwd",
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "self",
]
JUNK = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(NASTY),  # twice: most junk is of the kinds known to break pages
    st.tuples(st.sampled_from(NASTY), st.text(max_size=4), st.sampled_from(NASTY)).map("".join),
    st.text(max_size=30),
    st.integers().map(str),
    st.floats().map(str),
)
BIG_IDS = [0, 2**31 - 1, 2**31, 2**32, 2**63, 2**64, 10**30]


def _plausible() -> dict[str, str | list[str]]:
    """Answers that pass a field's own checks, for fields a page leaves empty (so junk elsewhere reaches deeper)."""
    starts, deadline = today() + timedelta(days=60), today() + timedelta(days=50)
    answers = {
        "name": "Junk Test Name",
        "email": "junk.test@example.com",
        "password": "a long junk password 42",
        "current_password": "not the persona's password",  # a real change would end the persona's session
        "new_password": "another long junk password 7",
        "title": "Junk course",
        "description": "What the course covers.",
        "full_price": "25.00",
        "subsidised_price": "10",
        "reason": "A junk reason",
        "capacity": "5",
        "venue_address": "1 Junk Street, Leeds",
        "online_link": "https://meet.example.org/junk",
        "postcode": "LS1 4AP",
        "fte": "1.5",
        "phone": "0113 496 0000",
        "gss_code": "E10000099",
        "cpd_hours": "3",
        "certificate_validity_months": "12",
        "cancellation_cutoff_days": "2",
        "max_fte": "5",
        "payee_name": "Junk Council",
        "sort_code": "12-34-56",
        "account_number": "12345678",
        "terms_days": "30",
        "address": "1 Junk Street, Leeds",
        "name_1": "Junk Person",
        "email_1": "junk.person@example.com",
    }
    for field, day in (("starts_on", starts), ("deadline_on", deadline)):
        answers |= {f"{field}-day": str(day.day), f"{field}-month": str(day.month), f"{field}-year": str(day.year)}
    for field, day in (("starts_from", today()), ("starts_to", starts)):  # the catalogue's: three boxes, one name
        answers[field] = [str(day.day), str(day.month), str(day.year)]
    for field, (hour, minute) in (("start_time", (9, 30)), ("end_time", (12, 0)), ("deadline_time", (17, 0))):
        answers |= {f"{field}-hour": str(hour), f"{field}-minute": str(minute)}
    return answers


# --- what each page's forms send --------------------------------------------------------------------------------


def _forms(html: str, page: str) -> list[tuple[str, str, dict[str, dict[str, list[str]]]]]:
    """Each form on a page as (method, action path, fields): for each field name, the `choices` the page offers
    (radios, checkboxes, options) and the values of its `typed` boxes (a date's day, month and year can share one
    name, and then a browser sends all three)."""
    found = []
    for form in BeautifulSoup(html, "html.parser").find_all("form"):
        fields: dict[str, dict[str, list[str]]] = {}
        for tag in form.find_all(["input", "select", "textarea", "button"]):
            name = tag.get("name")
            if not name or name == "csrf_token":
                continue
            field = fields.setdefault(name, {"choices": [], "typed": []})
            if tag.name == "select":
                field["choices"] += [option.get("value", option.get_text()) for option in tag.find_all("option")]
            elif tag.name == "textarea":
                field["typed"].append(tag.get_text())
            elif tag.get("type") in ("checkbox", "radio"):
                field["choices"].append(tag.get("value", "on"))
            else:
                field["typed"].append(tag.get("value", ""))
        action = urlsplit(form.get("action") or page).path or urlsplit(page).path
        found.append(((form.get("method") or "get").upper(), action, fields))
    return found


def _offered(fields: dict[str, dict[str, list[str]]], plausible: dict) -> dict[str, list[tuple[str, ...]]]:
    """For each field, the answers to try (each the values a browser would send for the name): the real choices
    the page offers (not a prompt), what its boxes hold, or a plausible answer where the page leaves them empty."""
    offered = {}
    for name, field in fields.items():
        typed, choices = field["typed"], sorted({value for value in field["choices"] if value})
        if len(typed) > 1:  # several boxes of one name
            answer = plausible.get(name) if not any(typed) else None
            offered[name] = [tuple(answer or typed)]
        elif choices:
            offered[name] = [(value,) for value in choices]
        else:
            value = typed[0] if typed else ""
            offered[name] = [(value or plausible.get(name, ""),)]
    return offered


@st.composite
def _spoiled(draw, answers: list[tuple[str, ...]]) -> tuple[str, ...]:
    """Junk for one field: none, one or several junk values, or (for several boxes) one box's value replaced."""
    answer = draw(st.sampled_from(answers))
    if len(answer) > 1 and draw(st.booleans()):
        box = draw(st.integers(0, len(answer) - 1))
        return (*answer[:box], draw(JUNK), *answer[box + 1 :])
    return tuple(draw(st.lists(JUNK, max_size=3)))


@st.composite
def _answers(draw, fields: dict[str, list[tuple[str, ...]]], extra_names: list[str]) -> MultiDict:
    """One to three fields spoiled (junk, left out, or sent more than once); the others answered as the page offers;
    sometimes a field the form does not have."""
    names = sorted(fields)
    spoiled = draw(st.sets(st.sampled_from(names), min_size=1, max_size=3)) if names else set()
    data = MultiDict()
    for name in names:
        values = draw(_spoiled(fields[name])) if name in spoiled else draw(st.sampled_from(fields[name]))
        data.setlist(name, list(values))
    for name, value in draw(st.lists(st.tuples(st.sampled_from(extra_names), JUNK), max_size=2)):
        data.add(name, value)
    return data


# --- the walk -----------------------------------------------------------------------------------------------------


def _walkers(endpoint: str) -> list[str]:
    """The personas who walk a route: the first WALKERS_PER_ROUTE of those allowed it (a route missing from the
    matrix is walked as if every signed-in persona were allowed it: the access matrix test fails for it anyway)."""
    if endpoint in matrix.PUBLIC:
        allowed = {"anonymous", *matrix.SIGNED_IN}
    else:
        allowed = matrix.ALLOWED.get(endpoint, matrix.SIGNED_IN)
    return [persona for persona in PREFERENCE if persona in allowed][:WALKERS_PER_ROUTE]


def _routes_for(app, persona: str) -> list:
    """The routes this persona walks."""
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
    return [rule for rule in rules if rule.endpoint not in NOT_WALKED and persona in _walkers(rule.endpoint)]


def _path_strategy(app, rule, values: dict):
    """The route's address: its real ids and tokens most of the time, junk ones (too big, zero, NUL...) otherwise."""
    overrides = matrix.ARGUMENT_OVERRIDES.get(rule.endpoint, {})
    parts = {}
    for argument in sorted(rule.arguments):
        key = overrides.get(argument, argument)
        real = values.get(key, "backstop.css")
        if isinstance(rule._converters[argument], IntegerConverter):
            parts[key] = st.one_of(st.just(real), st.sampled_from(BIG_IDS))
        elif argument == "filename":
            parts[key] = st.just(real)
        else:
            parts[key] = st.one_of(st.just(real), JUNK.filter(bool))
    return st.fixed_dictionaries(parts).map(lambda junk: matrix._url(app, rule, {**values, **junk}))


def _sign_in(app, user):
    client = app.test_client()
    if user is not None:
        response = client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302, f"could not sign {user.email} in"
    return client


def _check(client, method: str, url: str, query: MultiDict, form: MultiDict | None, token: str | None):
    """One request; anything from 500 up (or an exception the app let out) fails."""
    target = f"{url}?{urlencode(list(query.items(multi=True)))}" if query else url
    try:
        if method == "GET":
            response = client.get(target, skip_page_check=True)  # page rules are checked elsewhere: only < 500
        else:
            form = MultiDict(form)
            form.setlist("csrf_token", [token])
            response = client.post(target, data=form, csrf=False)
    except Exception:
        db.session.rollback()  # the app's 500 handler would have; the next request must not see a failed transaction
        raise
    assert response.status_code < 500, f"{method} {target} {dict(form or {})!r:.600} -> {response.status_code}"


def _walk(app, client, persona: str, rule, values: dict, fields: dict, extra_names: list[str]) -> list[str]:
    """Run Hypothesis on one route for one persona, each method; the problems found (smallest failing example)."""
    token = client.csrf_token()
    problems = []
    for method in sorted(rule.methods & {"GET", "POST"}):
        query_fields = fields.get(("GET", rule.endpoint), {})
        form_fields = fields.get(("POST", rule.endpoint), {}) if method == "POST" else {}
        query = _answers(query_fields, extra_names)
        form = _answers(form_fields, extra_names) if method == "POST" else st.none()
        examples = int(FEWEST_EXAMPLES + EXAMPLES_PER_FIELD * len(form_fields or query_fields))
        junk_request = _property(
            client, method, token, _path_strategy(app, rule, values), query, form, min(examples, MOST_EXAMPLES)
        )
        try:
            seed(zlib.crc32(f"{persona} {method} {rule.endpoint}".encode()))(junk_request)()
        except Exception as error:  # noqa: BLE001  (collected, so one run reports every route that fails)
            for failure in getattr(error, "exceptions", [error]):  # Hypothesis groups distinct failures
                notes = "\n".join(getattr(failure, "__notes__", []))
                problems.append(f"{rule.endpoint} {method} as {persona}: {failure}\n{notes}")
    return problems


def _property(client, method: str, token: str, urls, queries, forms, examples: int):
    """The property for one route and method: whatever is sent, the answer is below 500."""

    @settings(
        max_examples=examples,
        phases=[Phase.generate, Phase.shrink],
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(url=urls, query=queries, form=forms)
    def junk_request(url, query, form):
        _check(client, method, url, query, form, token)

    return junk_request


def _discover(app, client, rules, values: dict) -> tuple[dict, list[str]]:
    """Open each GET page once and read its forms: (method, endpoint) -> fields, and every field name seen."""
    plausible = _plausible()
    by_path, names = {}, set(plausible) | {"page", "cursor", "next", "status", "q", "topic", "area"}
    for rule in rules:
        if "GET" not in rule.methods or rule.endpoint in {"static", "govuk_assets.static"}:
            continue
        url = matrix._url(app, rule, values)
        response = client.get(url, skip_page_check=True)
        if response.mimetype != "text/html":
            continue
        for method, action, form_fields in _forms(response.get_data(as_text=True), url):
            by_path.setdefault((method, action), {}).update(form_fields)
            names |= set(form_fields)
    fields = {}
    for rule in rules:
        path = urlsplit(matrix._url(app, rule, values)).path
        for method in ("GET", "POST"):
            fields[(method, rule.endpoint)] = _offered(by_path.get((method, path), {}), plausible)
        fields[("GET", rule.endpoint)].setdefault("page", [("2",)])
        fields[("GET", rule.endpoint)].setdefault("cursor", [("WyJhIiwyLFsxXV0",)])  # a list's position (signed)
    return fields, sorted(names)


@pytest.mark.parametrize("persona", PREFERENCE)
def test_junk_never_causes_a_server_error(app, world, persona):
    """Every route this persona may use answers generated junk in its path, query string and form below 500."""
    people, values = world
    client = _sign_in(app, people.get(persona))
    rules = _routes_for(app, persona)
    if not rules:
        pytest.skip(f"every route {persona} may use is walked by others before them (PREFERENCE)")
    started = time.monotonic()
    fields, names = _discover(app, client, rules, values)
    problems = []
    for rule in rules:
        problems += _walk(app, client, persona, rule, values, fields, names)
    print(f"{persona}: {len(rules)} routes in {time.monotonic() - started:.1f} s")
    assert problems == [], "\n\n".join(problems)
