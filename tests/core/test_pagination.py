"""Keyset pagination: Next and Previous walk every row exactly once (ties in the sort key too), cursors cannot be
forged or carried between lists, junk cursors give the first page, and no list page sends OFFSET or an unbounded
COUNT."""

import re
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select

from marketplace.core.audit import AuditEvent
from marketplace.core.notifications import Notification
from marketplace.core.pagination import Page, count_up_to, keyset_page
from marketplace.extensions import db
from tests import factories
from tests.pages import soup

MOMENT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
MOST_PAGES = 30  # more pages than any list here has: a walk longer than this is going round in circles


def _events(actions_and_minutes) -> list[int]:
    """Audit events at MOMENT plus the given minutes (many share a moment), in insertion order; their ids."""
    rows = [
        AuditEvent(action=action, at=MOMENT + timedelta(minutes=m), details={}) for action, m in actions_and_minutes
    ]
    db.session.add_all(rows)
    db.session.commit()
    return [row.id for row in rows]


def _walk(app, query, order, per_page: int) -> tuple[list[list[int]], list[list[int]]]:
    """Follow Next from the first page to the last, then Previous back to the first: the ids on each page."""
    forwards, backwards, cursor = [], [], None
    with app.test_request_context("/admin/audit"):
        while True:
            page = keyset_page(query, order, cursor, per_page=per_page)
            forwards.append([row.id for row in page.items])
            if not page.has_next:
                break
            assert len(forwards) <= MOST_PAGES, "Next never ends"
            cursor = page.next_cursor
        while True:
            backwards.append([row.id for row in page.items])
            if not page.has_previous:
                break
            assert len(backwards) <= MOST_PAGES, "Previous never ends"
            if page.previous_cursor is None:  # the second page: Previous is the plain first page
                assert page.number == 2
            page = keyset_page(query, order, page.previous_cursor, per_page=per_page)
    return forwards, backwards


ORDERS = {
    "newest first": (AuditEvent.at.desc(), AuditEvent.id.desc()),
    "oldest first": (AuditEvent.at, AuditEvent.id),
    "mixed directions": (AuditEvent.action.asc(), AuditEvent.at.desc(), AuditEvent.id.asc()),
}


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
@pytest.mark.parametrize("per_page", [1, 3, 4, 7, 50])
def test_next_and_previous_cover_every_row_once_with_ties(app, ctx, order, per_page):
    """23 events, most of them sharing their moment and action with others: walking Next shows each exactly once in
    the query's own order, and walking Previous back gives the same pages in reverse."""
    _events([("b", minute % 3) for minute in range(10)] + [("a", 0)] * 7 + [("c", 5)] * 6)
    query = select(AuditEvent)
    expected = list(db.session.scalars(select(AuditEvent.id).order_by(*order)))
    forwards, backwards = _walk(app, query, order, per_page)
    assert [row for page in forwards for row in page] == expected
    assert all(len(page) == per_page for page in forwards[:-1]) and 0 < len(forwards[-1]) <= per_page
    assert backwards == forwards[::-1]


def test_a_single_page_has_no_links(app, ctx):
    """Everything fits: no pagination at all."""
    _events([("a", 0)] * 3)
    with app.test_request_context("/admin/audit"):
        page = keyset_page(select(AuditEvent), ORDERS["newest first"], per_page=3)
        assert len(page.items) == 3 and page.govuk_params() is None


def test_links_keep_the_filters_and_replace_the_cursor(app, ctx):
    """Next carries the query string's filters (repeated keys too) and one cursor; the second page's Previous is
    the first page without a cursor; old numbered ?page= links are dropped."""
    _events([("a", n) for n in range(10)])
    order = ORDERS["newest first"]
    with app.test_request_context("/admin/audit?action=a&date_from=1&date_from=2&page=7"):
        first = keyset_page(select(AuditEvent), order, per_page=4)
        links = first.govuk_params()
        assert set(links) == {"next"}
        assert "action=a" in links["next"]["href"] and links["next"]["href"].count("date_from=") == 2
        assert "page=" not in links["next"]["href"] and links["next"]["href"].count("cursor=") == 1
        second = keyset_page(select(AuditEvent), order, first.next_cursor, per_page=4)
        assert second.govuk_params()["previous"]["href"] == "/admin/audit?action=a&date_from=1&date_from=2"
        third = keyset_page(select(AuditEvent), order, second.next_cursor, per_page=4)
        assert third.number == 3 and "cursor=" in third.govuk_params()["previous"]["href"]
        assert "next" not in third.govuk_params()


def _cursor(app, order, per_page: int = 2) -> str:
    with app.test_request_context("/"):
        return keyset_page(select(AuditEvent), order, per_page=per_page).next_cursor


