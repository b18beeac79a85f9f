"""Areas: loaded by the migration; platform admins add and rename them."""

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.organisations.models import Area
from tests import factories
from tests.database import audit_events, count, fresh
from tests.pages import error_summary, text


@pytest.fixture
def admin(ctx):
    """A platform admin."""
    person = factories.user(admin=True)
    db.session.commit()
    return person


@pytest.fixture
def testshire(ctx):
    """An extra area (removed after the test, unlike the seeded ones)."""
    area = Area(name="Testshire", gss_code="E99000001", nation="England")
    db.session.add(area)
    db.session.commit()
    return area


def test_migration_loaded_every_area(ctx):
    """The migration loads 212 areas across the four nations, including known names and codes."""
    assert count(Area) == 212
    by_nation = dict(db.session.execute(select(Area.nation, func.count()).group_by(Area.nation)).all())
    assert by_nation == {"England": 153, "Wales": 22, "Scotland": 32, "Northern Ireland": 5}
    codes = dict(db.session.execute(select(Area.name, Area.gss_code)).all())
    assert codes["Leeds"] == "E08000035"
    assert codes["Cardiff"] == "W06000015"
    assert codes["Glasgow City"] == "S12000049"
    trusts = db.session.scalars(select(Area.name).where(Area.nation == "Northern Ireland").order_by(Area.name)).all()
    assert trusts == [
        "Belfast Health and Social Care Trust",
        "Northern Health and Social Care Trust",
        "South Eastern Health and Social Care Trust",
        "Southern Health and Social Care Trust",
        "Western Health and Social Care Trust",
    ]


def test_admin_adds_an_area(client, login_as, admin):
    """A new area is saved (code upper-cased), audited and listed."""
    login_as(admin)
    page = client.get("/admin/areas")
    assert "212 areas" in text(page)

    response = client.post(
        "/admin/areas", data={"name": " Newshire ", "gss_code": "e10000099", "nation": "England"}, follow_redirects=True
    )

    assert "Newshire has been added." in text(response)
    assert "213 areas" in text(response)
    fresh()
    area = db.session.scalar(select(Area).where(Area.gss_code == "E10000099"))
    assert (area.name, area.nation) == ("Newshire", "England")
    [event] = audit_events("area.added")
    assert (event.actor_id, event.details) == (admin.id, {"name": "Newshire", "gss_code": "E10000099"})


def test_admin_renames_an_area(client, login_as, admin, testshire):
    """Renaming saves the new name and code and audits old and new values."""
    login_as(admin)
    assert client.get(f"/admin/areas/{testshire.id}").status_code == 200

    response = client.post(
        f"/admin/areas/{testshire.id}", data={"name": "Testshire West", "gss_code": "E99000002", "nation": "Wales"}
    )

    assert response.status_code == 302
    fresh()
    area = db.session.get(Area, testshire.id)
    assert (area.name, area.gss_code, area.nation) == ("Testshire West", "E99000002", "Wales")
    [event] = audit_events("area.updated")
    assert event.details == {"old": ["Testshire", "E99000001"], "new": ["Testshire West", "E99000002"]}


def test_saving_an_area_unchanged_is_allowed(client, login_as, admin, testshire):
    """An area does not clash with itself."""
    login_as(admin)
    response = client.post(
        f"/admin/areas/{testshire.id}", data={"name": "Testshire", "gss_code": "E99000001", "nation": "England"}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {"name": "Leeds", "gss_code": "E99999999", "nation": "England"},
        {"name": "  LEEDS ", "gss_code": "E99999999", "nation": "England"},
        {"name": "Leeds Two", "gss_code": "E08000035", "nation": "England"},
        {"name": "Leeds Two", "gss_code": "e08000035", "nation": "England"},
    ],
)
def test_duplicate_name_or_code_is_refused(client, login_as, admin, data):
    """Adding an area whose name or code exists shows a message and adds nothing."""
    login_as(admin)
    response = client.post("/admin/areas", data=data)
    assert response.status_code == 200
    assert "An area with this name or GSS code already exists" in error_summary(response)
    fresh()
    assert count(Area) == 212
    assert audit_events("area.added") == []


@pytest.mark.parametrize(("name", "code"), [("Leeds", "E99000001"), ("Testshire", "W06000015")])
def test_rename_to_an_existing_name_or_code_is_refused(client, login_as, admin, testshire, name, code):
    """Renaming onto another area's name or code shows a message and changes nothing."""
    login_as(admin)
    response = client.post(f"/admin/areas/{testshire.id}", data={"name": name, "gss_code": code, "nation": "England"})
    assert response.status_code == 200
    assert "An area with this name or GSS code already exists" in error_summary(response)
    fresh()
    area = db.session.get(Area, testshire.id)
    assert (area.name, area.gss_code) == ("Testshire", "E99000001")
    assert audit_events("area.updated") == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "gss_code": "E99000003", "nation": "England"}, "Enter the area's name"),
        (
            {"name": "Somewhere", "gss_code": "E1", "nation": "England"},
            "Enter a GSS code of 6 to 12 letters and numbers",
        ),
        (
            {"name": "Somewhere", "gss_code": "E99-00003", "nation": "England"},
            "Enter a GSS code of 6 to 12 letters and numbers",
        ),
        ({"name": "Somewhere", "gss_code": "E99000003", "nation": "France"}, "Not a valid choice"),
    ],
)
def test_bad_area_input_is_refused(client, login_as, admin, data, message):
    """Missing names, malformed codes and unknown nations are refused with a message."""
    login_as(admin)
    response = client.post("/admin/areas", data=data)
    assert message in error_summary(response)
    fresh()
    assert count(Area) == 212


def test_non_admin_gets_403(client, login_as, testshire):
    """People who are not platform admins cannot list, add or change areas."""
    person = factories.user()
    db.session.commit()
    login_as(person)
    assert client.get("/admin/areas").status_code == 403
    assert (
        client.post("/admin/areas", data={"name": "Sneaky", "gss_code": "E99000009", "nation": "England"}).status_code
        == 403
    )
    assert client.get(f"/admin/areas/{testshire.id}").status_code == 403
    assert (
        client.post(
            f"/admin/areas/{testshire.id}", data={"name": "Renamed", "gss_code": "E99000001", "nation": "England"}
        ).status_code
        == 403
    )
    fresh()
    assert count(Area) == 213
    assert db.session.get(Area, testshire.id).name == "Testshire"


def test_unknown_area_is_404(client, login_as, admin):
    """Editing an area id that does not exist is 404."""
    login_as(admin)
    assert client.get("/admin/areas/999999").status_code == 404
