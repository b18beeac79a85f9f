"""Setting up and changing an enterprise."""

from decimal import Decimal

import pytest

from marketplace.core.audit import AuditEvent
from marketplace.core.forms import normalise_postcode
from marketplace.extensions import db
from marketplace.organisations.models import Membership, Organisation
from tests import factories
from tests.database import audit_events, count, fresh
from tests.pages import error_summary, text


def test_set_up_page_needs_sign_in(client):
    """Anonymous people are sent to sign in, not shown the set-up form."""
    response = client.get("/organisations/new/enterprise")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_set_up_creates_approved_enterprise_with_owner(client, login_as, enterprise_form):
    """Setting up an enterprise makes it approved at once, with the person as its owner, and audits it."""
    person = factories.user()
    db.session.commit()
    login_as(person)
    assert client.get("/organisations/new/enterprise").status_code == 200

    data = enterprise_form(
        name="  Kind Hands  ", legal_form="cic", fte="2.5", postcode="ls14ap", registration_number=" 12345678 "
    )
    response = client.post("/organisations/new/enterprise", data=data)

    organisation = db.session.scalar(db.select(Organisation))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{organisation.id}")
    assert organisation.kind == "enterprise"
    assert organisation.status == "approved"
    assert organisation.name == "Kind Hands"
    assert organisation.legal_form == "cic"
    assert organisation.fte == Decimal("2.5")
    assert organisation.area.name == "Leeds"
    assert organisation.postcode == "LS1 4AP"
    assert organisation.registration_number == "12345678"
    [membership] = organisation.memberships
    assert (membership.user_id, membership.role, membership.status) == (person.id, "owner", "active")
    [event] = audit_events("organisation.created")
    assert (event.actor_id, event.organisation_id, event.object_type, event.object_id) == (
        person.id,
        organisation.id,
        "Organisation",
        organisation.id,
    )
    assert event.details == {"kind": "enterprise"}
    assert event.ip == "127.0.0.1"

    page = client.get(f"/organisations/{organisation.id}")
    assert "Kind Hands has been set up." in text(page)
    assert "Community interest company (CIC)" in text(page)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter your trading name"),
        ({"name": None}, "Enter your trading name"),
        ({"name": "x" * 161}, "Trading name must be 160 characters or fewer"),
        ({"fte": "7"}, "Full-time equivalent staff must be between 0.1 and 5"),
        ({"fte": "0"}, "Full-time equivalent staff must be between 0.1 and 5"),
        ({"fte": "-1"}, "Full-time equivalent staff must be between 0.1 and 5"),
        ({"fte": ""}, "Enter your full-time equivalent staff, like 1.5"),
        ({"fte": "abc"}, "Enter your full-time equivalent staff as a number, like 1.5"),
        ({"fte": "NaN"}, "Enter your full-time equivalent staff as a number, like 1.5"),
        ({"fte": "sNaN"}, "Enter your full-time equivalent staff as a number, like 1.5"),
        ({"fte": "Infinity"}, "Enter your full-time equivalent staff as a number, like 1.5"),
        ({"postcode": "XYZ"}, "Enter a real postcode, like LS1 1UR"),
        ({"postcode": "12345"}, "Enter a real postcode, like LS1 1UR"),
        ({"postcode": ""}, "Enter your postcode"),
        ({"legal_form": None}, "Select your legal form"),
        ({"area_id": None}, "Select an area"),
    ],
)
def test_set_up_with_bad_input_shows_message_and_writes_nothing(client, login_as, enterprise_form, overrides, message):
    """Each kind of bad input gets its GOV.UK message; no organisation, membership or audit row is written."""
    person = factories.user()
    db.session.commit()
    login_as(person)

    response = client.post("/organisations/new/enterprise", data=enterprise_form(**overrides))

    assert response.status_code == 200
    assert message in error_summary(response)
    assert "Error: Set up your enterprise" in response.get_data(as_text=True)
    fresh()
    assert count(Organisation) == 0
    assert count(Membership) == 0
    assert count(AuditEvent, AuditEvent.action.startswith("organisation.")) == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("ls14ap", "LS1 4AP"),
        (" ls1  4ap ", "LS1 4AP"),
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("pl178aa", "PL17 8AA"),
    ],
)
def test_postcode_is_normalised(client, login_as, enterprise_form, typed, stored):
    """Postcodes are stored upper case with one space before the inward code."""
    assert normalise_postcode(typed) == stored
    person = factories.user()
    db.session.commit()
    login_as(person)
    client.post("/organisations/new/enterprise", data=enterprise_form(postcode=typed))
    assert db.session.scalar(db.select(Organisation.postcode)) == stored


