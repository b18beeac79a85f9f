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


def training():
    """A council's courses and sessions, and an enterprise's booking of two people on the first session."""
    council_owner = factories.user(name="Pat Publisher", role="publisher")
    council = factories.publisher(council_owner, name="Leeds City Council")
    first_aid = factories.course(council, title="Emergency first aid at work", accreditation="Skills for Care endorsed")
    safeguarding = factories.course(
        council,
        title="Safeguarding adults: level 2",
        topic_name="Safeguarding adults",
        full_price_pence=0,
        subsidised_price_pence=0,
    )
    session = factories.training_session(first_aid, days_ahead=14, capacity=12)
    factories.training_session(first_aid, days_ahead=35, capacity=8, venue_address="Leeds Central Library")
    factories.training_session(safeguarding, days_ahead=21, capacity=20)
    booker = factories.user(name="Ada Lovelace")
    enterprise = factories.enterprise(booker, name="Ada's Home Care")
    people = [
        ("Ann Attendee", "ann.attendee@adas-home-care.example"),
        ("Bartholomew Longname-Smythe", "bartholomew.longname-smythe@adas-home-care.example"),
    ]
    factories.booking(session, booker, enterprise, people=people)
    db.session.commit()
    return council_owner.email, booker.email, session.id


def assert_no_sideways_scroll(page: Page) -> None:
    """Nothing widens the page beyond the viewport (wide tables scroll inside their own container)."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]}px wide in a {widths[1]}px viewport"


@pytest.mark.parametrize(("viewport", "suffix"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_training_pages(new_page, ctx, clock, viewport, suffix):
    publisher_email, booker_email, session_id = training()
    page = new_page(viewport=viewport)
    page.goto("/training")
    expect(page.get_by_role("heading", name="3 sessions found")).to_be_visible()
    shoot(page, f"training-catalogue-{suffix}")
    assert_no_sideways_scroll(page)

    sign_in(page, booker_email)
    page.goto(f"/training/sessions/{session_id}/book")
    shoot(page, f"training-booking-form-{suffix}")
    assert_no_sideways_scroll(page)
    page.get_by_role("group", name="Person 1").get_by_label("Email address").fill("not an email")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert").get_by_text("There is a problem")).to_be_visible()
    shoot(page, f"training-booking-form-errors-{suffix}")
    assert_no_sideways_scroll(page)
    page.goto("/training/bookings")
    expect(page.get_by_role("table", name="Coming up")).to_contain_text("Emergency first aid at work")
    assert_no_sideways_scroll(page)

    roster = new_page(viewport=viewport)
    sign_in(roster, publisher_email)
    roster.goto(f"/training/manage/sessions/{session_id}/roster")
    expect(roster.get_by_role("table", name="People booked")).to_contain_text("Bartholomew Longname-Smythe")
    shoot(roster, f"training-roster-{suffix}")
    assert_no_sideways_scroll(roster)
