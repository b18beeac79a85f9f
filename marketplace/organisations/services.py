"""Organisation rules: set-up, approval, members, invitations, areas. Callers commit.

Concurrency: approval is a conditional UPDATE (core/states); every change to a membership first locks its row
and re-reads it, and a change that could remove an owner first locks the organisation row, so the owner count it
checks cannot change under it (an organisation always keeps an owner).
"""

from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from ..accounts.models import User
from ..core import audit, states
from ..core.clock import utcnow
from ..core.errors import DomainError
from ..core.mail import send_email
from ..core.notifications import notify, notify_each
from ..core.tokens import hash_token, new_token
from ..extensions import db
from .models import (
    MEMBERSHIP_STATES,
    ORGANISATION_STATES,
    PUBLISHER_KINDS,
    Area,
    Invitation,
    MemberRole,
    Membership,
    MembershipStatus,
    Organisation,
    OrgKind,
    OrgStatus,
)
from .permissions import allows, require


def add_member(user: User, organisation: Organisation, role: str, status: str = MembershipStatus.ACTIVE) -> Membership:
    membership = Membership(user=user, organisation=organisation, role=role, status=status)
    db.session.add(membership)
    db.session.flush()
    return membership


def create_enterprise(user: User, **details) -> Organisation:
    """Set up a person's enterprise, with them as its owner."""
    organisation = Organisation(kind=OrgKind.ENTERPRISE, status=OrgStatus.APPROVED, **details)
    db.session.add(organisation)
    add_member(user, organisation, MemberRole.OWNER)
    audit.record(
        "organisation.created", obj=organisation, organisation=organisation, actor=user, kind=organisation.kind
    )
    return organisation


def update_enterprise(organisation: Organisation, actor: User, **details) -> None:
    """Change an enterprise's profile, recording what changed."""
    require(actor, "organisation_owner", organisation)
    changes = {
        key: [str(getattr(organisation, key)), str(value)]
        for key, value in details.items()
        if getattr(organisation, key) != value
    }
    for key, value in details.items():
        setattr(organisation, key, value)
    if changes:
        audit.record("organisation.updated", obj=organisation, organisation=organisation, actor=actor, changes=changes)


def update_publisher(organisation: Organisation, actor: User, *, name: str, areas: list[Area]) -> None:
    """Change a council's or NHS body's name and served areas, recording what changed."""
    require(actor, "organisation_owner", organisation)
    old = {"name": organisation.name, "areas": sorted(a.gss_code for a in organisation.served_areas)}
    organisation.name, organisation.served_areas = name.strip(), areas
    new = {"name": organisation.name, "areas": sorted(a.gss_code for a in areas)}
    if old != new:
        audit.record("organisation.updated", obj=organisation, organisation=organisation, actor=actor, old=old, new=new)


def platform_admins() -> list[User]:
    """Everyone who approves publishers."""
    return list(db.session.scalars(select(User).where(User.is_admin.is_(True))))


def create_publisher(user: User, *, kind: str, name: str, areas: list[Area]) -> Organisation:
    """Register a council or NHS body; it waits for a platform admin's approval before it can publish."""
    if kind not in PUBLISHER_KINDS:
        raise DomainError("Select council or NHS body")
    organisation = Organisation(kind=kind, name=name.strip(), status=OrgStatus.PENDING, served_areas=areas)
    db.session.add(organisation)
    add_member(user, organisation, MemberRole.OWNER)
    audit.record("organisation.created", obj=organisation, organisation=organisation, actor=user, kind=kind)
    link = url_for("admin.organisations", status=OrgStatus.PENDING, _external=True)
    notify_each(
        platform_admins(),
        "organisation_awaiting_approval",
        title=f"{organisation.name} is waiting for approval",
        link=link,
    )
    return organisation


