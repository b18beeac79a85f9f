"""One factory function per model; each flushes and returns the object (tests commit if they need to)."""

from datetime import timedelta
from decimal import Decimal
from itertools import count

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.accounts.passwords import hash_password
from marketplace.core.clock import utcnow
from marketplace.core.notifications import Notification
from marketplace.core.tokens import new_token
from marketplace.cover.models import ReliefWorkerProfile
from marketplace.extensions import db
from marketplace.organisations.models import (
    Area,
    Invitation,
    LegalForm,
    MemberRole,
    Membership,
    MembershipStatus,
    Organisation,
    OrgKind,
    OrgStatus,
)

PASSWORD = "correct horse battery staple"
_seq = count(1)


def area(name: str = "Leeds") -> Area:
    """A seeded area by name."""
    return db.session.scalar(select(Area).where(Area.name == name))


def user(
    *,
    name: str | None = None,
    email: str | None = None,
    verified: bool = True,
    admin: bool = False,
    role: str = "entrepreneur",
) -> User:
    """A person who can sign in with PASSWORD."""
    n = next(_seq)
    person = User(
        name=name or f"Person {n}",
        email=email or f"person{n}@example.com",
        password_hash=hash_password(PASSWORD),
        intended_role=role,
        email_verified_at=utcnow() if verified else None,
        is_admin=admin,
    )
    db.session.add(person)
    db.session.flush()
    return person


def membership(
    person: User, organisation: Organisation, role: str = MemberRole.OWNER, status: str = MembershipStatus.ACTIVE
) -> Membership:
    """A person's place in an organisation."""
    row = Membership(user=person, organisation=organisation, role=role, status=status)
    db.session.add(row)
    db.session.flush()
    return row


def enterprise(
    owner: User | None = None, *, name: str | None = None, area_name: str = "Leeds", **fields
) -> Organisation:
    """An approved enterprise, with an owner."""
    organisation = Organisation(
        kind=OrgKind.ENTERPRISE,
        status=OrgStatus.APPROVED,
        name=name or f"Enterprise {next(_seq)}",
        legal_form=fields.pop("legal_form", LegalForm.SOLE_TRADER),
        fte=fields.pop("fte", Decimal("1.0")),
        area_id=area(area_name).id,
        postcode=fields.pop("postcode", "LS1 4AP"),
        **fields,
    )
    db.session.add(organisation)
    db.session.flush()
    membership(owner or user(), organisation)
    return organisation


def publisher(
    owner: User | None = None,
    *,
    kind: str = OrgKind.COUNCIL,
    status: str = OrgStatus.APPROVED,
    name: str | None = None,
    areas=("Leeds",),
) -> Organisation:
    """A council or NHS body, approved by default, with an owner."""
    organisation = Organisation(
        kind=kind, status=status, name=name or f"Council {next(_seq)}", served_areas=[area(a) for a in areas]
    )
    db.session.add(organisation)
    db.session.flush()
    membership(owner or user(role="publisher"), organisation)
    return organisation


def relief_worker(person: User | None = None, area_name: str = "Leeds") -> ReliefWorkerProfile:
    """A relief worker profile."""
    profile = ReliefWorkerProfile(user=person or user(role="relief_worker"), area_id=area(area_name).id)
    db.session.add(profile)
    db.session.flush()
    return profile


def invitation(
    organisation: Organisation, email: str, *, role: str = MemberRole.MEMBER, days: int = 7
) -> tuple[Invitation, str]:
    """An invitation and the raw token its link carries."""
    token, token_hash = new_token()
    row = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        token_hash=token_hash,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    return row, token


def notification(person: User, *, title: str = "Something happened", read: bool = False) -> Notification:
    """An in-app notification."""
    row = Notification(user_id=person.id, kind="test", title=title, read_at=utcnow() if read else None)
    db.session.add(row)
    db.session.flush()
    return row
