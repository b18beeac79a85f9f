"""Object-level authorisation: nobody sees or changes another organisation's records."""

import pytest

from marketplace.core.audit import AuditEvent
from marketplace.core.notifications import Notification
from marketplace.extensions import db
from marketplace.organisations.models import Invitation, Membership, Organisation
from tests import factories
from tests.database import count, fresh
from tests.pages import text

MEMBER_ACTIONS = ["remove", "make-owner", "make-member", "approve", "decline"]


@pytest.fixture
def world(ctx):
    """Organisation A (owner, member, join request, open invitation) and organisation B (its own owner and member)."""
    a_owner = factories.user(name="Anna A-Owner", email="anna@a.example")
    a = factories.publisher(a_owner, name="Alpha Council")
    a_member = factories.user(name="Adam A-Member", email="adam@a.example")
    factories.membership(a_member, a, role="member")
    a_requester = factories.user(name="Rita Requester", email="rita@a.example")
    factories.membership(a_requester, a, role="member", status="requested")
    invitation, _ = factories.invitation(a, "invitee@a.example")
    b_owner = factories.user(name="Bob B-Owner", email="bob@b.example")
    b = factories.enterprise(b_owner, name="Beta Care")
    b_member = factories.user(name="Bea B-Member", email="bea@b.example")
    b_member_row = factories.membership(b_member, b, role="member")
    db.session.commit()
    return type(
        "World",
        (),
        {
            "a": a,
            "a_owner": a_owner,
            "a_member": a_member,
            "invitation": invitation,
            "b": b,
            "b_owner": b_owner,
            "b_member_row": b_member_row,
        },
    )


def _snapshot(organisation_id: int) -> dict:
    """Everything about an organisation that an attack could change."""
    fresh()
    organisation = db.session.get(Organisation, organisation_id)
    memberships = db.session.scalars(
        db.select(Membership).where(Membership.organisation_id == organisation_id).order_by(Membership.id)
    )
    invitations = db.session.scalars(
        db.select(Invitation).where(Invitation.organisation_id == organisation_id).order_by(Invitation.id)
    )
    return {
        "organisation": (organisation.name, organisation.status, organisation.postcode, organisation.fte),
        "memberships": [(m.id, m.user_id, m.role, m.status) for m in memberships],
        "invitations": [(i.id, i.email, i.revoked, i.accepted_at) for i in invitations],
        "audit": count(AuditEvent, AuditEvent.organisation_id == organisation_id),
        "notifications": count(Notification),
    }


def _a_membership_ids(world) -> list[int]:
    return [m.id for m in db.session.scalars(db.select(Membership).where(Membership.organisation_id == world.a.id))]


def test_other_organisations_member_gets_404_everywhere(client, login_as, outbox, world):
    """An owner of B gets 404 for A's pages and every POST on A's members and invitation, and A is untouched."""
    before = _snapshot(world.a.id)
    login_as(world.b_owner)
    a = world.a.id
    for path in (
        f"/organisations/{a}",
        f"/organisations/{a}/members",
        f"/organisations/{a}/edit",
        f"/organisations/{a}/invite",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/organisations/{a}/edit", data={"name": "Taken"}).status_code == 404
    assert (
        client.post(f"/organisations/{a}/invite", data={"email": "mole@b.example", "role": "owner"}).status_code == 404
    )
    assert client.post(f"/organisations/{a}/invitations/{world.invitation.id}/revoke").status_code == 404
    for membership_id in _a_membership_ids(world):
        for action in MEMBER_ACTIONS:
            response = client.post(f"/organisations/{a}/members/{membership_id}/{action}")
            assert response.status_code == 404, (membership_id, action)

    assert _snapshot(world.a.id) == before
    assert outbox.messages() == []


def test_own_organisation_url_cannot_reach_another_organisations_rows(client, login_as, world):
    """An owner of B using B's URL with A's membership or invitation ids gets 404; nothing changes in A."""
    before = _snapshot(world.a.id)
    login_as(world.b_owner)
    b = world.b.id
    for membership_id in _a_membership_ids(world):
        for action in MEMBER_ACTIONS:
            assert client.post(f"/organisations/{b}/members/{membership_id}/{action}").status_code == 404
    assert client.post(f"/organisations/{b}/invitations/{world.invitation.id}/revoke").status_code == 404
    assert _snapshot(world.a.id) == before


def test_invitation_email_cannot_be_used_to_peek(client, login_as, world):
    """B's owner cannot see or accept A's invitation through the by-id route."""
    login_as(world.b_owner)
    assert "Alpha Council" not in text(client.get("/organisations/invitations"))
    assert client.post(f"/organisations/invitations/{world.invitation.id}/accept").status_code == 404
    fresh()
    assert db.session.get(Invitation, world.invitation.id).accepted_at is None


def test_plain_member_gets_403_for_owner_actions(client, login_as, world):
    """A plain member of A can look but gets 403 for every owner-only action, and A is untouched."""
    before = _snapshot(world.a.id)
    login_as(world.a_member)
    a = world.a.id
    assert client.get(f"/organisations/{a}").status_code == 200
    assert client.get(f"/organisations/{a}/members").status_code == 200
    assert client.get(f"/organisations/{a}/invite").status_code == 403
    assert (
        client.post(f"/organisations/{a}/invite", data={"email": "friend@a.example", "role": "owner"}).status_code
        == 403
    )
    assert client.post(f"/organisations/{a}/invitations/{world.invitation.id}/revoke").status_code == 403
    for membership_id in _a_membership_ids(world):
        for action in MEMBER_ACTIONS:
            assert client.post(f"/organisations/{a}/members/{membership_id}/{action}").status_code == 403, (
                membership_id,
                action,
            )
    assert _snapshot(world.a.id) == before


def test_plain_member_of_enterprise_cannot_edit(client, login_as, world):
    """A plain member of an enterprise gets 403 for its edit page and post."""
    member = world.b_member_row.user
    login_as(member)
    assert client.get(f"/organisations/{world.b.id}/edit").status_code == 403
    assert client.post(f"/organisations/{world.b.id}/edit", data={"name": "Mine now"}).status_code == 403
    fresh()
    assert db.session.get(Organisation, world.b.id).name == "Beta Care"


def test_admin_can_view_but_not_manage(client, login_as, world):
    """A platform admin who is not a member can see an organisation but not manage its members."""
    admin = factories.user(admin=True)
    db.session.commit()
    before = _snapshot(world.a.id)
    login_as(admin)
    assert client.get(f"/organisations/{world.a.id}").status_code == 200
    assert client.get(f"/organisations/{world.a.id}/invite").status_code == 403
    for membership_id in _a_membership_ids(world):
        assert client.post(f"/organisations/{world.a.id}/members/{membership_id}/remove").status_code == 403
    assert _snapshot(world.a.id) == before


def test_unknown_organisation_is_404(client, login_as, world):
    """An id that does not exist is 404, the same as one that is not yours."""
    login_as(world.b_owner)
    assert client.get("/organisations/999999").status_code == 404
    assert client.post("/organisations/999999/members/1/remove").status_code == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/organisations/{a}"),
        ("get", "/organisations/{a}/members"),
        ("post", "/organisations/{a}/members/1/remove"),
        ("post", "/organisations/join"),
    ],
)
def test_anonymous_people_are_sent_to_sign_in(client, world, method, path):
    """Signed-out visitors are redirected to sign in and change nothing."""
    before = _snapshot(world.a.id)
    response = getattr(client, method)(path.format(a=world.a.id))
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]
    assert _snapshot(world.a.id) == before