def decide_organisation(organisation: Organisation, admin: User, *, approve: bool) -> None:
    """Approve or reject a pending publisher and tell its owners; of two admins deciding at once, one wins."""
    require(admin, "platform_admin")
    status = OrgStatus.APPROVED if approve else OrgStatus.REJECTED
    if not states.change(organisation, ORGANISATION_STATES, status, actor=admin, organisation=organisation):
        raise DomainError(f"{organisation.name} has already been {organisation.status}")
    title = f"{organisation.name} has been approved" if approve else f"{organisation.name} was not approved"
    notify_each(
        owners(organisation), "organisation_decided", title=title, link=url_for("dashboard.index", _external=True)
    )


def owners(organisation: Organisation) -> list[User]:
    """The organisation's active owners."""
    query = (
        select(User)
        .join(Membership)
        .where(
            Membership.organisation_id == organisation.id,
            Membership.role == MemberRole.OWNER,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )
    return list(db.session.scalars(query))


def joinable_publishers() -> list[Organisation]:
    """Councils and NHS bodies a person can ask to join."""
    query = select(Organisation).where(
        Organisation.kind.in_(PUBLISHER_KINDS), Organisation.status != OrgStatus.REJECTED
    )
    return list(db.session.scalars(query.order_by(Organisation.name)))


def request_to_join(user: User, organisation: Organisation) -> Membership:
    """Ask to join a council or NHS body; its owners decide."""
    if not organisation.is_publisher or organisation.status == OrgStatus.REJECTED:
        raise DomainError("You can only ask to join a council or NHS body")
    try:  # the unique (user, organisation) constraint refuses a second request, even one made at the same moment
        with db.session.begin_nested():
            membership = add_member(user, organisation, MemberRole.MEMBER, MembershipStatus.REQUESTED)
    except IntegrityError:
        raise DomainError(f"You have already asked to join {organisation.name}") from None
    audit.record("membership.requested", obj=membership, organisation=organisation, actor=user)
    link = url_for("organisations.members", org_id=organisation.id, _external=True)
    notify_each(
        owners(organisation), "join_requested", title=f"{user.name} asked to join {organisation.name}", link=link
    )
    return membership


def _lock_membership(*where) -> Membership | None:
    """The membership matching `where`, its row locked and re-read; None if it is not there (any more)."""
    query = select(Membership).where(*where).with_for_update(of=Membership)
    return db.session.scalar(query.execution_options(populate_existing=True))


def decide_join_request(membership: Membership, actor: User, *, approve: bool) -> None:
    """Accept or decline a request to join; of two owners deciding at once, the second is told it was dealt with."""
    require(actor, "organisation_owner", membership.organisation)
    request = _lock_membership(Membership.id == membership.id, Membership.status == MembershipStatus.REQUESTED)
    if request is None:
        raise DomainError("This request has already been dealt with")
    organisation, person = request.organisation, request.user
    if approve:
        states.advance(
            request,
            MEMBERSHIP_STATES,
            MembershipStatus.ACTIVE,
            actor=actor,
            action="membership.approved",
            user_id=person.id,
        )
    else:  # deleted rather than given a status, so the person can ask again later
        audit.record("membership.declined", obj=request, organisation=organisation, actor=actor, user_id=person.id)
        db.session.delete(request)
    verb = "accepted" if approve else "declined"
    notify(
        person,
        "join_decided",
        title=f"Your request to join {organisation.name} was {verb}",
        link=url_for("dashboard.index", _external=True),
        organisation=organisation,
        approved=approve,
    )


def _lock_for_role_change(membership: Membership) -> Membership:
    """Lock the organisation row (so its owners change one caller at a time), then the membership, re-read."""
    db.session.execute(
        select(Organisation.id).where(Organisation.id == membership.organisation_id).with_for_update(key_share=True)
    )
    locked = _lock_membership(Membership.id == membership.id)
    if locked is None:
        raise DomainError(f"This person is no longer a member of {membership.organisation.name}")
    return locked


def _active_owner_count(organisation_id: int) -> int:
    """How many active owners the organisation has (exact only while its row is locked)."""
    query = (
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.organisation_id == organisation_id,
            Membership.role == MemberRole.OWNER,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )
    return db.session.scalar(query) or 0


def _guard_last_owner(membership: Membership) -> None:
    """Refuse to take away the last owner; call with the organisation locked (_lock_for_role_change)."""
    if membership.is_owner and _active_owner_count(membership.organisation_id) <= 1:
        raise DomainError("An organisation must keep at least one owner. Make someone else an owner first")


def remove_member(membership: Membership, actor: User) -> None:
    """Remove a person from an organisation (never the last owner)."""
    require(actor, "organisation_owner", membership.organisation)
    membership = _lock_for_role_change(membership)
    _guard_last_owner(membership)
    audit.record(
        "membership.removed",
        obj=membership,
        organisation=membership.organisation,
        actor=actor,
        user_id=membership.user_id,
        role=membership.role,
    )
    db.session.delete(membership)


def _active_member_count(organisation_id: int) -> int:
    """How many people are active members of the organisation, whatever their role."""
    query = select(func.count()).where(
        Membership.organisation_id == organisation_id, Membership.status == MembershipStatus.ACTIVE
    )
    return db.session.scalar(query) or 0


def organisations_needing_an_owner(user: User) -> list[Organisation]:
    """Organisations the person is the only owner of while others belong to them (they must hand them over)."""
    return [
        m.organisation
        for m in user.memberships
        if m.is_owner and _active_owner_count(m.organisation_id) == 1 and _active_member_count(m.organisation_id) > 1
    ]


def end_own_membership(membership: Membership, actor: User) -> None:
    """End a person's own membership as they close their account, never leaving other members without an owner.

    An organisation nobody else is an active member of closes with them: requests to join it are declined and its
    invitations cancelled; its bookings, invoices and training records are kept.
    """
    if membership.user_id != actor.id:
        raise DomainError("You can only end your own membership")
    membership = _lock_for_role_change(membership)
    organisation = membership.organisation
    if membership.is_owner and _active_owner_count(organisation.id) <= 1:
        if _active_member_count(organisation.id) > 1:
            raise DomainError(f"You are the only owner of {organisation.name}. Make someone else an owner first")
        requests = select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.status == MembershipStatus.REQUESTED
        )
        for request in db.session.scalars(requests).all():
            decide_join_request(request, actor, approve=False)
        for invitation in open_invitations(organisation):
            revoke_invitation(invitation, actor)
        audit.record("organisation.closed_with_last_member", obj=organisation, organisation=organisation, actor=actor)
    states.advance(
        membership, MEMBERSHIP_STATES, MembershipStatus.ENDED, actor=actor, action="membership.ended", user_id=actor.id
    )


