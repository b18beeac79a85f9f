"""Full-page screenshots of key pages, for people to look at (test-artifacts/screenshots/)."""

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.organisations.models import OrgStatus

from .. import factories
from .conftest import ROOT, sign_in

pytestmark = pytest.mark.browser

SHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def shoot(page: Page, name: str) -> None:
    """Check the GOV.UK header is there and styled, then save a full-page screenshot."""
    header = page.locator(".govuk-generic-header, header").first
    expect(header).to_contain_text("Backstop")
    expect(page.locator("h1")).to_have_count(1)
    # The footer is a landmark, without GOV.UK's crown or Crown copyright (Backstop is not on GOV.UK).
    footer = page.get_by_role("contentinfo")
    expect(footer).to_contain_text("© Backstop")
    expect(footer.locator(".govuk-footer__crown, .govuk-footer__copyright-logo")).to_have_count(0)
    # GOV.UK Frontend's stylesheet is loaded: the header has its black background, not the browser default.
    background = page.locator(".govuk-generic-header").evaluate("header => getComputedStyle(header).backgroundColor")
    assert background not in ("", "rgba(0, 0, 0, 0)"), "GOV.UK Frontend's CSS did not load"
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    path.unlink(missing_ok=True)
    page.screenshot(path=str(path), full_page=True)
    assert path.exists() and path.stat().st_size > 10_000


def entrepreneur():
    owner = factories.user(name="Ada Lovelace")
    factories.enterprise(owner, name="Ada's Home Care")
    return owner


def publisher():
    owner = factories.user(name="Pat Publisher", role="publisher")
    factories.publisher(owner, name="Leeds City Council")
    return owner


def relief_worker():
    person = factories.user(name="Rhys Relief", role="relief_worker")
    factories.relief_worker(person)
    return person


def admin():
    person = factories.user(name="Grace Admin", admin=True)
    factories.publisher(name="Wakefield Council", status=OrgStatus.PENDING, areas=("Wakefield",))
    return person


@pytest.mark.parametrize(("viewport", "suffix"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_public_pages(new_page, ctx, viewport, suffix):
    page = new_page(viewport=viewport)
    page.goto("/")
    shoot(page, f"home-{suffix}")
    if suffix == "desktop":
        page.goto("/sign-in")
        shoot(page, "sign-in-desktop")


@pytest.mark.parametrize(
    ("role", "seed", "viewports"),
    [
        ("entrepreneur", entrepreneur, {"desktop": DESKTOP, "phone": PHONE}),
        ("publisher", publisher, {"desktop": DESKTOP}),
        ("relief-worker", relief_worker, {"desktop": DESKTOP}),
        ("admin", admin, {"desktop": DESKTOP}),
    ],
)
def test_dashboards(new_page, ctx, role, seed, viewports):
    person = seed()
    db.session.commit()
    for suffix, viewport in viewports.items():
        page = new_page(viewport=viewport)
        sign_in(page, person.email)
        shoot(page, f"dashboard-{role}-{suffix}")
        if suffix == "phone":
            sign_out = page.get_by_role("banner").get_by_role("button", name="Sign out")
            expect(sign_out).to_be_hidden()
            page.get_by_role("button", name="Menu").click()
            expect(sign_out).to_be_visible()
            shoot(page, f"dashboard-{role}-{suffix}-menu")
