"""Registering a council or NHS body: pending until a platform admin approves it."""

import pytest

from marketplace.core.audit import AuditEvent
from marketplace.core.notifications import Notification
from marketplace.extensions import db
from marketplace.organisations import permissions
from marketplace.organisations.models import Membership, Organisation
from marketplace.organisations.services import decide_organisation
from tests import factories
from tests.database import audit_events, count, fresh, notifications_for
from tests.pages import error_summary, text


@pytest.mark.parametrize(("kind", "label"), [("council", "Council"), ("nhs", "NHS body")])
def test_registration_creates_pending_publisher_and_tells_every_admin(client, login_as, outbox, kind, label):
    """A new council or NHS body is pending, serves its areas, is audited, and every admin is notified and emailed."""
    admins = [
        factories.user(admin=True, email="admin1@example.com"),
        factories.user(admin=True, email="admin2@example.com"),
    ]
    bystander = factories.user(email="bystander@example.com")
    person = factories.user(role="publisher", email="officer@example.com")
    db.session.commit()
    login_as(person)
    assert client.get("/organisations/new/publisher").status_code == 200

    areas = [factories.area("Leeds").id, factories.area("Bradford").id]
    response = client.post(
        "/organisations/new/publisher", data={"kind": kind, "name": "  West Yorkshire Body ", "area_ids": areas}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")
    organisation = db.session.scalar(db.select(Organisation))
    assert (organisation.kind, organisation.status, organisation.name) == (kind, "pending", "West Yorkshire Body")
    assert [a.name for a in organisation.served_areas] == ["Bradford", "Leeds"]
    assert organisation.kind_label == label
    [membership] = organisation.memberships
    assert (membership.user_id, membership.role, membership.status) == (person.id, "owner", "active")
    [event] = audit_events("organisation.created")
    assert (event.actor_id, event.organisation_id, event.details) == (person.id, organisation.id, {"kind": kind})
    for admin in admins:
        [note] = notifications_for(admin)
        assert note.kind == "organisation_awaiting_approval"
        assert note.title == "West Yorkshire Body is waiting for approval"
        assert note.link.endswith("/admin/organisations?status=pending")
        [mail] = outbox.to(admin.email)
        assert "West Yorkshire Body is waiting for approval" in mail["Subject"]
        assert "/admin/organisations?status=pending" in outbox.last_link(admin.email)
    assert notifications_for(bystander) == []
    assert notifications_for(person) == []
    assert outbox.to(bystander.email) == []
    assert "West Yorkshire Body is waiting for approval" in text(client.get("/dashboard"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "council", "name": "A Council"}, "Select at least one area you serve"),
        ({"kind": "council", "name": "", "area_ids": ["Leeds"]}, "Enter the organisation name"),
        ({"name": "A Council", "area_ids": ["Leeds"]}, "Select the type of organisation"),
        ({"kind": "enterprise", "name": "A Council", "area_ids": ["Leeds"]}, "Not a valid choice"),
    ],
)
def test_registration_with_bad_input_writes_nothing(client, login_as, outbox, data, message):
    """Missing name, areas or type gets a message; no organisation, membership, audit row, notification or email."""
    factories.user(admin=True)
    person = factories.user(role="publisher")
    db.session.commit()
    login_as(person)
    if "area_ids" in data:
        data = {**data, "area_ids": [factories.area(name).id for name in data["area_ids"]]}

    response = client.post("/organisations/new/publisher", data=data)

    assert response.status_code == 200
    assert message in error_summary(response)
    fresh()
    assert count(Organisation) == 0
    assert count(Membership) == 0
    assert count(AuditEvent, AuditEvent.action.startswith("organisation.")) == 0
    assert count(Notification) == 0
    assert outbox.messages() == []


def test_cannot_publish_until_approved(ctx):
    """can_publish is False while pending or rejected, True once approved, and only for active members."""
    admin = factories.user(admin=True)
    owner = factories.user(role="publisher")
    outsider = factories.user(role="publisher")
    requester = factories.user(role="publisher")
    pending = factories.publisher(owner, status="pending")
    factories.membership(requester, pending, role="member", status="requested")
    db.session.commit()
    assert permissions.can_publish(owner, pending) is False

    decide_organisation(pending, admin, approve=True)
    db.session.commit()
    assert permissions.can_publish(owner, pending) is True
    assert permissions.can_publish(outsider, pending) is False
    assert permissions.can_publish(requester, pending) is False

    rejected = factories.publisher(owner, status="pending")
    decide_organisation(rejected, admin, approve=False)
    db.session.commit()
    assert permissions.can_publish(owner, rejected) is False

    enterprise = factories.enterprise(owner)
    assert permissions.can_publish(owner, enterprise) is False


def test_pending_publisher_page_says_waiting(client, login_as):
    """The organisation page tells its members it is waiting for approval."""
    owner = factories.user(role="publisher")
    council = factories.publisher(owner, status="pending", name="Slowtown Council", areas=("Leeds", "Wakefield"))
    db.session.commit()
    login_as(owner)
    page = text(client.get(f"/organisations/{council.id}"))
    assert "Waiting for approval" in page
    assert "Leeds, Wakefield" in page


def test_owner_changes_publisher_name_and_areas(client, login_as, ctx):
    """An owner of a council changes its name and served areas; the change is audited; a plain member cannot."""
    from sqlalchemy import select

    from marketplace.core.audit import AuditEvent
    from marketplace.extensions import db
    from tests import factories

    owner = factories.user()
    council = factories.publisher(owner, areas=("Leeds",))
    member = factories.user()
    factories.membership(member, council, role="member")
    db.session.commit()
    login_as(owner)
    assert "Areas you serve" in client.get(f"/organisations/{council.id}/edit").get_data(as_text=True)
    bradford = factories.area("Bradford").id
    response = client.post(
        f"/organisations/{council.id}/edit",
        data={"name": "Leeds and Bradford Council", "area_ids": [factories.area("Leeds").id, bradford]},
    )
    assert response.status_code == 302
    db.session.refresh(council)
    assert council.name == "Leeds and Bradford Council"
    assert {a.name for a in council.served_areas} == {"Leeds", "Bradford"}
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.updated")).details["new"]["name"]
        == council.name
    )
    client.post("/sign-out")
    login_as(member)
    assert client.get(f"/organisations/{council.id}/edit").status_code == 403