def decline_invitations(user: User) -> int:
    """Cancel the open invitations addressed to a person (they are closing their account); how many."""
    invitations = invitations_for(user)
    for invitation in invitations:
        invitation.revoked = True
        audit.record("invitation.declined", obj=invitation, organisation=invitation.organisation, actor=user)
    return len(invitations)


def change_role(membership: Membership, role: str, actor: User) -> None:
    """Make a member an owner or an owner a member (never leaving no owner)."""
    require(actor, "organisation_owner", membership.organisation)
    if role not in (MemberRole.OWNER, MemberRole.MEMBER):
        return
    membership = _lock_for_role_change(membership)
    if membership.role == role:
        return
    if role == MemberRole.MEMBER:
        _guard_last_owner(membership)
    audit.record(
        "membership.role_changed",
        obj=membership,
        organisation=membership.organisation,
        actor=actor,
        user_id=membership.user_id,
        old=membership.role,
        new=role,
    )
    membership.role = role


def invite(organisation: Organisation, email: str, role: str, actor: User) -> Invitation:
    """Email a single-use invitation link to join the organisation."""
    require(actor, "organisation_owner", organisation)
    if role == MemberRole.FINANCE and not organisation.is_publisher:
        raise DomainError("Only councils and NHS bodies have finance people: invite them as an owner or member")
    email = email.strip().lower()
    existing = db.session.scalar(
        select(Membership).join(User).where(Membership.organisation_id == organisation.id, User.email == email)
    )
    if existing:
        raise DomainError(f"{email} is already a member of {organisation.name}")
    token, token_hash = new_token()
    days = current_app.config["INVITATION_MAX_AGE_DAYS"]
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash,
        invited_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    audit.record("invitation.sent", obj=invitation, organisation=organisation, actor=actor, email=email, role=role)
    link = url_for("organisations.accept_invitation", token=token, _external=True)
    send_email(
        email,
        "invitation",
        organisation=organisation,
        inviter=actor,
        link=link,
        days=days,
        role=MemberRole(role).phrase,
    )
    return invitation


