"""No silent defaults: area selects start unchosen, and postcodes, phone numbers, company and charity numbers and
full-time equivalent staff are checked as typed, stored normalised, and refused with a message naming the field."""

import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditEvent
from marketplace.cover.models import ReliefWorkerProfile
from marketplace.extensions import db
from marketplace.organisations.models import Organisation
from marketplace.training.models import Course
from tests import factories
from tests.database import count, fresh
from tests.pages import error_summary, soup

NEW_ENTERPRISE = "/organisations/new/enterprise"
RELIEF_PROFILE = "/relief/profile"


def enterprise_data(**changes) -> dict:
    """A valid enterprise set-up form; a key set to None is left out."""
    data = {
        "name": "Kind Hands Home Support",
        "legal_form": "sole_trader",
        "fte": "1.5",
        "area_id": str(factories.area("Leeds").id),
        "postcode": "LS1 1UR",
        "registration_number": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def course_data(**changes) -> dict:
    """A valid course form."""
    data = {
        "title": "Safer moving and handling",
        "topic_id": factories.topic("Moving and handling").id,
        "description": "Learn to move people safely.",
        "delivery": "in_person",
        "accreditation": "",
        "cpd_hours": "3",
        "certificate_validity_months": "",
        "full_price": "40",
        "subsidised_price": "10",
        "cancellation_cutoff_days": "7",
        "max_fte": "",
    }
    return {**data, **changes}


@pytest.fixture
def person(ctx, login_as):
    """A signed-in person with no organisation yet."""
    user = factories.user(role="entrepreneur")
    db.session.commit()
    login_as(user)
    return user


@pytest.fixture
def officer(ctx, login_as):
    """A signed-in owner of an approved Leeds council, and the council."""
    user = factories.user(name="Officer", role="publisher")
    council = factories.publisher(user, name="Leeds City Council", areas=("Leeds",))
    db.session.commit()
    login_as(user)
    return council


def first_option(response, name: str):
    """The first <option> of the select called `name`."""
    return soup(response).select_one(f'select[name="{name}"]').find("option")


@pytest.mark.parametrize("url", [NEW_ENTERPRISE, RELIEF_PROFILE])
def test_area_select_starts_on_select_an_area(client, person, url):
    """The area select's first option is "Select an area" with an empty value, and it is the one selected."""
    factories.area("Leeds")
    db.session.commit()
    option = first_option(client.get(url), "area_id")
    assert (option.get_text(strip=True), option["value"]) == ("Select an area", "")
    assert option.has_attr("selected")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"area_id": ""}, "Select an area"),
        ({"area_id": None}, "Select an area"),
        ({"area_id": "999999"}, "Select an area from the list"),
        ({"postcode": "LS1 1UC"}, "Enter a real postcode, like LS1 1UR"),
        ({"postcode": "12345"}, "Enter a real postcode, like LS1 1UR"),
        ({"postcode": "LS1"}, "Enter a real postcode, like LS1 1UR"),
        ({"legal_form": "limited_company", "registration_number": "1234"}, "Enter a company number of 8 characters"),
        ({"legal_form": "cic", "registration_number": "SC12345X"}, "Enter a company number of 8 characters"),
        ({"legal_form": "limited_company", "registration_number": "123456789"}, "Enter a company number"),
        ({"legal_form": "charity", "registration_number": "12345"}, "Enter a charity number, like 1234567"),
        ({"legal_form": "charity", "registration_number": "SC1234567"}, "Enter a charity number"),
        ({"legal_form": "charity", "registration_number": "12345678"}, "Enter a charity number"),
        ({"fte": "8"}, "Full-time equivalent staff must be between 0.1 and 5"),
        ({"fte": "5.1"}, "Full-time equivalent staff must be between 0.1 and 5"),
    ],
)
def test_enterprise_refuses_bad_values_and_writes_nothing(client, person, changes, message):
    """Each bad value gets its message naming the field; no organisation or audit row is written."""
    response = client.post(NEW_ENTERPRISE, data=enterprise_data(**changes))
    assert response.status_code == 200
    assert message in error_summary(response)
    fresh()
    assert count(Organisation) == 0
    assert count(AuditEvent, AuditEvent.action.startswith("organisation.")) == 0


