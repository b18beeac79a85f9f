"""Long lists (212 council areas) are short on the page: with JavaScript an accessible-autocomplete, without it a plain
select or a box of checkboxes that scrolls in its own space; both post the same form, and axe finds nothing wrong."""

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.organisations.models import Organisation
from marketplace.training.models import Course

from .. import factories
from .conftest import sign_in
from .test_accessibility import assert_accessible, h1

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 800}
COURSE_FORM_MAX_HEIGHT = 3000  # px at 1280 wide; with 212 area checkboxes in the page it was 13,866


@pytest.fixture
def council(ctx, clock):
    """An approved council whose owner can add courses and change the areas it serves."""
    officer = factories.user(name="Olive Officer", role="publisher")
    organisation = factories.publisher(officer, name="Leeds City Council", areas=("Leeds",))
    db.session.commit()
    return officer.email, organisation.id


def open_page(new_page, email: str, path: str, *, js: bool = True, **options) -> Page:
    """Signed in, at `path`, 1280 px wide; JavaScript on or off; any problem the browser logs is kept in .problems."""
    page = new_page(java_script_enabled=js, viewport=WIDE, **options)
    page.problems = []
    page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    sign_in(page, email)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return page


def course_form(organisation_id: int) -> str:
    return f"/training/manage/organisations/{organisation_id}/courses/new"


def fill_course(page: Page, title: str) -> None:
    """The course form's required answers (the area question left to the test)."""
    page.get_by_label("Course title").fill(title)
    page.get_by_label("Description").fill("A one-day course.")
    page.get_by_label("Full price per place in pounds").fill("40")
    page.get_by_label("Subsidised price per place in pounds").fill("15")


def saved_course_areas(title: str) -> list[str]:
    """The areas of the course as the live server saved it."""
    db.session.rollback()
    course = db.session.scalars(select(Course).where(Course.title == title)).one()
    return sorted(area.name for area in course.eligible_areas)


def add_area(page: Page, typed: str, name: str) -> None:
    """Type into "Add an area" and choose a suggestion."""
    page.get_by_label("Add an area").fill(typed)
    page.get_by_role("option", name=name, exact=True).click()


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_the_course_form_is_short(new_page, council, js):
    """At 1280 px the whole course form fits in a few screens (it was 13,866 px with every area's checkbox)."""
    email, organisation_id = council
    page = open_page(new_page, email, course_form(organisation_id), js=js)
    expect(h1(page)).to_have_text("Add a course")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < COURSE_FORM_MAX_HEIGHT, f"the course form is {height} px tall"


def test_areas_are_chosen_with_the_autocomplete(new_page, council):
    """Type "Leed", choose Leeds, add and remove another, save: the course is for Leeds only. The library loads
    under the real CSP (nonce) and the browser logs no problem."""
    email, organisation_id = council
    page = open_page(new_page, email, course_form(organisation_id))
    areas = page.get_by_role("group", name="Who can book: areas (optional)")
    expect(areas.get_by_role("checkbox")).to_have_count(0)  # hidden: the autocomplete ticks them
    expect(areas.get_by_text("No areas chosen")).to_be_visible()
    add_area(page, "Leed", "Leeds")
    expect(page.get_by_label("Add an area")).to_have_value("")
    add_area(page, "brad", "Bradford")
    expect(areas.get_by_role("listitem")).to_have_text([re.compile("^Bradford"), re.compile("^Leeds")])
    areas.get_by_role("button", name="Remove Bradford").click()
    expect(page.get_by_label("Add an area")).to_be_focused()
    expect(areas.get_by_role("listitem")).to_have_count(1)
    expect(areas.get_by_text("No areas chosen")).to_be_hidden()
    page.get_by_label("Add an area").fill("Leed")
    expect(page.get_by_role("option", name="Leeds", exact=True)).to_have_count(0)  # already chosen: not offered
    page.get_by_label("Add an area").fill("")
    fill_course(page, "Moving and handling")
    page.get_by_role("button", name="Save course").click()
    expect(h1(page)).to_have_text("Moving and handling")
    assert saved_course_areas("Moving and handling") == ["Leeds"]
    assert page.problems == []


def test_without_javascript_the_checkboxes_still_work(new_page, council):
    """No JavaScript: tick Leeds in the scrolling box of checkboxes and save."""
    email, organisation_id = council
    page = open_page(new_page, email, course_form(organisation_id), js=False)
    expect(page.get_by_label("Add an area")).to_have_count(0)
    fill_course(page, "Safeguarding adults")
    page.get_by_role("checkbox", name="Leeds", exact=True).check()
    page.get_by_role("button", name="Save course").click()
    expect(h1(page)).to_have_text("Safeguarding adults")
    assert saved_course_areas("Safeguarding adults") == ["Leeds"]


