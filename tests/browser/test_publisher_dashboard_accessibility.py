"""axe-core finds no violations on a publisher's dashboard (courses, invoices, the folded links) or on the account
page with its notification-email choice."""

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db

from .. import factories
from .conftest import sign_in
from .test_accessibility import assert_accessible
from .test_accessibility import context_options as context_options  # axe runs inline: bypass the CSP here too

pytestmark = pytest.mark.browser


def test_publisher_dashboard(page: Page, ctx):
    """Courses with their next sessions, the invoices section, and 'Also on Backstop' opened."""
    officer = factories.user(name="Owen Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council")
    course = factories.course(council, title="Safe lifting")
    for days in (5, 12):
        factories.training_session(course, days_ahead=days)
    factories.course(council, title="Draft course", status="draft")
    factories.payment(payee_organisation=council, payer_organisation=factories.enterprise(name="Erin Care"))
    db.session.commit()
    sign_in(page, officer.email)
    expect(page.get_by_role("heading", name="Your courses")).to_be_visible()
    page.get_by_text("Also on Backstop").click()
    expect(page.get_by_role("link", name="Find training")).to_be_visible()
    assert_accessible(page)


def test_account_page_with_the_email_choice(page: Page, ctx):
    """The radios, and the page again after choosing a daily digest."""
    person = factories.user(name="Florence Nightingale")
    db.session.commit()
    sign_in(page, person.email)
    page.goto("/account")
    page.get_by_label("One email a day, listing the day's notifications").check()
    page.get_by_role("button", name="Save email choice").click()
    expect(page.get_by_text("Your choice of notification emails has been saved.")).to_be_visible()
    assert_accessible(page)