JUNK = ["", "x", "=", "a.b", "%00", "\x00", "🙂", "x" * 5000, "WyJhIiwyLFtdXQ", "WyJhIiwyLFtdXQ.forged", "null"]


@pytest.mark.parametrize("cursor", JUNK)
def test_junk_cursors_give_the_first_page(app, ctx, cursor):
    """A cursor that is not one this list made is ignored: the first page."""
    ids = _events([("a", n) for n in range(5)])
    with app.test_request_context("/"):
        page = keyset_page(select(AuditEvent), ORDERS["oldest first"], cursor, per_page=2)
    assert [row.id for row in page.items] == ids[:2] and page.number == 1


def test_edited_or_borrowed_cursors_give_the_first_page(app, ctx):
    """Changing one character of a real cursor, or using one list's cursor on another, gives the first page."""
    ids = _events([("a", n) for n in range(5)])
    real = _cursor(app, ORDERS["oldest first"])
    payload, signature = real.rsplit(".", 1)  # change the signature's first character (every bit of it counts)
    edited = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    borrowed = _cursor(app, ORDERS["newest first"])
    with app.test_request_context("/"):
        assert [r.id for r in keyset_page(select(AuditEvent), ORDERS["oldest first"], real, 2).items] == ids[2:4]
        for cursor in (edited, borrowed):
            page = keyset_page(select(AuditEvent), ORDERS["oldest first"], cursor, per_page=2)
            assert [row.id for row in page.items] == ids[:2]


def test_a_cursor_past_the_end_gives_the_first_page(app, ctx):
    """If the rows after a cursor have gone (deleted, or no longer matching), the first page, not an empty one."""
    person = factories.user()
    notes = [factories.notification(person, title=f"Note {n}") for n in range(3)]
    db.session.commit()
    order = (Notification.created_at, Notification.id)
    query = select(Notification).where(Notification.user_id == person.id)
    with app.test_request_context("/"):
        cursor = keyset_page(query, order, per_page=2).next_cursor
        db.session.delete(notes[2])
        db.session.commit()
        page = keyset_page(query, order, cursor, per_page=2)
    assert [row.id for row in page.items] == [notes[0].id, notes[1].id] and page.number == 1


def test_nullable_sort_columns_are_refused(app, ctx):
    """A NULL cannot be sought past, so sorting by a nullable column is a mistake caught at once."""
    with app.test_request_context("/"), pytest.raises(ValueError, match="nullable"):
        keyset_page(select(Notification), (Notification.read_at, Notification.id))


def test_counts_stop_at_the_cap(app, ctx):
    """The count reads at most cap + 1 rows and says 'More than' beyond the cap."""
    _events([("a", n) for n in range(6)])
    query = select(AuditEvent)
    assert count_up_to(query, cap=3) == 4 and count_up_to(query, cap=10) == 6
    with app.test_request_context("/"):
        page = keyset_page(query, ORDERS["oldest first"], per_page=2, count=True, count_cap=5)
    assert page.count_text("event", "events") == "More than 5 events" and page.count_figure == "more than 5"
    assert Page(items=[], per_page=2, count=1).count_text("event", "events") == "1 event"
    assert Page(items=[], per_page=2, count=5, count_cap=5).count_text("event", "events") == "5 events"
    assert Page(items=[], per_page=2, count=1234, count_cap=5000).count_text("event", "events") == "1,234 events"


# --- the pages ----------------------------------------------------------------------------------------------------


