"""Who a person is in relief cover (a relief worker now; pool managers when pools arrive), defined once here."""

from ..core.permissions import is_signed_in


def is_relief_worker(user) -> bool:
    """Has a relief worker profile."""
    return is_signed_in(user) and user.relief_profile is not None