def usable_invitation(token: str) -> Invitation | None:
    """The invitation behind a link if it is unused, unrevoked and unexpired."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    if invitation is None or invitation.accepted_at or invitation.revoked or invitation.expires_at <= utcnow():
        return None
    return invitation


def invitation_for_user(invitation_id: int, user: User) -> Invitation | None:
    """An open invitation addressed to this person, by id."""
    return next((inv for inv in invitations_for(user) if inv.id == invitation_id), None)


def accept_invitation(invitation: Invitation, user: User) -> Membership | None:
    """Use an invitation once to join; None if someone used it first."""
    if not allows(user, "invitee", invitation):
        raise DomainError(
            f"This invitation was sent to {invitation.email}. Sign in with that email address to accept it"
        )
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow())
    ).rowcount
    if claimed != 1:
        return None
    membership = _lock_membership(
        Membership.user_id == user.id, Membership.organisation_id == invitation.organisation_id
    )
    if membership is None:
        membership = add_member(user, invitation.organisation, invitation.role)
    elif not membership.is_owner:  # an invitation never demotes an owner (who may be the last one)
        membership.role = invitation.role
    details = {"invitation_id": invitation.id, "role": invitation.role}
    # A request to join is approved by the invitation, and that change records the acceptance.
    if not states.change(
        membership, MEMBERSHIP_STATES, MembershipStatus.ACTIVE, action="invitation.accepted", actor=user, **details
    ):
        audit.record("invitation.accepted", obj=membership, organisation=invitation.organisation, actor=user, **details)
    return membership


def revoke_invitation(invitation: Invitation, actor: User) -> None:
    """Cancel an invitation that has not been used."""
    require(actor, "organisation_owner", invitation.organisation)
    invitation.revoked = True
    audit.record(
        "invitation.revoked", obj=invitation, organisation=invitation.organisation, actor=actor, email=invitation.email
    )


def current_members(organisation: Organisation) -> list[Membership]:
    """Memberships whose person has not closed their account, with the person, by status then name."""
    query = (
        select(Membership)
        .join(Membership.user)
        .options(contains_eager(Membership.user))
        .where(Membership.organisation_id == organisation.id, Membership.status != MembershipStatus.ENDED)
        .order_by(Membership.status, func.lower(User.name), Membership.id)
    )
    return list(db.session.scalars(query))


def open_invitations(organisation: Organisation) -> list[Invitation]:
    """Invitations still waiting to be used."""
    query = select(Invitation).where(
        Invitation.organisation_id == organisation.id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked.is_(False),
        Invitation.expires_at > utcnow(),
    )
    return list(db.session.scalars(query.order_by(Invitation.created_at)))


def invitations_for(user: User) -> list[Invitation]:
    """Open invitations addressed to a person's email."""
    query = select(Invitation).where(
        Invitation.email == user.email,
        Invitation.accepted_at.is_(None),
        Invitation.revoked.is_(False),
        Invitation.expires_at > utcnow(),
    )
    return list(db.session.scalars(query))


def purge_expired_invitations(now) -> int:
    """Delete invitations that expired, were used or were revoked (a periodic job)."""
    query = delete(Invitation).where(
        (Invitation.expires_at <= now) | Invitation.accepted_at.is_not(None) | Invitation.revoked.is_(True)
    )
    return db.session.execute(query).rowcount or 0
