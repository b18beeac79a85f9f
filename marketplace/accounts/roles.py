"""Who a person is, where accounts alone can say: a relief worker has a relief worker profile (defined once here, so
training and relief cover both ask it without importing each other)."""

from ..core.permissions import is_signed_in


def is_relief_worker(user, _obj=None) -> bool:
    """Has a relief worker profile."""
    return is_signed_in(user) and user.relief_profile is not None
