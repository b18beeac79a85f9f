"""On the account page a person chooses how notifications are emailed: each one, one a day, or none."""

import pytest

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests import factories
from tests.database import audit_events, fresh
from tests.pages import errors, h1, soup

CHOICE_PAGE = "/account/notification-emails"
MESSAGE = "Select how we should email you about your notifications"


@pytest.fixture
def person(ctx, login_as):
    """A signed-in person with the default choice (an email each)."""
    user = factories.user(name="Florence Nightingale")
    db.session.commit()
    login_as(user)
    return user


def _choice(person) -> str:
    fresh()
    return db.session.get(User, person.id).notification_email


def test_the_account_page_shows_the_choice_made(client, person):
    """GOV.UK radios, the current choice checked, posting to the choice page."""
    page = soup(client.get("/account"))
    form = page.select_one(f"form[action='{CHOICE_PAGE}']")
    radios = {radio["value"]: radio.has_attr("checked") for radio in form.select("input[type=radio]")}
    assert radios == {"each": True, "daily": False, "none": False}
    assert "How should we email you about your notifications?" in form.legend.get_text()


def test_choosing_a_daily_digest_saves_it(client, person):
    """Saved and audited; back on the account page with it checked."""
    response = client.post(CHOICE_PAGE, data={"notification_email": "daily"})
    assert response.headers["Location"] == "/account"
    assert _choice(person) == "daily"
    [event] = audit_events("account.notification_email_chosen")
    assert (event.actor_id, event.details["old"], event.details["new"]) == (person.id, "each", "daily")
    page = client.get("/account")
    assert "Your choice of notification emails has been saved." in page.get_data(as_text=True)
    assert soup(page).select_one("input[value=daily]").has_attr("checked")


@pytest.mark.parametrize("posted", [{}, {"notification_email": ""}, {"notification_email": "weekly"}])
def test_no_choice_or_a_junk_one_is_refused_on_the_form(client, person, posted):
    """Left out, blank or not one of the choices: the form again with the message, 'Error:' in the title, no change."""
    response = client.post(CHOICE_PAGE, data=posted)
    assert response.status_code == 200
    assert errors(response) == [MESSAGE, MESSAGE]  # the summary and the field
    assert soup(response).title.get_text().startswith("Error: ")
    assert h1(response) == "Notification emails"
    assert _choice(person) == "each"
    assert audit_events("account.notification_email_chosen") == []


def test_the_choice_page_needs_sign_in(client):
    """Anonymous visitors are sent to sign in."""
    assert client.get(CHOICE_PAGE).headers["Location"].startswith("/sign-in")