@pytest.mark.parametrize(
    ("changes", "postcode", "number"),
    [
        ({"postcode": "ls11ur"}, "LS1 1UR", None),
        ({"postcode": " sw1a  1aa "}, "SW1A 1AA", None),
        ({"legal_form": "limited_company", "registration_number": "sc 123456"}, "LS1 1UR", "SC123456"),
        ({"legal_form": "cic", "registration_number": "12345678"}, "LS1 1UR", "12345678"),
        ({"legal_form": "charity", "registration_number": "202918"}, "LS1 1UR", "202918"),
        ({"legal_form": "charity", "registration_number": "sc012345"}, "LS1 1UR", "SC012345"),
        ({"legal_form": "charity", "registration_number": "nic100123"}, "LS1 1UR", "NIC100123"),
        ({"legal_form": "cooperative", "registration_number": "IP031234"}, "LS1 1UR", "IP031234"),
        ({"legal_form": "partnership", "registration_number": "Any text at all"}, "LS1 1UR", "Any text at all"),
    ],
)
def test_enterprise_stores_normalised_values(client, person, changes, postcode, number):
    """Good values typed loosely are stored in their one normal form; other legal forms take free text."""
    response = client.post(NEW_ENTERPRISE, data=enterprise_data(fte="5", **changes))
    assert response.status_code == 302, error_summary(response)
    fresh()
    assert db.session.execute(select(Organisation.postcode, Organisation.registration_number)).one() == (
        postcode,
        number,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"area_id": ""}, "Select an area"),
        ({"phone": "123"}, "Enter a UK phone number, like 0113 496 0000"),
        ({"phone": "0113 496 00"}, "Enter a UK phone number"),
        ({"phone": "phone me"}, "Enter a UK phone number"),
        ({"phone": "+33 1 23 45 67 89"}, "Enter a UK phone number"),
    ],
)
def test_relief_profile_refuses_bad_values_and_writes_nothing(client, person, changes, message):
    """A missing area or a phone number that is not a UK one is refused; no profile is written."""
    data = {"area_id": str(factories.area("Leeds").id), "phone": "", **changes}
    response = client.post(RELIEF_PROFILE, data=data)
    assert response.status_code == 200
    assert message in error_summary(response)
    fresh()
    assert count(ReliefWorkerProfile) == 0


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("01134960000", "0113 496 0000"), ("+44 7911 123456", "07911 123456"), ("(020) 7946 0000", "020 7946 0000")],
)
def test_relief_profile_stores_phone_normalised(client, person, typed, stored):
    """A UK number typed any usual way is stored in national format."""
    data = {"area_id": str(factories.area("Leeds").id), "phone": typed}
    assert client.post(RELIEF_PROFILE, data=data).status_code == 302
    fresh()
    assert db.session.scalar(select(ReliefWorkerProfile.phone)) == stored


@pytest.mark.parametrize(
    ("max_fte", "message"),
    [
        ("8", "Largest enterprise that can book must be between 0.1 and 5"),
        ("999", "Largest enterprise that can book must be between 0.1 and 5"),
        ("0", "Largest enterprise that can book must be between 0.1 and 5"),
        ("lots", "Enter the largest enterprise that can book as a number, like 5"),
    ],
)
def test_course_largest_enterprise_at_most_five(client, officer, max_fte, message):
    """A course's largest enterprise is a micro-enterprise (5 or fewer); a bad value writes no course."""
    url = f"/training/manage/organisations/{officer.id}/courses/new"
    response = client.post(url, data=course_data(max_fte=max_fte))
    assert response.status_code == 200
    assert message in error_summary(response)
    fresh()
    assert count(Course) == 0


def test_course_largest_enterprise_of_five_is_saved(client, officer):
    """Five is the largest allowed and is stored."""
    url = f"/training/manage/organisations/{officer.id}/courses/new"
    assert client.post(url, data=course_data(max_fte="5")).status_code == 302
    assert str(db.session.scalar(select(Course.max_fte))) == "5.0"
