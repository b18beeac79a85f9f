"""Invitation links: once only, for 7 days, only for the invited address, not after being cancelled."""

import pytest

from marketplace.core.clock import utcnow
from marketplace.extensions import db
from marketplace.organisations.models import Invitation, Membership
from marketplace.organisations.services import purge_expired_invitations
from tests import factories
from tests.conftest import path_of
from tests.database import audit_events, count, fresh
from tests.pages import error_summary, h1, text

INVALID = "This invitation has expired or is not valid"


@pytest.fixture
def guest(ctx):
    """A person with an account who is about to be invited."""
    person = factories.user(name="Gina Guest", email="gina@example.com")
    db.session.commit()
    return person


def _memberships_of(person) -> list[Membership]:
    return list(db.session.scalars(db.select(Membership).where(Membership.user_id == person.id)))


def test_emailed_link_works_once(client, sign_in, outbox, team, guest):
    """The link from the email joins the invitee with the invited role; using it again gives the 400 page."""
    sign_in(team.owner)
    client.post(f"/organisations/{team.organisation.id}/invite", data={"email": guest.email, "role": "owner"})
    path = path_of(outbox.last_link(guest.email, "/organisations/invitations/"))

    sign_in(guest)
    page = client.get(path)
    assert page.status_code == 200
    assert h1(page) == "Join Olive Care"
    assert "as an owner" in text(page)
    response = client.post(path)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/organisations/{team.organisation.id}")
    fresh()
    [membership] = _memberships_of(guest)
    assert (membership.organisation_id, membership.role, membership.status) == (team.organisation.id, "owner", "active")
    invitation = db.session.scalar(db.select(Invitation))
    assert invitation.accepted_at is not None
    [event] = audit_events("invitation.accepted")
    assert (event.actor_id, event.details["invitation_id"], event.details["role"]) == (guest.id, invitation.id, "owner")

    again = client.get(path)
    assert again.status_code == 400
    assert h1(again) == INVALID
    assert client.post(path).status_code == 400
    fresh()
    assert len(_memberships_of(guest)) == 1
    assert len(audit_events("invitation.accepted")) == 1


def test_link_expires_after_seven_days(client, login_as, clock, team, guest):
    """Eight days after sending, the link gives the 400 page and joins nobody."""
    _, token = factories.invitation(team.organisation, guest.email)
    db.session.commit()
    clock.advance(days=8)
    login_as(guest)
    assert client.get(f"/organisations/invitations/{token}").status_code == 400
    assert client.post(f"/organisations/invitations/{token}").status_code == 400
    fresh()
    assert _memberships_of(guest) == []
    assert audit_events("invitation.accepted") == []


def test_link_still_works_on_day_six(client, login_as, clock, team, guest):
    """Within the seven days the link works."""
    _, token = factories.invitation(team.organisation, guest.email)
    db.session.commit()
    clock.advance(days=6, hours=23)
    login_as(guest)
    assert client.post(f"/organisations/invitations/{token}").status_code == 302
    fresh()
    assert len(_memberships_of(guest)) == 1


def test_only_the_invited_address_can_accept(client, sign_in, team, guest):
    """Someone else signed in gets a message naming the right address; the invitation stays usable for the invitee."""
    other = factories.user(name="Ollie Other", email="ollie@example.com")
    invitation, token = factories.invitation(team.organisation, guest.email)
    db.session.commit()
    sign_in(other)

    response = client.post(f"/organisations/invitations/{token}", follow_redirects=True)

    assert response.status_code == 200
    assert (
        "This invitation was sent to gina@example.com. Sign in with that email address to accept it"
        in error_summary(response)
    )
    fresh()
    assert _memberships_of(other) == []
    assert db.session.get(Invitation, invitation.id).accepted_at is None

    sign_in(guest)
    assert client.post(f"/organisations/invitations/{token}").status_code == 302
    fresh()
    assert len(_memberships_of(guest)) == 1


def test_revoked_invitation_does_not_work(client, sign_in, team, guest):
    """After an owner cancels it, the link gives the 400 page and joins nobody."""
    invitation, token = factories.invitation(team.organisation, guest.email)
    db.session.commit()
    sign_in(team.owner)
    client.post(f"/organisations/{team.organisation.id}/invitations/{invitation.id}/revoke")
    sign_in(guest)
    assert client.get(f"/organisations/invitations/{token}").status_code == 400
    assert client.post(f"/organisations/invitations/{token}").status_code == 400
    fresh()
    assert _memberships_of(guest) == []


def test_unknown_token_gives_400(client):
    """A made-up token shows the invalid-link page."""
    response = client.get("/organisations/invitations/not-a-real-token")
    assert response.status_code == 400
    assert h1(response) == INVALID


