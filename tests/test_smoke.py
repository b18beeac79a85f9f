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
