"""Configuration classes, chosen by FLASK_CONFIG; secrets and addresses come from the environment."""

import os
from datetime import timedelta


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENVIRONMENT_SETTINGS = {
    # setting name: environment variable
    "SECRET_KEY": "SECRET_KEY",
    "SQLALCHEMY_DATABASE_URI": "DATABASE_URL",
    "REDIS_URL": "REDIS_URL",
    "QUEUE_REDIS_URL": "QUEUE_REDIS_URL",
    "QUEUE_NAME": "QUEUE_NAME",
    "SERVER_NAME": "SERVER_NAME",
    "PUBLIC_BASE_URL": "PUBLIC_BASE_URL",
    "MAIL_SERVER": "MAIL_SERVER",
    "MAIL_USERNAME": "MAIL_USERNAME",
    "MAIL_PASSWORD": "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER": "MAIL_DEFAULT_SENDER",
    "OUTBOX_DIR": "OUTBOX_DIR",
    "UPLOADS_DIR": "UPLOADS_DIR",
    "PAYMENT_PROVIDER": "PAYMENT_PROVIDER",
    "STRIPE_SECRET_KEY": "STRIPE_SECRET_KEY",
    "STRIPE_PUBLISHABLE_KEY": "STRIPE_PUBLISHABLE_KEY",
    "STRIPE_WEBHOOK_SECRET": "STRIPE_WEBHOOK_SECRET",
    "STRIPE_CONNECT_WEBHOOK_SECRET": "STRIPE_CONNECT_WEBHOOK_SECRET",
    "STRIPE_API_BASE": "STRIPE_API_BASE",
    "NOTIFY_API_KEY": "NOTIFY_API_KEY",
    "NOTIFY_SMS_TEMPLATE_ID": "NOTIFY_SMS_TEMPLATE_ID",
    "NOTIFY_BASE_URL": "NOTIFY_BASE_URL",
}


def settings_from_environment() -> dict:
    """The settings given as environment variables now (read at app creation, not at import)."""
    settings = {name: os.environ[var] for name, var in ENVIRONMENT_SETTINGS.items() if os.environ.get(var)}
    if os.environ.get("MAIL_PORT"):
        settings["MAIL_PORT"] = int(os.environ["MAIL_PORT"])
    if os.environ.get("MAIL_USE_TLS"):
        settings["MAIL_USE_TLS"] = _env_bool("MAIL_USE_TLS", True)
    return settings


class Config:
    """Defaults shared by every environment; environment variables override them (see ENVIRONMENT_SETTINGS)."""

    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None
    # No "SELECT 1" before every request's first query (a round trip each time, about a tenth of a page's plumbing
    # in `make bench`): connections are recycled after half an hour instead, and one dropped by a database restart
    # fails a single request and is replaced (SQLAlchemy invalidates the pool on a disconnect).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False, "pool_recycle": 1800}
    REDIS_URL = None
    QUEUE_REDIS_URL = None  # Redis for the job queue (default: REDIS_URL); neither set: jobs run in-process
    QUEUE_NAME = "backstop"
    QUEUE_RETRY_INTERVALS = (30, 120, 600)  # seconds before each retry of a failed queued job
    SERVER_NAME = None
    # Every absolute link (emails, notifications, calendar feeds, Stripe return addresses) starts with this, never
    # with the request's Host header; production refuses to start without it.
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"
    PREFERRED_URL_SCHEME = "http"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    SESSION_IDLE_HOURS = 12

    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = False
    SIGN_IN_MAX_FAILURES = 10  # per account and IP address pair (accounts/throttle.py)
    SIGN_IN_ACCOUNT_MAX_FAILURES = 50  # per account from anywhere
    SIGN_IN_IP_MAX_FAILURES = 50  # per IP address across accounts
    SIGN_IN_WINDOW_MINUTES = 5

    MAIL_SERVER = None
    MAIL_PORT = 587
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = True
    MAIL_DEFAULT_SENDER = "Backstop <no-reply@backstop.example>"
    OUTBOX_DIR = None  # default: instance/outbox
    UPLOADS_DIR = None  # uploaded documents (schemes' policy wordings), outside static; default: instance/uploads

    EMAIL_VERIFICATION_MAX_AGE_HOURS = 72
    PASSWORD_RESET_MAX_AGE_MINUTES = 60
    INVITATION_MAX_AGE_DAYS = 7

    HSTS = False
    PAGE_SIZE = 25

    PAYMENT_PROVIDER = "invoice"  # or "stripe"
    STRIPE_SECRET_KEY = None
    STRIPE_PUBLISHABLE_KEY = None
    STRIPE_WEBHOOK_SECRET = None
    STRIPE_CONNECT_WEBHOOK_SECRET = None
    STRIPE_API_BASE = None  # send Stripe API calls to another server (the tests' Stripe)

    # Text messages through GOV.UK Notify (core/sms.py): sent for urgent alerts only when both are set.
    NOTIFY_API_KEY = None  # "key name-service id-secret", as Notify's API integration page gives it
    NOTIFY_SMS_TEMPLATE_ID = None  # a text message template whose whole content is ((message))
    NOTIFY_BASE_URL = None  # send Notify API calls to another server (the tests' Notify); default: GOV.UK Notify


class DevelopmentConfig(Config):
    """Local development: SQLite file under instance/, debug on."""

    DEBUG = True
    SECRET_KEY = None  # random, made on first run and kept in instance/secret_key (never a known value)
    SQLALCHEMY_DATABASE_URI = "sqlite:///backstop.sqlite"


class TestConfig(Config):
    """The test suite (tests/conftest.py picks the database): no rate limiter unless a test turns it on."""

    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = "sqlite:///test.sqlite"
    RATELIMIT_ENABLED = False
    SERVER_NAME = None


class ProductionConfig(Config):
    """Production: PostgreSQL from DATABASE_URL, secrets required, secure cookies and HSTS."""

    SESSION_COOKIE_SECURE = True
    HSTS = True
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def validate(cls) -> None:
        """Refuse to start without the settings production cannot guess."""
        # REDIS_URL: rate limits are counted in Redis, shared by every worker (in memory each gunicorn worker
        # would count on its own, letting several times the limit through).
        required = ("SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "REDIS_URL")
        missing = [name for name in required if not os.environ.get(name)]
        if missing:
            raise RuntimeError(f"Set {', '.join(missing)} in the environment before starting Backstop.")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
