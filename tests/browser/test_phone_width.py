"""At 390 px no page scrolls sideways: every page reachable from each demo role's dashboard is measured.

The demo world (`seed_demo`) is built, then for each role (signed out, admin, a publisher, an entrepreneur, a
relief worker) the test follows every link on the site from the role's start pages, visiting one page of each
route shape (numbers in the path are one shape), and measures `document.documentElement.scrollWidth`.
"""

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error, Page

from marketplace.demo import DEMO_PASSWORD, DOMAIN, seed_demo
from marketplace.extensions import db

from .. import factories
from .conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MAX_PAGES = 120
SKIP = re.compile(r"(sign-out|/static/|\.(pdf|ics|csv|png|svg)$|/download|/export)", re.IGNORECASE)
ROLES = {
    "signed out": None,
    "admin": f"admin@{DOMAIN}",
    "publisher": f"officer.leeds@{DOMAIN}",
    "entrepreneur": f"owner1@{DOMAIN}",
    "relief worker": f"relief1@{DOMAIN}",
}
STARTS = ["/", "/dashboard", "/training", "/training/bookings", "/account", "/notifications/", "/admin/"]
LINKS = "Array.from(document.querySelectorAll('a[href]'), a => a.href)"
WIDTH = "document.documentElement.scrollWidth"


def shape(path: str) -> str:
    """A route's shape: numbers and invoice/certificate numbers replaced, so one page of each kind is visited."""
    return re.sub(r"/(\d+|BS[A-Z]-[\w-]+)(?=/|$)", "/N", path.rstrip("/") or "/")


def visit(page: Page, path: str) -> int | None:
    """Open a page; its scroll width, or None if it is not an HTML page that opened."""
    try:
        response = page.goto(path, wait_until="load")
    except Error:  # a download, or a link that does not open a page
        page.goto("about:blank")
        return None
    if response is None or response.status >= 400 or "html" not in response.headers.get("content-type", ""):
        return None
    return page.evaluate(WIDTH)


def crawl(page: Page, origin: str) -> dict[str, int]:
    """Every page shape reachable from the start pages, with its scroll width."""
    widths, seen, queue = {}, set(), deque(STARTS)
    while queue and len(widths) < MAX_PAGES:
        path = queue.popleft()
        if shape(path) in seen or SKIP.search(path):
            continue
        seen.add(shape(path))
        width = visit(page, path)
        if width is None:
            continue
        widths[path] = width
        for href in page.evaluate(LINKS):
            parts = urlsplit(href)
            if href.startswith(origin) and parts.path:
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return widths


@pytest.fixture
def demo(ctx, clock):
    """The demo world, plus a booking of people with long names and email addresses."""
    seed_demo()
    publisher = factories.user(name="Pat Publisher", role="publisher")
    course = factories.course(factories.publisher(publisher, name="Bartholomew Longname-Smythe Council"))
    session = factories.training_session(course, days_ahead=14, capacity=12)
    booker = factories.user(name="Bartholomew Longname-Smythe", email="bartholomew.longname-smythe@adas.example")
    people = [("Bartholomew Longname-Smythe", "bartholomew.longname-smythe.attendee@adas-home-care.example")]
    factories.booking(session, booker, factories.enterprise(booker, name="Ada's Home Care"), people=people)
    db.session.commit()
    return booker.email


@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_scrolls_sideways_on_a_phone(new_page, live_server, demo, role):
    """Each page reachable as this role is at most 390 px wide; the failure names every page that is wider."""
    page = new_page(viewport=PHONE)
    if ROLES[role]:
        sign_in(page, ROLES[role], DEMO_PASSWORD)
    widths = crawl(page, live_server)
    assert len(widths) > (3 if role == "signed out" else 8), f"too few pages found: {sorted(widths)}"
    wide = {path: width for path, width in widths.items() if width > PHONE["width"]}
    assert not wide, f"{role}: pages wider than 390 px: " + ", ".join(f"{p} ({w}px)" for p, w in sorted(wide.items()))


def test_long_names_and_emails_fit_on_a_phone(new_page, live_server, demo):
    """The booker of people with long email addresses sees their bookings, each within 390 px."""
    page = new_page(viewport=PHONE)
    sign_in(page, demo, factories.PASSWORD)
    widths = crawl(page, live_server)
    wide = {path: width for path, width in widths.items() if width > PHONE["width"]}
    assert not wide, "pages wider than 390 px: " + ", ".join(f"{p} ({w}px)" for p, w in sorted(wide.items()))
