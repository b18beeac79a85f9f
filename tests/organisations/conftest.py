"""Fixtures for the organisation tests."""

import pytest

from marketplace.extensions import db
from tests import factories


@pytest.fixture
def enterprise_form(ctx):
    """Valid enterprise set-up form data, with overrides; a key set to None is left out."""

    def _form(**overrides) -> dict:
        data = {
            "name": "Kind Hands Home Support",
            "legal_form": "sole_trader",
            "fte": "1.5",
            "area_id": str(factories.area("Leeds").id),
            "postcode": "LS1 4AP",
            "registration_number": "",
        }
        data.update(overrides)
        return {key: value for key, value in data.items() if value is not None}

    return _form


@pytest.fixture
def team(ctx):
    """An enterprise with an owner and a plain member, committed."""
    owner = factories.user(name="Olive Owner", email="olive@example.com")
    organisation = factories.enterprise(owner, name="Olive Care")
    member = factories.user(name="Max Member", email="max@example.com")
    member_row = factories.membership(member, organisation, role="member")
    db.session.commit()
    return type(
        "Team",
        (),
        {
            "owner": owner,
            "organisation": organisation,
            "member": member,
            "member_row": member_row,
            "owner_row": organisation.memberships[0],
        },
    )


@pytest.fixture
def sign_in(client, login_as):
    """Sign out whoever is signed in, then sign in as this person (login_as alone keeps the first person)."""

    def _sign_in(user):
        client.post("/sign-out")
        login_as(user)
        page = client.get("/dashboard")
        assert user.name in page.get_data(as_text=True), f"not signed in as {user.name}"
        return client

    return _sign_in