def test_an_error_on_the_areas_links_to_the_autocomplete(new_page, council):
    """A council must serve at least one area: Remove its only one, save, and the error summary's link focuses
    "Add an area" (the hidden checkboxes cannot take focus)."""
    email, organisation_id = council
    page = open_page(new_page, email, f"/organisations/{organisation_id}/edit")
    page.get_by_role("button", name="Remove Leeds").click()
    page.get_by_role("button", name="Save details").click()
    expect(page).to_have_title(re.compile("^Error: "))
    page.get_by_role("link", name="Select at least one area you serve").click()
    expect(page.get_by_label("Add an area")).to_be_focused()
    add_area(page, "Wake", "Wakefield")
    page.get_by_role("button", name="Save details").click()
    expect(h1(page)).to_have_text("Leeds City Council")
    db.session.rollback()
    assert [area.name for area in db.session.get(Organisation, organisation_id).served_areas] == ["Wakefield"]


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_the_single_area_select(new_page, ctx, js):
    """The enterprise's area: an autocomplete ("Leed", choose Leeds) with JavaScript, a plain select without;
    either way the enterprise is saved in Leeds."""
    person = factories.user()
    db.session.commit()
    page = open_page(new_page, person.email, "/organisations/new/enterprise", js=js)
    page.get_by_label("Trading name").fill("Aire Support")
    page.get_by_role("radio", name="Sole trader").check()
    page.get_by_label("Full-time equivalent staff, including you").fill("1.5")
    page.get_by_label("Postcode").fill("LS1 1UR")
    if js:
        page.get_by_label("Council area you work in").fill("Leed")
        page.get_by_role("option", name="Leeds", exact=True).click()
        expect(page.get_by_label("Council area you work in")).to_have_value("Leeds")
    else:
        area = page.get_by_label("Council area you work in")
        expect(area).to_have_value("")  # "Select an area": nothing chosen for the person
        area.select_option(label="Leeds")
    page.get_by_role("button", name="Save enterprise").click()
    expect(h1(page)).to_have_text("Aire Support")
    db.session.rollback()
    enterprise = db.session.scalars(select(Organisation).where(Organisation.name == "Aire Support")).one()
    assert enterprise.area.name == "Leeds"
    assert page.problems == []


def test_a_cleared_area_is_no_area(new_page, ctx):
    """Clearing the autocomplete clears the choice: the server answers "Select an area", tied to the box."""
    owner = factories.user()
    enterprise = factories.enterprise(owner, name="Aire Support", area_name="Leeds")
    db.session.commit()
    page = open_page(new_page, owner.email, f"/organisations/{enterprise.id}/edit")
    box = page.get_by_label("Council area you work in")
    expect(box).to_have_value("Leeds")
    box.fill("")
    page.get_by_role("button", name="Save enterprise").click()
    page.get_by_role("link", name="Select an area").click()
    expect(page.get_by_label("Council area you work in")).to_be_focused()


def without_our_scripts(page: Page) -> None:
    """The page as a browser without JavaScript has it (axe itself needs JavaScript): none of its scripts load and
    the classes GOV.UK's inline script adds are taken off."""
    page.evaluate("document.body.classList.remove('js-enabled', 'govuk-frontend-supported')")


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
def test_axe_finds_nothing_on_the_long_lists(new_page, council, js):
    """The course form (empty, with an area chosen) and a council's details form with an error."""
    email, organisation_id = council
    page = new_page(viewport=WIDE, bypass_csp=True)
    if not js:
        page.route(re.compile(r"/static/.*\.js$"), lambda route: route.abort())
    sign_in(page, email)
    page.goto(course_form(organisation_id))
    page.wait_for_load_state("networkidle")
    if not js:
        without_our_scripts(page)
        expect(page.get_by_label("Add an area")).to_have_count(0)
    assert_accessible(page)
    if js:
        add_area(page, "Leed", "Leeds")
    else:
        page.get_by_role("checkbox", name="Leeds", exact=True).check()
    assert_accessible(page)
    page.goto(f"/organisations/{organisation_id}/edit")
    if js:
        page.get_by_role("button", name="Remove Leeds").click()
    else:
        page.get_by_role("checkbox", name="Leeds", exact=True).uncheck()
    page.get_by_role("button", name="Save details").click()
    expect(page).to_have_title(re.compile("^Error: "))
    if not js:
        without_our_scripts(page)
    assert_accessible(page)