def test_anonymous_visitor_is_asked_to_sign_in(client, team, guest):
    """Without signing in, the page offers sign-in; a post joins nobody and leaves the link usable."""
    invitation, token = factories.invitation(team.organisation, guest.email)
    db.session.commit()
    page = client.get(f"/organisations/invitations/{token}")
    assert page.status_code == 200
    assert "sign in" in text(page)
    assert "/sign-in?next=" in page.get_data(as_text=True)
    client.post(f"/organisations/invitations/{token}")
    fresh()
    assert count(Membership) == 2
    assert db.session.get(Invitation, invitation.id).accepted_at is None


def test_accept_from_invitations_page(client, login_as, team, guest):
    """The addressee sees the invitation on their page and joins from it, by id."""
    invitation, _ = factories.invitation(team.organisation, guest.email, role="member")
    db.session.commit()
    login_as(guest)
    page = text(client.get("/organisations/invitations"))
    assert "Olive Care invited you as a member" in page

    response = client.post(f"/organisations/invitations/{invitation.id}/accept")

    assert response.status_code == 302
    fresh()
    [membership] = _memberships_of(guest)
    assert (membership.organisation_id, membership.role) == (team.organisation.id, "member")
    assert db.session.get(Invitation, invitation.id).accepted_at is not None
    assert "You have no invitations waiting." in text(client.get("/organisations/invitations"))
    assert client.post(f"/organisations/invitations/{invitation.id}/accept").status_code == 404


def test_accept_by_id_is_404_for_anyone_else(client, login_as, team, guest):
    """Another person posting the invitation's id gets 404 and nothing changes."""
    other = factories.user(email="ollie@example.com")
    invitation, _ = factories.invitation(team.organisation, guest.email)
    db.session.commit()
    login_as(other)
    assert "You have no invitations waiting." in text(client.get("/organisations/invitations"))
    assert client.post(f"/organisations/invitations/{invitation.id}/accept").status_code == 404
    fresh()
    assert _memberships_of(other) == []
    assert db.session.get(Invitation, invitation.id).accepted_at is None


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_accept_by_id_refuses_dead_invitations(client, login_as, clock, team, guest, state):
    """Expired or cancelled invitations are not listed and cannot be accepted by id."""
    invitation, _ = factories.invitation(team.organisation, guest.email)
    if state == "revoked":
        invitation.revoked = True
    db.session.commit()
    if state == "expired":
        clock.advance(days=8)
    login_as(guest)
    assert "You have no invitations waiting." in text(client.get("/organisations/invitations"))
    assert client.post(f"/organisations/invitations/{invitation.id}/accept").status_code == 404
    fresh()
    assert _memberships_of(guest) == []


def test_purge_removes_dead_invitations_only(ctx, clock, team):
    """The periodic purge deletes expired, used and revoked invitations and keeps open ones."""
    open_one, _ = factories.invitation(team.organisation, "open@example.com")
    used, _ = factories.invitation(team.organisation, "used@example.com")
    used.accepted_at = utcnow()
    revoked, _ = factories.invitation(team.organisation, "revoked@example.com")
    revoked.revoked = True
    expired, _ = factories.invitation(team.organisation, "old@example.com", days=-1)
    db.session.commit()
    assert purge_expired_invitations(utcnow()) == 3
    db.session.commit()
    assert [i.email for i in db.session.scalars(db.select(Invitation))] == ["open@example.com"]


def test_stale_member_invitation_never_demotes_the_last_owner(client, sign_in, team, guest):
    """Using an old 'member' invitation after becoming the only owner keeps the person an owner."""
    _, member_token = factories.invitation(team.organisation, guest.email, role="member")
    _, owner_token = factories.invitation(team.organisation, guest.email, role="owner")
    db.session.commit()
    sign_in(guest)
    client.post(f"/organisations/invitations/{owner_token}")
    org = team.organisation.id
    client.post(f"/organisations/{org}/members/{team.owner_row.id}/remove")
    client.post(f"/organisations/{org}/members/{team.member_row.id}/remove")

    client.post(f"/organisations/invitations/{member_token}")

    fresh()
    [membership] = db.session.scalars(db.select(Membership).where(Membership.organisation_id == org)).all()
    assert (membership.user_id, membership.role, membership.status) == (guest.id, "owner", "active")


def test_a_finance_invitation_says_finance(client, ctx, login_as, outbox):
    """The email and the invitation page name the role offered: a finance person, not "a member"."""
    from marketplace.organisations import services

    owner = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(owner)
    services.invite(council, "fin@example.com", "finance", owner)
    db.session.commit()
    [message] = outbox.to("fin@example.com")
    assert "as a finance person" in message.get_body(preferencelist=("plain",)).get_content()
    invitee = factories.user(email="fin@example.com")
    db.session.commit()
    login_as(invitee)
    assert "as a finance person" in client.get("/organisations/invitations").get_data(as_text=True)
