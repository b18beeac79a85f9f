"""Closing an account: after the password is re-entered, each feature takes the person out of its data
(core.features.PersonalData.anonymise), keeping financial records, certificates and audit events under a stable
pseudonym. Refused while the person is the only owner of an organisation others belong to. Callers commit."""

from sqlalchemy import select

from ..accounts.models import User
from ..accounts.personal_data import pseudonym_of
from ..accounts.services import confirm_password
from ..core import audit
from ..core.errors import DomainError
from ..core.features import Task, personal_data
from ..extensions import db


class ClosureBlocked(DomainError):
    """The person must do something first (hand an organisation over); tasks say what, with links."""

    def __init__(self, tasks: list[Task]):
        super().__init__(" ".join(task.text for task in tasks))
        self.tasks = tasks


def blockers(user: User) -> list[Task]:
    """What the person must do before they can close their account (nothing: they can close it now)."""
    return [task for source in personal_data() for task in source.blockers(user)]


def close_account(user: User, password: str) -> str:
    """Close the person's account and return its pseudonym; the caller commits, then signs the browser out.

    The user row is locked first, so two closures at once cannot both run; each feature then anonymises its own
    data in order, accounts last (the others still read the person's name and email).
    """
    confirm_password(user, password, "Your password is not correct")
    locked = db.session.scalar(
        select(User).where(User.id == user.id, User.closed_at.is_(None)).with_for_update(of=User)
    )
    if locked is None:
        raise DomainError("This account has already been closed")
    tasks = blockers(user)
    if tasks:
        raise ClosureBlocked(tasks)
    pseudonym = pseudonym_of(user)
    for source in personal_data():
        source.anonymise(user, pseudonym)
    audit.record("account.closed", obj=user, actor=user, pseudonym=pseudonym.code)
    return pseudonym.code
