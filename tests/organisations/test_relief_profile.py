"""A person becomes a relief worker by creating a profile."""

from marketplace.cover import permissions
from marketplace.cover.models import ReliefWorkerProfile
from marketplace.extensions import db
from tests import factories
from tests.database import audit_events, count, fresh
from tests.pages import error_summary, h1, nav_links


def test_creating_a_profile_makes_a_relief_worker(client, login_as):
    """Saving the form creates the profile, audits it, and the navigation then shows Relief profile."""
    person = factories.user(role="relief_worker")
    db.session.commit()
    login_as(person)
    page = client.get("/relief/profile")
    assert h1(page) == "Create your relief worker profile"
    assert "Cover shifts" not in nav_links(page)
    assert permissions.is_relief_worker(person) is False

    response = client.post(
        "/relief/profile", data={"area_id": factories.area("Glasgow City").id, "phone": " 07911 123456 "}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/relief/profile")
    fresh()
    profile = db.session.scalar(db.select(ReliefWorkerProfile))
    assert (profile.user_id, profile.area.name, profile.phone) == (person.id, "Glasgow City", "07911 123456")
    [event] = audit_events("relief_profile.created")
    assert event.actor_id == person.id
    dashboard = client.get("/dashboard")
    assert "Cover shifts" in nav_links(dashboard)
    assert permissions.is_relief_worker(db.session.get(type(person), person.id)) is True
    assert h1(client.get("/relief/profile")) == "Your relief worker profile"


def test_saving_again_updates_the_one_profile(client, login_as):
    """A second save changes the same profile and is audited as an update."""
    profile = factories.relief_worker()
    db.session.commit()
    login_as(profile.user)
    client.post("/relief/profile", data={"area_id": factories.area("Cardiff").id, "phone": ""})
    fresh()
    assert count(ReliefWorkerProfile) == 1
    assert db.session.scalar(db.select(ReliefWorkerProfile)).area.name == "Cardiff"
    assert db.session.scalar(db.select(ReliefWorkerProfile)).phone is None
    assert len(audit_events("relief_profile.updated")) == 1


def test_profile_needs_an_area(client, login_as):
    """Without an area the form shows a message and no profile is made."""
    person = factories.user(role="relief_worker")
    db.session.commit()
    login_as(person)
    response = client.post("/relief/profile", data={"phone": "07911 123456"})
    assert response.status_code == 200
    assert "Select an area" in error_summary(response)
    fresh()
    assert count(ReliefWorkerProfile) == 0
