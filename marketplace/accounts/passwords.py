"""Password hashing (argon2id) and the password rules."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 12
COMMON_PASSWORDS = frozenset(
    {
        "password1234",
        "123456789012",
        "qwertyuiopas",
        "passwordpassword",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "administrator",
        "changeme1234",
        "password123!",
        "qwerty123456",
        "abcdefghijkl",
        "backstop1234",
        "111111111111",
        "aaaaaaaaaaaa",
    }
)


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config.get("ARGON2_PARAMS", {}))


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash it still spends the same effort (no timing hint)."""
    hasher = _hasher()
    try:
        return hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    key = repr(current_app.config.get("ARGON2_PARAMS", {}))
    if key not in _DUMMY:
        _DUMMY[key] = _hasher().hash("not-a-real-password-hash-target")
    return _DUMMY[key]


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, in words for the form, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        return "Password is too easy to guess. Try 3 random words together"
    return None
