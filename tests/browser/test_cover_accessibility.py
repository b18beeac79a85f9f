"""axe-core (WCAG 2.0/2.1/2.2 A and AA rules) finds no violations on relief cover's pages, and none scrolls sideways
at 390 px: the enterprise's request page, the worker's open shifts, a shift (taken and open), the timesheet form
(also with its errors), and a pool as the public and its manager see it. The data is tests/cover/world.py's
cover_world; people sign in through the real form."""

import pytest
from playwright.sync_api import Page, expect

from marketplace.cover import timesheets
from marketplace.cover.models import Timesheet
from marketplace.extensions import db

from .. import factories
from ..cover.world import cover_world
from .conftest import sign_in
from .test_accessibility import assert_accessible, h1

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WIDTH = "document.documentElement.scrollWidth"


@pytest.fixture
def context_options() -> dict:
    """axe is injected as an inline script, which the app's CSP (rightly) blocks: bypass it in these tests only."""
    return {"bypass_csp": True}


@pytest.fixture
def cover(ctx, clock):
    """The council's open pool, enterprise A approved, the worker holding the first of two shifts (the second open
    to them) and yesterday's timesheet sent and disputed (so the worker can amend it)."""
    officer = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council")
    owner = factories.user(name="Owen Owner")
    enterprise = factories.enterprise(owner, name="Enterprise A")
    worker = factories.user(name="Wendy Worker", role="relief_worker")
    values = cover_world(officer, council, owner, enterprise, worker)
    sheet = db.session.get(Timesheet, values["timesheet_id"])
    timesheets.dispute_timesheet(sheet, owner, reason="The worker left at 4pm, not 5pm")
    db.session.commit()
    return {
        "officer": officer.email,
        "owner": owner.email,
        "worker": worker.email,
        "worked_shift_id": sheet.shift_id,
        **values,
    }


def _check(new_page, who: str | None, path: str, heading: str) -> None:
    """axe-clean at desktop width, and at 390 px no wider than the screen (and axe-clean there too)."""
    for options in ({}, {"viewport": PHONE}):
        page = new_page(**options)
        if who:
            sign_in(page, who)
        page.goto(path)
        expect(h1(page)).to_contain_text(heading)
        if options:
            width = page.evaluate(WIDTH)
            assert width <= PHONE["width"], f"{path} is {width}px wide at 390 px: it scrolls sideways"
        assert_accessible(page)


def test_request_page(new_page, cover):
    """The enterprise's request: shifts, who covers them, who was told and when, the private notes."""
    _check(new_page, cover["owner"], f"/relief/requests/{cover['request_id']}", f"Cover request {cover['request_id']}")


def test_open_shifts_page(new_page, cover):
    """The worker's shifts and the open one they can take."""
    _check(new_page, cover["worker"], "/relief/shifts", "Cover shifts")


def test_shift_page_taken(new_page, cover):
    """A shift the worker holds: private notes, calendar link and 'Give this shift back'."""
    _check(new_page, cover["worker"], f"/relief/shifts/{cover['shift_id']}", "in Leeds")


def test_shift_page_open_to_accept(new_page, cover):
    """The request's second shift, open, with its Accept button."""
    _check(new_page, cover["worker"], f"/relief/shifts/{cover['shift_id'] + 1}", "in Leeds")


def test_timesheet_page(new_page, cover):
    """The disputed timesheet's form, to amend."""
    _check(new_page, cover["worker"], f"/relief/shifts/{cover['worked_shift_id']}/timesheet", "Your timesheet")


def test_timesheet_form_with_errors(page: Page, cover):
    """The timesheet form after bad answers: the error summary and the messages by the fields stay accessible."""
    sign_in(page, cover["worker"])
    page.goto(f"/relief/shifts/{cover['worked_shift_id']}/timesheet")
    page.get_by_label("Unpaid break in minutes").fill("lots")
    page.get_by_role("button", name="Send timesheet").click()
    expect(page.get_by_role("link", name="Enter the break as a whole number of minutes, like 30")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert page.evaluate(WIDTH) <= PHONE["width"]


def test_public_pool_page(new_page, cover):
    """The pool as anyone sees it, signed out."""
    _check(new_page, None, f"/relief/pools/{cover['pool_id']}", "Leeds relief pool")


def test_public_pool_page_for_an_enterprise_owner(new_page, cover):
    """The pool with the owner's enterprise listed and 'Ask for cover'."""
    _check(new_page, cover["owner"], f"/relief/pools/{cover['pool_id']}", "Leeds relief pool")


def test_managers_pool_page(new_page, cover):
    """The manager's pool: settings, shifts at risk, enterprises, workers, disputes, strikes."""
    _check(new_page, cover["officer"], f"/relief/manage/pools/{cover['pool_id']}", "Leeds relief pool")


def test_request_form(new_page, cover):
    """The form an enterprise asks for cover with (three shift rows of date and time inputs)."""
    org_path = f"/relief/requests/{cover['request_id']}"
    page = new_page()
    sign_in(page, cover["owner"])
    page.goto(org_path)
    page.get_by_role("link", name="Back to cover requests").click()
    page.get_by_role("link", name="Ask for cover").click()
    expect(h1(page)).to_have_text("Ask for cover")
    assert_accessible(page)
    page.get_by_role("button", name="Ask for cover").click()
    expect(page.get_by_role("link", name="Enter the date of the shift")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert page.evaluate(WIDTH) <= PHONE["width"]
