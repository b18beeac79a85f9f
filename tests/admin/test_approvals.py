"""Platform admins approve or reject councils and NHS bodies."""

import pytest

from marketplace.extensions import db
from marketplace.organisations import permissions
from marketplace.organisations.models import Organisation
from tests import factories
from tests.database import audit_events, fresh, notifications_for
from tests.pages import error_summary, text


@pytest.fixture
def pending(ctx):
    """A pending council with two owners and a plain member, and a platform admin."""
    owner = factories.user(role="publisher", name="Owen Owner", email="owen@example.com")
    council = factories.publisher(owner, status="pending", name="Slowtown Council")
    co_owner = factories.user(role="publisher", email="cora@example.com")
    factories.membership(co_owner, council, role="owner")
    member = factories.user(role="publisher", email="mel@example.com")
    factories.membership(member, council, role="member")
    admin = factories.user(admin=True, name="Ada Admin", email="ada@example.com")
    db.session.commit()
    return type("Pending", (), {"council": council, "owners": [owner, co_owner], "member": member, "admin": admin})


def test_admin_sees_pending_organisations(client, login_as, pending):
    """The admin home and the pending list show the council with approve and reject buttons."""
    login_as(pending.admin)
    for path in ("/admin/", "/admin/organisations?status=pending"):
        page = text(client.get(path))
        assert "Slowtown Council" in page
        assert "Approve Slowtown Council" in page
        assert "Reject Slowtown Council" in page
    assert "Slowtown Council" not in text(client.get("/admin/organisations?status=approved"))
    assert client.get("/admin/organisations?status=bogus").status_code == 404


def test_approve(client, login_as, outbox, pending):
    """Approving sets the status, audits it, tells every owner (not plain members) and lets them publish."""
    login_as(pending.admin)
    response = client.post(f"/admin/organisations/{pending.council.id}/approve", follow_redirects=True)
    assert "Slowtown Council has been approved." in text(response)

    fresh()
    council = db.session.get(Organisation, pending.council.id)
    assert council.status == "approved"
    [event] = audit_events("organisation.approved")
    assert (event.actor_id, event.organisation_id) == (pending.admin.id, council.id)
    for owner in pending.owners:
        [note] = notifications_for(owner, "organisation_decided")
        assert note.title == "Slowtown Council has been approved"
        [mail] = outbox.to(owner.email)
        assert mail["Subject"] == "Slowtown Council has been approved"
        assert permissions.can_publish(owner, council) is True
    assert notifications_for(pending.member) == []
    assert outbox.to(pending.member.email) == []


def test_reject(client, login_as, outbox, pending):
    """Rejecting sets the status, audits it and tells the owners; the council still cannot publish."""
    login_as(pending.admin)
    response = client.post(f"/admin/organisations/{pending.council.id}/reject", follow_redirects=True)
    assert "Slowtown Council has been rejected." in text(response)

    fresh()
    council = db.session.get(Organisation, pending.council.id)
    assert council.status == "rejected"
    assert [e.actor_id for e in audit_events("organisation.rejected")] == [pending.admin.id]
    for owner in pending.owners:
        [note] = notifications_for(owner, "organisation_decided")
        assert note.title == "Slowtown Council was not approved"
        assert len(outbox.to(owner.email)) == 1
        assert permissions.can_publish(owner, council) is False


@pytest.mark.parametrize(
    ("first", "second", "status"),
    [("approve", "reject", "approved"), ("reject", "approve", "rejected"), ("approve", "approve", "approved")],
)
def test_deciding_twice_gives_a_message(client, login_as, outbox, pending, first, second, status):
    """A second decision is refused with a message; the first stands and nobody is told twice."""
    login_as(pending.admin)
    client.post(f"/admin/organisations/{pending.council.id}/{first}")
    response = client.post(f"/admin/organisations/{pending.council.id}/{second}", follow_redirects=True)

    assert f"Slowtown Council has already been {status}" in error_summary(response)
    fresh()
    assert db.session.get(Organisation, pending.council.id).status == status
    assert len(audit_events(f"organisation.{status}")) == 1
    assert len(audit_events(prefix="organisation.")) == 1
    for owner in pending.owners:
        assert len(notifications_for(owner)) == 1
        assert len(outbox.to(owner.email)) == 1


@pytest.mark.parametrize("who", ["owner", "member", "stranger"])
def test_non_admins_get_403(client, login_as, outbox, pending, who):
    """Owners, members and strangers cannot approve or reject, or see the admin pages; nothing changes."""
    person = {"owner": pending.owners[0], "member": pending.member, "stranger": factories.user()}[who]
    db.session.commit()
    login_as(person)
    assert client.post(f"/admin/organisations/{pending.council.id}/approve").status_code == 403
    assert client.post(f"/admin/organisations/{pending.council.id}/reject").status_code == 403
    for path in ("/admin/", "/admin/organisations", "/admin/audit", "/admin/areas"):
        assert client.get(path).status_code == 403, path
    fresh()
    assert db.session.get(Organisation, pending.council.id).status == "pending"
    assert audit_events(prefix="organisation.") == []
    assert outbox.messages() == []


def test_anonymous_is_sent_to_sign_in(client, pending):
    """Signed-out visitors are redirected and the council stays pending."""
    response = client.post(f"/admin/organisations/{pending.council.id}/approve")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    fresh()
    assert db.session.get(Organisation, pending.council.id).status == "pending"


def test_unknown_organisation_is_404(client, login_as, pending):
    """Approving an id that does not exist is 404."""
    login_as(pending.admin)
    assert client.post("/admin/organisations/999999/approve").status_code == 404
