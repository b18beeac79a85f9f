"""Configuration classes, chosen by FLASK_CONFIG or the app factory's argument; everything secret comes from the environment."""

import os
from datetime import timedelta


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    SERVER_NAME = os.environ.get("SERVER_NAME")
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    SESSION_IDLE_HOURS = 12

    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    SIGN_IN_MAX_FAILURES = 10
    SIGN_IN_WINDOW_MINUTES = 5

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Backstop <no-reply@backstop.example>")
    OUTBOX_DIR = os.environ.get("OUTBOX_DIR")  # default: instance/outbox

    EMAIL_VERIFICATION_MAX_AGE_HOURS = 72
    PASSWORD_RESET_MAX_AGE_MINUTES = 60
    INVITATION_MAX_AGE_DAYS = 7

    HSTS = False
    PAGE_SIZE = 25


class DevelopmentConfig(Config):
    """Local development: SQLite file under instance/, debug on."""

    DEBUG = True
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite:///backstop.sqlite")


class TestConfig(Config):
    """The test suite: TEST_DATABASE_URL or in-memory-like SQLite file, fast hashing, no limiter by default."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite:///test.sqlite")
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    SERVER_NAME = None


class ProductionConfig(Config):
    """Production: PostgreSQL from DATABASE_URL, secrets required, secure cookies and HSTS."""

    SESSION_COOKIE_SECURE = True
    HSTS = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def validate(cls) -> None:
        """Refuse to start without the settings production cannot guess."""
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"Set {', '.join(missing)} in the environment before starting Backstop.")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
