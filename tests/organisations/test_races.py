"""Organisation decisions raced by real threads on PostgreSQL: one winner, a clear message for the loser, no owner lost."""

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.core.audit import AuditEvent
from marketplace.core.notifications import Notification
from marketplace.core.permissions import NOT_ALLOWED
from marketplace.extensions import db
from marketplace.organisations import services
from marketplace.organisations.models import Invitation, MemberRole, Membership, MembershipStatus, Organisation
from tests import factories
from tests.races import POSTGRES_ONLY, lost, race, repeat, summary

pytestmark = POSTGRES_ONLY

RUNS = 25
LAST_OWNER = "An organisation must keep at least one owner. Make someone else an owner first"
NOT_AN_OWNER = NOT_ALLOWED
ROLE_ACTIONS = {
    "demote": lambda membership, actor: services.change_role(membership, MemberRole.MEMBER, actor),
    "remove": services.remove_member,
}


def _load(model, row_id):
    return db.session.get(model, row_id)


def _actions(organisation_id: int, *prefixes: str) -> list[str]:
    query = select(AuditEvent.action).where(
        AuditEvent.organisation_id == organisation_id, AuditEvent.action.in_(prefixes)
    )
    return list(db.session.scalars(query))


def _notifications(user_id: int, kind: str) -> int:
    query = (
        select(func.count()).select_from(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
    )
    return db.session.scalar(query)


def _winner_and_loser(outcomes, *loser_messages: str) -> str | None:
    """None if exactly one contender won and the other was told one of loser_messages."""
    won = [o for o in outcomes if not isinstance(o, Exception) and not str(o).startswith("ERROR")]
    told = [lost(o) for o in outcomes if o not in won]
    if len(won) != 1 or len(told) != 1 or told[0] not in loser_messages:
        return f"outcomes {outcomes!r}"
    return None


def _two_owners() -> tuple[int, list[tuple[int, int]]]:
    """An enterprise with two owners: its id and each owner's (user id, membership id)."""
    first, second = factories.user(), factories.user()
    organisation = factories.enterprise(first)
    factories.membership(second, organisation, role=MemberRole.OWNER)
    db.session.commit()
    return organisation.id, [(m.user_id, m.id) for m in organisation.memberships]


def _role_contender(action: str, membership_id: int, actor_id: int):
    def load():
        membership, actor = _load(Membership, membership_id), _load(User, actor_id)
        return lambda: ROLE_ACTIONS[action](membership, actor)

    return load


@pytest.mark.parametrize(
    "first_action, second_action", [("demote", "demote"), ("remove", "remove"), ("demote", "remove")]
)
def test_two_owners_taking_each_other_away_leave_one_owner(app, ctx, first_action, second_action):
    """Each of two owners demotes or removes the other at the same moment: one succeeds, the other is refused."""

    def attempt(run):
        org_id, [(first, first_row), (second, second_row)] = _two_owners()
        outcomes = race(
            app, [_role_contender(first_action, second_row, first), _role_contender(second_action, first_row, second)]
        )
        db.session.expire_all()
        owners = len(services.owners(_load(Organisation, org_id)))
        if owners != 1:
            return f"{owners} owners left, outcomes {outcomes!r}"
        # The loser is refused either way: as the last owner's remover, or (if the winner's change was committed
        # before the loser's permission check) as someone who is no longer an owner.
        return _winner_and_loser(outcomes, LAST_OWNER, NOT_AN_OWNER)

    problems = repeat(RUNS, attempt)
    assert not problems, summary(problems, RUNS)


def _decide_contender(org_id: int, admin_id: int, approve: bool):
    def load():
        organisation, admin = _load(Organisation, org_id), _load(User, admin_id)
        return lambda: services.decide_organisation(organisation, admin, approve=approve)

    return load


def test_two_admins_approving_and_rejecting_one_publisher(app, ctx):
    """One admin approves as another rejects: one decision stands, is audited and told once; the other is refused."""
    admins = [factories.user(admin=True).id, factories.user(admin=True).id]
    db.session.commit()

    def attempt(run):
        owner = factories.user(role="publisher")
        organisation = factories.publisher(owner, status="pending")
        db.session.commit()
        org_id, name, owner_id = organisation.id, organisation.name, owner.id
        outcomes = race(app, [_decide_contender(org_id, admins[0], True), _decide_contender(org_id, admins[1], False)])
        db.session.expire_all()
        status = _load(Organisation, org_id).status
        events = _actions(org_id, "organisation.approved", "organisation.rejected")
        told = _notifications(owner_id, "organisation_decided")
        if events != [f"organisation.{status}"] or told != 1:
            return f"status {status}, audit {events}, owner told {told} times, outcomes {outcomes!r}"
        return _winner_and_loser(outcomes, f"{name} has already been {status}")

    problems = repeat(RUNS, attempt)
    assert not problems, summary(problems, RUNS)


def _request_contender(membership_id: int, actor_id: int, approve: bool):
    def load():
        membership, actor = _load(Membership, membership_id), _load(User, actor_id)
        return lambda: services.decide_join_request(membership, actor, approve=approve)

    return load


def _publisher_with_request() -> tuple[int, list[int], int, int]:
    """A council with two owners and one request to join: ids of council, owners, requester, request."""
    owners = [factories.user(role="publisher"), factories.user(role="publisher")]
    organisation = factories.publisher(owners[0])
    factories.membership(owners[1], organisation, role=MemberRole.OWNER)
    requester = factories.user(role="publisher")
    request = factories.membership(requester, organisation, role=MemberRole.MEMBER, status=MembershipStatus.REQUESTED)
    db.session.commit()
    return organisation.id, [o.id for o in owners], requester.id, request.id


def test_two_owners_accepting_and_declining_one_request(app, ctx):
    """One owner accepts a request as another declines it: one decision stands, audited and told once."""

    def attempt(run):
        org_id, (first, second), requester, request = _publisher_with_request()
        outcomes = race(app, [_request_contender(request, first, True), _request_contender(request, second, False)])
        db.session.expire_all()
        row = _load(Membership, request)
        events = _actions(org_id, "membership.approved", "membership.declined")
        expected = ["membership.declined"] if row is None else ["membership.approved"]
        told = _notifications(requester, "join_decided")
        if (row is not None and row.status != MembershipStatus.ACTIVE) or events != expected or told != 1:
            return (
                f"membership {row and row.status}, audit {events}, requester told {told} times, outcomes {outcomes!r}"
            )
        return _winner_and_loser(outcomes, "This request has already been dealt with")

    problems = repeat(RUNS, attempt)
    assert not problems, summary(problems, RUNS)


def test_invitation_accepted_while_the_request_is_declined(app, ctx):
    """A person uses an invitation as an owner declines their request: they join, with one membership."""

    def attempt(run):
        org_id, (owner, _), requester, request = _publisher_with_request()
        invitation, _ = factories.invitation(_load(Organisation, org_id), _load(User, requester).email)
        db.session.commit()
        invitation_id = invitation.id

        def accept():
            invitation, person = _load(Invitation, invitation_id), _load(User, requester)
            return lambda: services.accept_invitation(invitation, person).id

        outcomes = race(app, [accept, _request_contender(request, owner, False)])
        db.session.expire_all()
        rows = db.session.scalars(select(Membership).where(Membership.user_id == requester)).all()
        if [row.status for row in rows] != [MembershipStatus.ACTIVE] or not isinstance(outcomes[0], int):
            return f"memberships {[row.status for row in rows]}, outcomes {outcomes!r}"
        return None

    problems = repeat(RUNS, attempt)
    assert not problems, summary(problems, RUNS)