def _catalogue(world_courses: int = 30):
    course = factories.course(factories.publisher())
    for day in range(world_courses):
        factories.training_session(course, days_ahead=5 + day // 3)  # three sessions a day: ties in starts_at
    return None, "/training"


def _audit(rows: int = 60):
    admin = factories.user(admin=True)
    _events([("test.event", n // 4) for n in range(rows)])
    return admin, "/admin/audit?action=test."


def _notifications(rows: int = 30):
    person = factories.user()
    for n in range(rows):
        factories.notification(person, title=f"Note {n}")  # the frozen clock: every one at the same moment
    return person, "/notifications/"


def _organisations(rows: int = 30):
    admin = factories.user(admin=True)
    for _ in range(rows):
        factories.publisher(status="pending")
    return admin, "/admin/organisations?status=pending"


def _admin_home(rows: int = 30):
    admin, _ = _organisations(rows)
    return admin, "/admin/"


def _my_bookings(rows: int = 30):
    owner = factories.user()
    enterprise = factories.enterprise(owner)
    council = factories.publisher()
    for n in range(rows):
        session = factories.training_session(factories.course(council), days_ahead=-5 - n // 3)
        factories.booking(session, owner, enterprise)
    return owner, "/training/bookings"


def _invoices(rows: int = 30):
    officer = factories.user()
    council = factories.publisher(officer)
    for _ in range(rows):
        factories.payment(payer_organisation=factories.enterprise(factories.user()), payee_organisation=council)
    return officer, f"/payments/organisations/{council.id}/invoices"


def _courses(rows: int = 30):
    officer = factories.user()
    council = factories.publisher(officer)
    for n in range(rows):
        factories.course(council, title=f"Course {n % 4}")  # titles repeat: ties
    return officer, f"/training/manage/organisations/{council.id}/courses"


def _staff_records(rows: int = 30):
    owner = factories.user()
    enterprise = factories.enterprise(owner)
    session = factories.training_session(factories.course(factories.publisher()), days_ahead=-3, capacity=rows + 1)
    people = [(f"Staff {n}", f"staff{n}@example.com") for n in range(rows)]
    for attendee in factories.booking(session, owner, enterprise, people=people).attendees:
        factories.training_record(attendee)  # all completed on one day: ties in the date
    return owner, f"/training/organisations/{enterprise.id}/records"


PAGES = [
    _catalogue,
    _audit,
    _notifications,
    _organisations,
    _admin_home,
    _my_bookings,
    _invoices,
    _courses,
    _staff_records,
]
COUNT = re.compile(r"\bcount\s*\(", re.IGNORECASE)


@contextmanager
def _sent_sql():
    """Every statement sent inside the block, with its parameters."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((" ".join(statement.split()), parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _offset(statement: str, parameters) -> list:
    """The rows each OFFSET in a statement skips (SQLAlchemy's SQLite dialect writes 'LIMIT ? OFFSET ?' with 0 for
    every LIMIT, which skips nothing)."""
    skipped = []
    for match in re.finditer(r"\bOFFSET\s+(\?|\d+|%\((\w+)\)s)", statement, re.IGNORECASE):
        if match.group(1) == "?":
            skipped.append(parameters[statement[: match.start(1)].count("?")])
        elif match.group(2):
            skipped.append(parameters[match.group(2)])
        else:
            skipped.append(int(match.group(1)))
    return skipped


def _pages_visited(client, login_as, build) -> list[list[tuple]]:
    """Sign in as the page's person and follow Next to the end: the SQL each page sent, with its parameters."""
    person, url = build()
    db.session.commit()
    if person:
        login_as(person)
    visited = []
    while url:
        with _sent_sql() as sent:
            response = client.get(url)
        assert response.status_code == 200, url
        visited.append(sent)
        assert len(visited) <= MOST_PAGES, "Next never ends"
        link = soup(response).select_one(".govuk-pagination__next a")
        url = link["href"] if link else None
    return visited


@pytest.mark.parametrize("build", PAGES, ids=[page.__name__.strip("_") for page in PAGES])
def test_no_list_page_sends_offset_or_an_unbounded_count(client, login_as, ctx, clock, build):
    """Every page of every paginated list (several pages each): no OFFSET skipping rows, and any COUNT is over a
    LIMITed subquery (the signed-in person's unread notifications aside: an indexed count for the header)."""
    visited = _pages_visited(client, login_as, build)
    assert len(visited) >= 2 or build is _admin_home, "the list should have more than one page"  # home: page 1 only
    for sent in visited:
        for statement, parameters in sent:
            assert not any(_offset(statement, parameters)), statement
            if COUNT.search(statement) and "notifications.read_at IS NULL" not in statement:
                assert " LIMIT " in statement.upper(), statement


def test_pages_walked_by_next_show_every_row_once(client, login_as, ctx, clock):
    """The notifications list, 60 notes all made at the same moment: Next shows each once, newest id first."""
    person, url = _notifications(60)
    db.session.commit()
    login_as(person)
    titles = []
    while url:
        page = soup(client.get(url))
        assert len(titles) <= 60, "Next never ends"
        titles += [re.search(r"Note \d+", item.get_text()).group() for item in page.select("ul.govuk-list > li")]
        link = page.select_one(".govuk-pagination__next a")
        url = link["href"] if link else None
    assert titles == [f"Note {n}" for n in reversed(range(60))]


@pytest.mark.parametrize("url", ["/training", "/admin/audit", "/notifications/", "/admin/organisations"])
@pytest.mark.parametrize("cursor", ["junk", "%00", "WyJhIiwyLFtdXQ.forged", "x" * 3000, "🙂"])
def test_junk_cursors_on_the_pages_show_the_first_page(client, login_as, ctx, url, cursor):
    """A junk cursor in the address is ignored: the page, never an error."""
    login_as(factories.user(admin=True))
    response = client.get(url, query_string={"cursor": cursor, "page": "-1"})
    assert response.status_code == 200
