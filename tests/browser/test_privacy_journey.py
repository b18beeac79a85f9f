"""UK GDPR rights in Chromium: ask for your data, open the emailed link, download the ZIP and open it; close your
account; then signing in fails. axe finds nothing on each page of the journey."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db

from .. import factories
from .conftest import live_url, sign_in
from .test_accessibility import assert_accessible, h1

pytestmark = pytest.mark.browser


@pytest.fixture
def context_options() -> dict:
    """axe is injected as an inline script, which the app's CSP blocks: bypass it in these tests only."""
    return {"bypass_csp": True, "accept_downloads": True}


def test_download_your_data_then_close_your_account(page: Page, ctx, clock, outbox, live_server):
    """The person downloads a ZIP of their data from the emailed link, closes their account, and cannot sign in."""
    person = factories.user(name="Rowan Leaving", email="rowan@example.com")
    factories.enterprise(person, name="Rowan's Care")
    db.session.commit()
    sign_in(page, "rowan@example.com")

    page.goto("/account")
    expect(page.get_by_role("heading", name="Your data")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Request your data").click()
    expect(page.get_by_text("We are preparing your data.")).to_be_visible()

    page.goto(live_url(live_server, outbox.last_link("rowan@example.com", "/account/your-data/")))
    expect(h1(page)).to_have_text("Download your data")
    assert_accessible(page)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download your data (ZIP)").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".zip")
    archive = zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read()))
    everything = json.loads(archive.read("your-data.json"))
    assert everything["profile"][0]["email"] == "rowan@example.com"
    assert "memberships.csv" in archive.namelist()

    page.goto("/account")
    expect(page.get_by_text("We emailed a link to your data to rowan@example.com.")).to_be_visible()
    page.get_by_role("link", name="Close your account").click()
    expect(h1(page)).to_have_text("Close your account")
    assert_accessible(page)
    page.get_by_role("button", name="Close my account").click()
    expect(page.get_by_role("alert").get_by_text("There is a problem")).to_be_visible()
    assert page.title().startswith("Error: Close your account")
    assert_accessible(page)
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Close my account").click()
    expect(page.get_by_text("Your account is closed.")).to_be_visible()
    assert_accessible(page)

    page.goto("/sign-in")
    page.get_by_label("Email address").fill("rowan@example.com")
    page.get_by_label("Password", exact=True).fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Enter a correct email address and password").first).to_be_visible()

    page.goto("/privacy")
    expect(page.get_by_role("cell", name="Notifications", exact=True)).to_be_visible()
    assert_accessible(page)
