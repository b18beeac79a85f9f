"""What organisations hold about a person (memberships, invitations to them), what stops them closing their account,
and what closing it does: memberships end, invitations to them are cancelled and no longer carry their email."""

from flask import url_for
from sqlalchemy import select, update

from ..core.features import Task
from ..extensions import db
from . import services
from .models import Invitation, Membership


def export(user) -> dict[str, list[dict]]:
    """Each organisation the person belongs to (or asked to join), and the invitations sent to their email."""
    invitations = db.session.scalars(select(Invitation).where(Invitation.email == user.email).order_by(Invitation.id))
    return {
        "memberships": [
            {
                "organisation": m.organisation.name,
                "kind": m.organisation.kind_label,
                "role": m.role,
                "status": m.status,
                "since": m.created_at,
            }
            for m in sorted(user.memberships, key=lambda m: m.id)
        ],
        "invitations": [
            {
                "organisation": i.organisation.name,
                "role": i.role,
                "sent_at": i.created_at,
                "expires_at": i.expires_at,
                "accepted_at": i.accepted_at,
                "cancelled": i.revoked,
            }
            for i in invitations
        ],
    }


def blockers(user) -> list[Task]:
    """An organisation the person is the only owner of, with other members, needs another owner first."""
    return [
        Task(
            f"Make someone else an owner of {organisation.name}",
            url_for("organisations.members", org_id=organisation.id),
            hint=f"You are the only owner of {organisation.name}, and other people belong to it.",
        )
        for organisation in services.organisations_needing_an_owner(user)
    ]


def anonymise(user, pseudonym) -> None:
    """End every membership (an organisation nobody else belongs to closes with it), cancel the invitations to the
    person and put the pseudonym's address in place of theirs on every invitation."""
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all():
        if not membership.has_ended:
            services.end_own_membership(membership, user)
    services.decline_invitations(user)
    db.session.execute(update(Invitation).where(Invitation.email == user.email).values(email=pseudonym.email))
