"""Asking to join a council or NHS body, and owners accepting or declining."""

import pytest

from marketplace.core.audit import AuditEvent
from marketplace.core.notifications import Notification
from marketplace.extensions import db
from marketplace.organisations.models import Membership
from tests import factories
from tests.database import audit_events, count, fresh, notifications_for
from tests.pages import error_summary, nav_links, text


@pytest.fixture
def council(ctx):
    """An approved council with an owner, a plain member and a person who wants to join."""
    owner = factories.user(name="Carol Owner", email="carol@example.com", role="publisher")
    organisation = factories.publisher(owner, name="Leeds City Council")
    member = factories.user(name="Mick Member", email="mick@example.com", role="publisher")
    factories.membership(member, organisation, role="member")
    joiner = factories.user(name="Jo Joiner", email="jo@example.com", role="publisher")
    db.session.commit()
    return type("Council", (), {"owner": owner, "organisation": organisation, "member": member, "joiner": joiner})


def _request(client, council):
    return client.post("/organisations/join", data={"organisation_id": council.organisation.id})


def test_join_request_is_recorded_and_owners_told(client, login_as, outbox, council):
    """Asking to join creates a requested membership, audits it and tells each owner (not plain members)."""
    login_as(council.joiner)
    page = client.get("/organisations/new/publisher")
    assert "Is your organisation already on Backstop?" in text(page)

    response = _request(client, council)

    assert response.status_code == 302
    membership = db.session.scalar(db.select(Membership).where(Membership.user_id == council.joiner.id))
    assert (membership.organisation_id, membership.role, membership.status) == (
        council.organisation.id,
        "member",
        "requested",
    )
    [event] = audit_events("membership.requested")
    assert (event.actor_id, event.organisation_id) == (council.joiner.id, council.organisation.id)
    [note] = notifications_for(council.owner, "join_requested")
    assert note.title == "Jo Joiner asked to join Leeds City Council"
    assert note.link.endswith(f"/organisations/{council.organisation.id}/members")
    assert f"/organisations/{council.organisation.id}/members" in outbox.last_link(council.owner.email)
    assert notifications_for(council.member) == []
    assert outbox.to(council.member.email) == []
    assert "Leeds City Council: waiting for an owner to accept" in text(client.get("/dashboard"))


def test_requested_member_cannot_see_organisation(client, login_as, council):
    """Until accepted, the requester gets 404 for the organisation and its members, and cannot publish."""
    factories.membership(council.joiner, council.organisation, role="member", status="requested")
    db.session.commit()
    login_as(council.joiner)
    assert client.get(f"/organisations/{council.organisation.id}").status_code == 404
    assert client.get(f"/organisations/{council.organisation.id}/members").status_code == 404
    dashboard = client.get("/dashboard")
    assert "Leeds City Council" not in nav_links(dashboard)
    assert f'href="/organisations/{council.organisation.id}"' not in dashboard.get_data(as_text=True)


def test_owner_accepts_request(client, sign_in, outbox, council):
    """Accepting makes the membership active, audits it, tells the requester, and lets them in."""
    row = factories.membership(council.joiner, council.organisation, role="member", status="requested")
    db.session.commit()
    sign_in(council.owner)
    members_page = text(client.get(f"/organisations/{council.organisation.id}/members"))
    assert "Asked to join" in members_page
    assert "Accept Jo Joiner" in members_page

    response = client.post(f"/organisations/{council.organisation.id}/members/{row.id}/approve")

    assert response.status_code == 302
    fresh()
    row = db.session.get(Membership, row.id)
    assert (row.status, row.role) == ("active", "member")
    [event] = audit_events("membership.approved")
    assert (event.actor_id, event.details["user_id"]) == (council.owner.id, council.joiner.id)
    [note] = notifications_for(council.joiner, "join_decided")
    assert note.title == "Your request to join Leeds City Council was accepted"
    assert outbox.to(council.joiner.email)
    sign_in(council.joiner)
    assert client.get(f"/organisations/{council.organisation.id}").status_code == 200


def test_owner_declines_request(client, login_as, outbox, council):
    """Declining deletes the request, audits it and tells the requester, who still cannot see the organisation."""
    row = factories.membership(council.joiner, council.organisation, role="member", status="requested")
    db.session.commit()
    row_id = row.id
    login_as(council.owner)

    response = client.post(f"/organisations/{council.organisation.id}/members/{row_id}/decline")

    assert response.status_code == 302
    fresh()
    assert db.session.get(Membership, row_id) is None
    [event] = audit_events("membership.declined")
    assert event.details["user_id"] == council.joiner.id
    [note] = notifications_for(council.joiner, "join_decided")
    assert note.title == "Your request to join Leeds City Council was declined"
    assert len(outbox.to(council.joiner.email)) == 1


def test_deciding_a_request_twice_gives_a_message(client, login_as, council):
    """Accepting an already accepted request says so and writes nothing more."""
    row = factories.membership(council.joiner, council.organisation, role="member", status="requested")
    db.session.commit()
    login_as(council.owner)
    client.post(f"/organisations/{council.organisation.id}/members/{row.id}/approve")
    response = client.post(f"/organisations/{council.organisation.id}/members/{row.id}/decline", follow_redirects=True)
    assert "This request has already been dealt with" in error_summary(response)
    fresh()
    assert db.session.get(Membership, row.id).status == "active"
    assert len(audit_events(prefix="membership.")) == 1
    assert len(notifications_for(council.joiner)) == 1


def test_asking_twice_is_refused(client, login_as, council):
    """A second request is refused with a message, leaving one membership and one notification."""
    login_as(council.joiner)
    _request(client, council)
    response = _request(client, council)
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "You have already asked to join Leeds City Council" in error_summary(page)
    fresh()
    assert count(Membership, Membership.user_id == council.joiner.id) == 1
    assert len(notifications_for(council.owner)) == 1


@pytest.mark.parametrize("target", ["enterprise", "rejected", "missing"])
def test_cannot_ask_to_join_enterprises_or_rejected_bodies(client, login_as, council, target):
    """Only councils and NHS bodies that are not rejected can be joined; anything else changes nothing."""
    if target == "enterprise":
        org_id = factories.enterprise().id
    elif target == "rejected":
        org_id = factories.publisher(status="rejected").id
    else:
        org_id = 999999
    db.session.commit()
    memberships_before = count(Membership)
    login_as(council.joiner)

    response = client.post("/organisations/join", data={"organisation_id": org_id}, follow_redirects=True)

    assert "Select your organisation." in error_summary(response)
    fresh()
    assert count(Membership) == memberships_before
    assert count(Notification) == 0
    assert audit_events("membership.requested") == []
    assert count(AuditEvent, AuditEvent.action == "membership.requested") == 0
