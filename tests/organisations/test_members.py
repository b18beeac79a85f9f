"""Owners manage members: invite, remove, change roles; an organisation always keeps an owner."""

from datetime import timedelta

import pytest

from marketplace.core.tokens import hash_token
from marketplace.extensions import db
from marketplace.organisations.models import Invitation, Membership
from tests import factories
from tests.conftest import path_of
from tests.database import audit_events, count, fresh
from tests.pages import error_summary, soup, text


def _members(team):
    return f"/organisations/{team.organisation.id}/members"


def test_owner_invites_by_email(client, login_as, outbox, clock, team):
    """An invitation row is stored (hash only, 7 days), audited, listed, and emailed with a working link."""
    login_as(team.owner)
    assert client.get(f"/organisations/{team.organisation.id}/invite").status_code == 200

    response = client.post(
        f"/organisations/{team.organisation.id}/invite", data={"email": " New.Person@Example.com ", "role": "owner"}
    )

    assert response.status_code == 302
    invitation = db.session.scalar(db.select(Invitation))
    assert invitation.email == "new.person@example.com"
    assert invitation.role == "owner"
    assert invitation.invited_by_id == team.owner.id
    assert invitation.organisation_id == team.organisation.id
    assert invitation.expires_at == clock.now() + timedelta(days=7)
    assert invitation.accepted_at is None and invitation.revoked is False
    [event] = audit_events("invitation.sent")
    assert event.details == {"email": "new.person@example.com", "role": "owner"}
    [mail] = outbox.to("new.person@example.com")
    assert mail["Subject"] == "Olive Owner invited you to join Olive Care on Backstop"
    link = outbox.last_link("new.person@example.com", "/organisations/invitations/")
    token = path_of(link).rsplit("/", 1)[1]
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash
    page = client.get(response.headers["Location"])
    assert "Invitation sent to" in text(page)
    assert "new.person@example.com" in text(page)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("max@example.com", "max@example.com is already a member of Olive Care"),
        ("not-an-email", "Enter an email address in the correct format"),
        ("", "Enter their email address"),
    ],
)
def test_invite_refuses_members_and_bad_addresses(client, login_as, outbox, team, email, message):
    """Inviting an existing member or a bad address shows a message; no invitation, audit row or email."""
    login_as(team.owner)
    response = client.post(f"/organisations/{team.organisation.id}/invite", data={"email": email, "role": "member"})
    assert response.status_code == 200
    assert message in error_summary(response)
    fresh()
    assert count(Invitation) == 0
    assert audit_events("invitation.sent") == []
    assert outbox.messages() == []


def test_owner_removes_member(client, login_as, team):
    """Removing deletes the membership and audits who was removed; the person loses access."""
    login_as(team.owner)
    row_id = team.member_row.id
    response = client.post(f"/organisations/{team.organisation.id}/members/{row_id}/remove", follow_redirects=True)
    assert "Max Member has been removed." in text(response)
    fresh()
    assert db.session.get(Membership, row_id) is None
    [event] = audit_events("membership.removed")
    assert event.details == {"user_id": team.member.id, "role": "member"}
    assert event.actor_id == team.owner.id


def test_owner_promotes_and_demotes(client, login_as, team):
    """Make owner and make member change the role, each audited as membership.role_changed with old and new roles."""
    login_as(team.owner)
    base = f"/organisations/{team.organisation.id}/members/{team.member_row.id}"
    response = client.post(f"{base}/make-owner", follow_redirects=True)
    assert "Max Member is now an owner." in text(response)
    fresh()
    assert db.session.get(Membership, team.member_row.id).role == "owner"

    client.post(f"{base}/make-member")
    fresh()
    assert db.session.get(Membership, team.member_row.id).role == "member"
    events = audit_events("membership.role_changed")
    assert [(e.details["old"], e.details["new"], e.details["user_id"], e.actor_id) for e in events] == [
        ("member", "owner", team.member.id, team.owner.id),
        ("owner", "member", team.member.id, team.owner.id),
    ]


def test_making_an_owner_an_owner_again_changes_nothing(client, login_as, team):
    """A role change to the same role is a no-op with no audit row."""
    login_as(team.owner)
    client.post(f"/organisations/{team.organisation.id}/members/{team.owner_row.id}/make-owner")
    assert audit_events("membership.role_changed") == []


@pytest.mark.parametrize("action", ["remove", "make-member"])
def test_last_owner_cannot_be_removed_or_demoted(client, login_as, team, action):
    """The only owner can neither be removed nor made a member: a message, and nothing changes."""
    login_as(team.owner)
    response = client.post(
        f"/organisations/{team.organisation.id}/members/{team.owner_row.id}/{action}", follow_redirects=True
    )
    assert "An organisation must keep at least one owner" in error_summary(response)
    fresh()
    row = db.session.get(Membership, team.owner_row.id)
    assert (row.role, row.status) == ("owner", "active")
    assert audit_events(prefix="membership.") == []


def test_second_owner_can_go_but_then_the_last_stays(client, sign_in, team):
    """With two owners one may step down; the remaining owner then cannot, and the one who stepped down has no say."""
    team.member_row.role = "owner"
    db.session.commit()
    sign_in(team.owner)
    base = f"/organisations/{team.organisation.id}/members"
    client.post(f"{base}/{team.owner_row.id}/make-member")
    fresh()
    assert db.session.get(Membership, team.owner_row.id).role == "member"
    assert client.post(f"{base}/{team.member_row.id}/make-member").status_code == 403

    sign_in(team.member)
    response = client.post(f"{base}/{team.member_row.id}/make-member", follow_redirects=True)
    assert "An organisation must keep at least one owner" in error_summary(response)
    fresh()
    assert db.session.get(Membership, team.member_row.id).role == "owner"
    assert len(audit_events("membership.role_changed")) == 1


def test_owner_cancels_an_invitation(client, login_as, team):
    """Revoking marks the invitation revoked, audits it and drops it from the members page."""
    invitation, _ = factories.invitation(team.organisation, "guest@example.com")
    db.session.commit()
    login_as(team.owner)
    assert "guest@example.com" in text(client.get(_members(team)))
    response = client.post(
        f"/organisations/{team.organisation.id}/invitations/{invitation.id}/revoke", follow_redirects=True
    )
    assert "The invitation to guest@example.com has been cancelled." in text(response)
    assert "Cancel invitation to guest@example.com" not in text(response)
    fresh()
    assert db.session.get(Invitation, invitation.id).revoked is True
    [event] = audit_events("invitation.revoked")
    assert event.details == {"email": "guest@example.com"}


def test_members_page_shows_actions_to_owners_only(client, sign_in, team):
    """Owners see invite and member buttons (never for themselves); members see the list only."""
    sign_in(team.owner)
    page = soup(client.get(_members(team)))
    buttons = [b.get_text(strip=True) for b in page.select("form button")]
    assert "Make Max Member an owner" in buttons
    assert "Remove Max Member" in buttons
    assert not any("Olive Owner" in b for b in buttons)
    assert page.find("a", string="Invite someone")

    sign_in(team.member)
    page = soup(client.get(_members(team)))
    assert "Olive Owner" in page.get_text()
    assert [b.get_text(strip=True) for b in page.select("main form button")] == []
    assert page.find("a", string="Invite someone") is None
