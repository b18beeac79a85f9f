"""Browser fixtures: the app served from a thread, one Chromium per session, a fresh context per test.

The session `app` fixture sets SERVER_NAME="backstop.test" so that emailed links are absolute. Flask 3.1 no
longer refuses requests whose Host differs from SERVER_NAME (routing binds to the request's host), so the
live server serves 127.0.0.1:<port> unchanged and pages link relatively; only emailed links name
backstop.test, and `live_url(link)` turns them into live-server URLs. SERVER_NAME is therefore left as it is.
"""

import threading
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.serving import make_server

from ..conftest import path_of
from ..factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def live_server(app):
    """The app served on a random local port from a thread in this process (same database); its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (Debian's build: Playwright cannot download its own here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def context_options() -> dict:
    """Options for each test's browser context; a module overrides this to change them."""
    return {}


@pytest.fixture
def new_page(browser, live_server, ctx, context_options):
    """Open a page in a new, isolated browser context (own cookies); all are closed after the test."""
    contexts = []

    def _new_page(**options) -> Page:
        context = browser.new_context(base_url=live_server, **{**context_options, **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page) -> Page:
    """A page in a fresh browser context, its base URL the live server."""
    return new_page()


def live_url(live_server: str, link: str) -> str:
    """An emailed link (http://backstop.test/...) as a URL on the live server."""
    return live_server + path_of(link)


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real form and wait for the dashboard."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dashboard")
