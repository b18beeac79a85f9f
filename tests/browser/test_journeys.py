"""The main journeys, clicked through in Chromium: an entrepreneur sets up, a publisher gets approved."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.organisations.models import MemberRole, Membership, MembershipStatus, Organisation, OrgKind, OrgStatus

from .. import factories
from .conftest import live_url, sign_in

pytestmark = pytest.mark.browser

PASSWORD = "plum teacup lantern orbit"
ENTREPRENEUR = "I run a care or support micro-enterprise"
PUBLISHER = "I work for a council or NHS body"


def register_and_verify(page: Page, outbox, live_server: str, *, name: str, email: str, role: str) -> None:
    """Create an account through the form, then open the confirmation link from the email."""
    page.goto("/")
    page.get_by_role("button", name="Start now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Create a password", exact=True).fill(PASSWORD)
    page.get_by_label(role).check()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text(email).first).to_be_visible()

    page.goto(live_url(live_server, outbox.last_link(email, "verify-email")))
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_text("Your email address is confirmed")).to_be_visible()


def sign_out(page: Page) -> None:
    """Use the header's sign-out button."""
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()


def test_entrepreneur_registers_sets_up_enterprise_and_signs_out(page: Page, ctx, outbox, live_server):
    email = "ada@example.com"
    register_and_verify(page, outbox, live_server, name="Ada Lovelace", email=email, role=ENTREPRENEUR)

    sign_in(page, email, PASSWORD)
    page.get_by_role("link", name="Set up your enterprise").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your enterprise")
    page.get_by_label("Trading name").fill("Ada's Home Care")
    page.get_by_label("Partnership").check()
    page.get_by_label("Full-time equivalent staff, including you").fill("1.5")
    page.get_by_label("Council area you work in").fill("Leed")  # the accessible autocomplete
    page.get_by_role("option", name="Leeds", exact=True).click()
    page.get_by_label("Postcode").fill("ls1 4ap")
    page.get_by_role("button", name="Save enterprise").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ada's Home Care")
    expect(page.get_by_text("Ada's Home Care has been set up.")).to_be_visible()
    details = {
        "Legal form": "Partnership",
        "Size": "1.5 full-time equivalent staff",
        "Area": "Leeds",
        "Postcode": "LS1 4AP",
    }
    for key, value in details.items():
        key_cell = page.locator(".govuk-summary-list__key", has_text=re.compile(f"^\\s*{key}\\s*$"))
        row = page.locator(".govuk-summary-list__row").filter(has=key_cell)
        expect(row.locator(".govuk-summary-list__value")).to_have_text(value)

    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None and user.is_verified
    enterprise = db.session.scalar(select(Organisation).where(Organisation.name == "Ada's Home Care"))
    assert enterprise is not None
    assert (enterprise.kind, enterprise.legal_form, str(enterprise.fte), enterprise.area.name, enterprise.postcode) == (
        OrgKind.ENTERPRISE,
        "partnership",
        "1.5",
        "Leeds",
        "LS1 4AP",
    )
    [membership] = db.session.scalars(select(Membership).where(Membership.organisation_id == enterprise.id))
    assert membership.user_id == user.id
    assert (membership.role, membership.status) == (MemberRole.OWNER, MembershipStatus.ACTIVE)

    sign_out(page)
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


def test_publisher_adds_council_and_admin_approves_it(new_page, ctx, outbox, live_server):
    admin = factories.user(name="Grace Admin", admin=True)
    db.session.commit()
    admin_email = admin.email

    publisher = new_page()
    email = "pat@leeds.example.gov.uk"
    register_and_verify(publisher, outbox, live_server, name="Pat Publisher", email=email, role=PUBLISHER)
    sign_in(publisher, email, PASSWORD)
    publisher.get_by_role("link", name="Add or join your council or NHS body").click()
    expect(publisher.get_by_role("heading", level=1)).to_have_text("Add your council or NHS body")
    publisher.get_by_label("Council", exact=True).check()
    publisher.get_by_label("Organisation name").fill("Leeds City Council")
    publisher.get_by_label("Add an area").fill("Leeds")
    publisher.get_by_role("option", name="Leeds", exact=True).click()
    publisher.get_by_role("button", name="Ask for approval").click()

    expect(publisher.get_by_role("heading", level=1)).to_have_text("Your dashboard")
    expect(publisher.get_by_text("Leeds City Council is waiting for approval.")).to_be_visible()
    organisations = publisher.locator(".govuk-summary-list")
    expect(organisations).to_contain_text("(waiting for approval)")

    db.session.expire_all()
    council = db.session.scalar(select(Organisation).where(Organisation.name == "Leeds City Council"))
    assert council is not None
    assert (council.kind, council.status) == (OrgKind.COUNCIL, OrgStatus.PENDING)
    assert [a.name for a in council.served_areas] == ["Leeds"]
    owner = db.session.scalar(select(Membership).where(Membership.organisation_id == council.id))
    assert (owner.user.email, owner.role) == (email, MemberRole.OWNER)

    admin_page = new_page()
    sign_in(admin_page, admin_email)
    admin_page.goto("/admin/organisations?status=pending")
    expect(admin_page.get_by_role("heading", level=1)).to_have_text("Organisations")
    admin_page.get_by_role("button", name="Approve Leeds City Council").click()
    expect(admin_page.get_by_text("Leeds City Council has been approved.")).to_be_visible()
    expect(admin_page.get_by_role("button", name="Approve Leeds City Council")).to_have_count(0)

    db.session.expire_all()
    assert db.session.get(Organisation, council.id).status == OrgStatus.APPROVED

    publisher.reload()
    expect(organisations).to_contain_text("Leeds City Council")
    expect(organisations).not_to_contain_text("waiting for approval")
    expect(publisher.get_by_role("link", name=re.compile(r"Notifications \(1 unread\)"))).to_be_visible()