def test_owner_edits_enterprise_and_changes_are_audited(client, login_as, team, enterprise_form):
    """An owner's edit saves the new details and audits exactly the fields that changed."""
    organisation = team.organisation
    login_as(team.owner)
    form_page = client.get(f"/organisations/{organisation.id}/edit")
    assert form_page.status_code == 200
    assert 'value="Olive Care"' in form_page.get_data(as_text=True)

    data = enterprise_form(
        name="Olive Care Co-op", legal_form="cooperative", fte="3.5", postcode="ls1 4ap", registration_number="IP0001"
    )
    response = client.post(f"/organisations/{organisation.id}/edit", data=data)

    assert response.status_code == 302
    fresh()
    organisation = db.session.get(Organisation, organisation.id)
    assert (organisation.name, organisation.legal_form, organisation.fte, organisation.registration_number) == (
        "Olive Care Co-op",
        "cooperative",
        Decimal("3.5"),
        "IP0001",
    )
    [event] = audit_events("organisation.updated")
    assert event.actor_id == team.owner.id
    assert event.organisation_id == organisation.id
    assert event.details["changes"] == {
        "name": ["Olive Care", "Olive Care Co-op"],
        "legal_form": ["sole_trader", "cooperative"],
        "fte": ["1.0", "3.5"],
        "registration_number": ["None", "IP0001"],
    }


def test_edit_without_changes_writes_no_audit(client, login_as, team, enterprise_form):
    """Saving the form unchanged records no update."""
    login_as(team.owner)
    data = enterprise_form(name="Olive Care", legal_form="sole_trader", fte="1.0", postcode="LS1 4AP")
    response = client.post(f"/organisations/{team.organisation.id}/edit", data=data)
    assert response.status_code == 302
    assert audit_events("organisation.updated") == []


def test_edit_with_bad_input_changes_nothing(client, login_as, team, enterprise_form):
    """A bad edit shows the message and leaves the enterprise as it was."""
    login_as(team.owner)
    response = client.post(
        f"/organisations/{team.organisation.id}/edit", data=enterprise_form(name="New name", fte="9")
    )
    assert response.status_code == 200
    assert "Full-time equivalent staff must be between 0.1 and 5" in error_summary(response)
    fresh()
    organisation = db.session.get(Organisation, team.organisation.id)
    assert (organisation.name, organisation.fte) == ("Olive Care", Decimal("1.0"))
    assert audit_events("organisation.updated") == []


def test_plain_member_cannot_edit(client, login_as, team, enterprise_form):
    """A member who is not an owner gets 403 for the edit page and the edit post, and nothing changes."""
    login_as(team.member)
    assert client.get(f"/organisations/{team.organisation.id}/edit").status_code == 403
    response = client.post(f"/organisations/{team.organisation.id}/edit", data=enterprise_form(name="Hijacked"))
    assert response.status_code == 403
    fresh()
    assert db.session.get(Organisation, team.organisation.id).name == "Olive Care"
    assert audit_events("organisation.updated") == []


def test_owner_sees_change_link_and_member_does_not(client, sign_in, team):
    """The profile shows a Change link to owners only; members still see the details."""
    sign_in(team.owner)
    owner_page = client.get(f"/organisations/{team.organisation.id}")
    assert f"/organisations/{team.organisation.id}/edit" in owner_page.get_data(as_text=True)
    sign_in(team.member)
    member_page = client.get(f"/organisations/{team.organisation.id}")
    assert member_page.status_code == 200
    assert "Olive Care" in text(member_page)
    assert f"/organisations/{team.organisation.id}/edit" not in member_page.get_data(as_text=True)


def test_publishers_get_their_own_edit_page_not_the_enterprise_one(client, login_as):
    """A council's owner edits its name and areas, never an enterprise's legal form or staff numbers."""
    owner = factories.user(role="publisher")
    council = factories.publisher(owner)
    db.session.commit()
    login_as(owner)
    page = client.get(f"/organisations/{council.id}/edit").get_data(as_text=True)
    assert "Areas you serve" in page and "Legal form" not in page
