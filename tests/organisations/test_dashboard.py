"""The dashboard lists what each person needs to do now."""

import pytest

from marketplace.extensions import db
from tests import factories
from tests.pages import soup


def _tasks(client) -> list[str]:
    """The titles in the dashboard's to-do list."""
    page = soup(client.get("/dashboard"))
    return [" ".join(a.get_text(" ").split()) for a in page.select(".govuk-task-list__link")]


def _task_links(client) -> dict[str, str]:
    page = soup(client.get("/dashboard"))
    return {" ".join(a.get_text(" ").split()): a["href"] for a in page.select(".govuk-task-list__link")}


@pytest.mark.parametrize(
    ("role", "task", "href"),
    [
        ("entrepreneur", "Set up your enterprise", "/organisations/new/enterprise"),
        ("publisher", "Add or join your council or NHS body", "/organisations/new/publisher"),
        ("relief_worker", "Create your relief worker profile", "/relief/profile"),
    ],
)
def test_new_people_are_asked_to_set_up_their_role(client, login_as, role, task, href):
    """Each role without its organisation or profile gets exactly its own set-up task, linking to the right page."""
    person = factories.user(role=role)
    db.session.commit()
    login_as(person)
    links = _task_links(client)
    assert links == {task: href}


def test_set_up_tasks_go_once_done(client, login_as):
    """An entrepreneur with an enterprise no longer sees the set-up task."""
    person = factories.user(role="entrepreneur")
    factories.enterprise(person, legal_form="sole_trader")
    db.session.commit()
    login_as(person)
    assert _tasks(client) == []
    assert "Nothing needs doing right now." in soup(client.get("/dashboard")).get_text()


def test_relief_worker_with_profile_has_no_set_up_task(client, login_as):
    """A relief worker with a profile sees it summarised instead of the task, and their next steps."""
    profile = factories.relief_worker(area_name="Cardiff")
    db.session.commit()
    login_as(profile.user)
    assert _tasks(client) == ["Add your DBS check and referees", "Say when you can work"]
    assert "Your relief worker profile covers Cardiff" in soup(client.get("/dashboard")).get_text()


def test_publisher_waiting_on_a_join_request_is_not_asked_again(client, login_as):
    """A publisher who has asked to join sees the pending request, not the add-or-join task."""
    person = factories.user(role="publisher")
    council = factories.publisher(name="Leeds City Council")
    factories.membership(person, council, role="member", status="requested")
    db.session.commit()
    login_as(person)
    assert _tasks(client) == []
    assert "Leeds City Council: waiting for an owner to accept" in " ".join(
        soup(client.get("/dashboard")).get_text().split()
    )


def test_owner_sees_join_request_count(client, sign_in):
    """Owners see how many people asked to join, with a link to the members page; plain members do not."""
    owner = factories.user(role="publisher", name="Olga Owner")
    council = factories.publisher(owner, name="Leeds City Council")
    member = factories.user(role="publisher", name="Mo Member")
    factories.membership(member, council, role="member")
    factories.membership(factories.user(), council, role="member", status="requested")
    db.session.commit()
    sign_in(owner)
    assert _task_links(client) == {"1 request to join Leeds City Council": f"/organisations/{council.id}/members"}

    factories.membership(factories.user(), council, role="member", status="requested")
    db.session.commit()
    assert _tasks(client) == ["2 requests to join Leeds City Council"]

    sign_in(member)
    assert _tasks(client) == []


def test_admin_sees_organisations_waiting_for_approval(client, sign_in):
    """Platform admins see the count of pending publishers; others do not."""
    admin = factories.user(admin=True, role="publisher", name="Ada Admin")
    factories.membership(admin, factories.publisher())
    factories.publisher(status="pending")
    factories.publisher(status="approved")
    factories.publisher(status="rejected")
    db.session.commit()
    sign_in(admin)
    assert _task_links(client) == {"1 organisation is waiting for approval": "/admin/organisations?status=pending"}

    factories.publisher(status="pending")
    db.session.commit()
    assert _tasks(client) == ["2 organisations are waiting for approval"]

    outsider = factories.user(role="publisher", name="Otto Outsider")
    factories.membership(outsider, factories.publisher())
    db.session.commit()
    sign_in(outsider)
    assert _tasks(client) == []


def test_open_invitation_is_shown(client, login_as, clock):
    """A person with an open invitation sees it; once expired it disappears."""
    person = factories.user(role="entrepreneur", email="invited@example.com")
    factories.enterprise(person)
    factories.invitation(factories.enterprise(name="Helping Hands"), "invited@example.com")
    db.session.commit()
    login_as(person)
    assert _task_links(client) == {"Accept the invitation to join Helping Hands": "/organisations/invitations"}

    clock.advance(days=8)
    login_as(person)
    assert _tasks(client) == []


def test_registration_number_reminder_for_companies(client, login_as):
    """An owner of a limited company without a registration number is asked to add it."""
    person = factories.user(role="entrepreneur")
    enterprise = factories.enterprise(person, name="Aire Support Ltd", legal_form="limited_company")
    db.session.commit()
    login_as(person)
    assert _task_links(client) == {
        "Add the registration number of Aire Support Ltd": f"/organisations/{enterprise.id}/edit"
    }
