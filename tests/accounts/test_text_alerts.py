"""A mobile number and the choice of urgent alerts by text, on the account page."""

import pytest

from marketplace.accounts import personal_data, services
from marketplace.accounts.models import User
from marketplace.core.errors import DomainError
from marketplace.extensions import db
from tests import factories
from tests.database import audit_events
from tests.pages import errors, soup

NUMBER_MESSAGE = "Enter a UK mobile number, like 07700 900982 or +44 7700 900982"
NEED_NUMBER = "Enter your mobile number to get text message alerts"


@pytest.fixture
def person(ctx):
    user = factories.user(name="Mary Seacole")
    db.session.commit()
    return user


def save(client, **data):
    return client.post("/account", data={"name": "Mary Seacole", **data})


def saved(person) -> tuple:
    db.session.expire_all()
    user = db.session.get(User, person.id)
    return user.mobile, user.sms_alerts


def test_the_account_page_asks_for_a_mobile_and_text_alerts(client, person, login_as):
    login_as(person)
    page = soup(client.get("/account"))
    assert page.select_one("input[name=mobile][type=tel][autocomplete=tel]")
    assert page.select_one("input[name=sms_alerts][type=checkbox]")
    assert "Text me urgent alerts" in page.get_text()


@pytest.mark.parametrize("typed", ["07700 900982", "+44 7700 900982", "07700-900-982", "+44 (0)7700 900982"])
def test_a_uk_mobile_is_saved_as_plus_44(client, person, login_as, typed):
    """07… and +447…, however spaced, are stored as +447…, with the opt-in; the audit event never holds the number."""
    login_as(person)
    response = save(client, mobile=typed, sms_alerts="y")
    assert response.status_code == 302
    assert saved(person) == ("+447700900982", True)
    [event] = audit_events("account.mobile_changed")
    assert event.details == {"given": True} and "7700" not in str(event.details)
    assert audit_events("account.sms_alerts_chosen")[0].details == {"on": True}


@pytest.mark.parametrize("typed", ["0113 496 0000", "+33 6 12 34 56 78", "0770090098", "07700 900982 1", "mobile"])
def test_a_number_that_is_not_a_uk_mobile_gets_a_clear_message(client, person, login_as, typed):
    """A landline, a foreign number, too few or too many digits, words: the message says what to type; nothing saved."""
    login_as(person)
    response = save(client, mobile=typed, sms_alerts="y")
    assert response.status_code == 200
    assert errors(response) == [NUMBER_MESSAGE, NUMBER_MESSAGE]  # in the summary and beside the field, alone
    assert soup(response).select_one("input[name=mobile]")["value"] == typed
    assert saved(person) == (None, False)


def test_text_alerts_need_a_number(client, person, login_as):
    login_as(person)
    response = save(client, mobile="  ", sms_alerts="y")
    assert NEED_NUMBER in errors(response) and saved(person) == (None, False)


def test_a_number_without_the_tick_is_kept_but_not_texted(client, person, login_as):
    login_as(person)
    save(client, mobile="07700900982")
    assert saved(person) == ("+447700900982", False)


def test_removing_the_number_turns_text_alerts_off(client, person, login_as):
    """Clearing the number and the tick: both gone (the tick alone without a number is refused above)."""
    login_as(person)
    save(client, mobile="07700900982", sms_alerts="y")
    save(client, mobile="")
    assert saved(person) == (None, False)


def test_the_service_refuses_what_the_form_would(person):
    """The rule holds for any caller, not only the form."""
    with pytest.raises(DomainError, match="UK mobile"):
        services.choose_text_alerts(person, "0113 496 0000", False)
    with pytest.raises(DomainError, match="mobile number"):
        services.choose_text_alerts(person, None, True)


def test_the_number_is_in_the_data_download_and_gone_when_the_account_closes(person):
    services.choose_text_alerts(person, "07700 900982", True)
    [profile] = personal_data.export(person)["profile"]
    assert (profile["mobile"], profile["text_message_alerts"]) == ("+447700900982", True)
    personal_data.anonymise(person, personal_data.pseudonym_of(person))
    assert (person.mobile, person.sms_alerts) == (None, False)
