"""Import every model so metadata (and so migrations) sees the whole schema."""

from .accounts.models import PasswordResetToken, SignInFailure, User, UserSession
from .core.audit import AuditEvent
from .core.notifications import Notification
from .cover.models import ReliefWorkerProfile
from .organisations.models import Area, Invitation, Membership, Organisation, organisation_areas

__all__ = [
    "Area",
    "AuditEvent",
    "Invitation",
    "Membership",
    "Notification",
    "Organisation",
    "PasswordResetToken",
    "ReliefWorkerProfile",
    "SignInFailure",
    "User",
    "UserSession",
    "organisation_areas",
]
