"""The app starts, serves the home page and signs a person in."""

from . import factories


def test_home_page(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Backstop" in response.get_data(as_text=True)


def test_sign_in_lands_on_dashboard(client, login_as, ctx):
    person = factories.user(name="Ada Lovelace")
    from marketplace.extensions import db

    db.session.commit()
    login_as(person)
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "Ada Lovelace" in page.get_data(as_text=True)


def test_pages_use_backstops_own_icon_not_govuks(client):
    """Backstop is not on GOV.UK: its pages link its own icon and no GOV.UK crown icon or manifest."""
    html = client.get("/").get_data(as_text=True)
    assert "/static/favicon.svg" in html
    assert "govuk-icon" not in html and "manifest.json" not in html
    assert client.get("/static/favicon.svg").status_code == 200
