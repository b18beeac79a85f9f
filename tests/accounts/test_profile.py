"""Editing your own details."""

import pytest

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests import factories

from .helpers import audit_events, errors


@pytest.fixture
def person(ctx):
    """A verified account."""
    user = factories.user(name="Florence Nightingale", email="florence@example.com")
    db.session.commit()
    return user


def test_profile_shows_details(client, person, login_as):
    """The account page shows the person's name and email."""
    login_as(person)
    page = client.get("/account").get_data(as_text=True)
    assert "Florence Nightingale" in page and "florence@example.com" in page


def test_profile_needs_sign_in(client):
    """Anonymous visitors are sent to sign in."""
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")


def test_edit_name_saves_and_audits(client, person, login_as):
    """Saving a new name changes it and writes account.profile_updated with the old name."""
    login_as(person)
    response = client.post("/account", data={"name": "  Flo Nightingale "})
    assert response.headers["Location"] == "/account"
    assert db.session.get(User, person.id).name == "Flo Nightingale"
    [event] = audit_events("account.profile_updated")
    assert (event.actor_id, event.details["old_name"]) == (person.id, "Florence Nightingale")


def test_unchanged_name_writes_no_audit(client, person, login_as):
    """Saving the same name is not recorded as a change."""
    login_as(person)
    client.post("/account", data={"name": "Florence Nightingale"})
    assert audit_events("account.profile_updated") == []


def test_empty_name_refused(client, person, login_as):
    """An empty name gives the GOV.UK message and the name is kept."""
    login_as(person)
    response = client.post("/account", data={"name": ""})
    assert "Enter your full name" in errors(response)
    assert db.session.get(User, person.id).name == "Florence Nightingale"


def test_profile_post_needs_csrf(client, person, login_as):
    """A profile post without the CSRF token changes nothing."""
    login_as(person)
    assert client.post("/account", data={"name": "Forged"}, csrf=False).status_code == 400
    assert db.session.get(User, person.id).name == "Florence Nightingale"
