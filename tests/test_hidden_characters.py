"""Names and other typed text refuse control characters and text-direction overrides (which can make a name
display as something else), with a message naming the field; nothing is saved. Text areas keep line breaks."""

import pytest

from marketplace.accounts.models import User
from marketplace.core.forms import PlainText
from marketplace.extensions import db
from tests import factories
from tests.pages import errors

HIDDEN = ["Ann\u202egnp.exe", "Ann\u2066Able\u2069", "Ann\x07Able", "Ann\x1bAble", "Ann\u200fAble"]


@pytest.fixture
def person(ctx):
    user = factories.user(name="Florence Nightingale", email="florence@example.com")
    db.session.commit()
    return user


@pytest.mark.parametrize("name", HIDDEN)
def test_your_name_refuses_hidden_characters(client, person, login_as, name):
    login_as(person)
    response = client.post("/account", data={"name": name})
    assert response.status_code == 200
    assert "Full name must not include hidden formatting characters: type or paste it again" in errors(response)
    db.session.expire_all()
    assert db.session.get(User, person.id).name == "Florence Nightingale"


def test_registration_refuses_a_name_with_a_direction_override(client, ctx):
    response = client.post(
        "/register",
        data={
            "name": "Mallory\u202e",
            "email": "mallory@example.com",
            "password": "a long enough passphrase",
            "intended_role": "entrepreneur",
        },
    )
    assert "Full name must not include hidden formatting characters: type or paste it again" in errors(response)
    assert db.session.query(User).filter_by(email="mallory@example.com").count() == 0


def test_ordinary_names_and_line_breaks_in_text_areas_pass():
    """Accents, apostrophes, hyphens and emoji are fine; a text area keeps its line breaks and tabs."""
    field = type("Field", (), {"data": "Zoë O'Brien-Smith 😀"})()
    PlainText("Full name")(None, field)
    field.data = "First line\r\nSecond\tline"
    PlainText("Description", multiline=True)(None, field)
