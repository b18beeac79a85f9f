"""One "Your organisations" navigation item, however many organisations a person belongs to, and its page."""

from marketplace.extensions import db
from tests import factories
from tests.pages import check_page, nav_links, soup, text


def test_navigation_has_one_organisations_item_however_many_memberships(client, login_as, ctx):
    """Three organisations give one "Your organisations" link, not a link per organisation."""
    person = factories.user(name="Busy Person")
    factories.enterprise(person, name="Acorn Care")
    factories.enterprise(person, name="Birch Support")
    factories.membership(person, factories.publisher(name="Leeds City Council"), role="member")
    db.session.commit()
    login_as(person)
    links = nav_links(client.get("/dashboard"))
    assert links.count("Your organisations") == 1
    assert not {"Acorn Care", "Birch Support", "Leeds City Council"} & set(links)
    [item] = soup(client.get("/dashboard")).select(".govuk-service-navigation__list a[href='/organisations/']")
    assert item.get_text(strip=True) == "Your organisations"


def test_no_organisations_item_without_an_active_membership(client, login_as, ctx):
    """Someone who belongs to nothing, or has only asked to join, sees no "Your organisations" link."""
    person = factories.user()
    factories.membership(person, factories.publisher(name="Leeds City Council"), role="member", status="requested")
    db.session.commit()
    login_as(person)
    assert "Your organisations" not in nav_links(client.get("/dashboard"))


def test_your_organisations_page_lists_each_membership_with_a_link(client, login_as, ctx):
    """The page links to each organisation the person belongs to and shows requests to join without a link."""
    person = factories.user()
    acorn = factories.enterprise(person, name="Acorn Care")
    council = factories.publisher(name="Leeds City Council")
    factories.membership(person, council, role="member")
    waiting = factories.publisher(name="Cornwall Council")
    factories.membership(person, waiting, role="member", status="requested")
    db.session.commit()
    login_as(person)
    page = client.get("/organisations/")
    check_page(page, "/organisations/")
    hrefs = {a["href"] for a in soup(page).select("main a")}
    assert {f"/organisations/{acorn.id}", f"/organisations/{council.id}"} <= hrefs
    assert f"/organisations/{waiting.id}" not in hrefs
    words = text(page)
    assert "Acorn Care" in words and "Leeds City Council" in words
    assert "Cornwall Council: waiting for an owner to accept" in words
