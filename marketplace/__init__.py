"""Backstop: shared insurance, training and cover for care and support micro-enterprises."""

import logging
import os

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, settings_from_environment

from . import cli
from .core import assets, jinja_speed, template_helpers
from .core.errors import register_error_pages
from .core.logs import configure_logging
from .core.security import SecurityHeaders, instance_secret_key, register_security
from .core.urls import Backstop
from .extensions import csrf, db, limiter, login_manager, migrate


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the application: configuration, extensions, templates, features, plumbing, commands."""
    config_name = config_name or os.environ.get("FLASK_CONFIG", "development")
    app = Backstop(__name__, instance_relative_config=True, template_folder=None, static_folder="static")
    configure(app, config_name, overrides)
    register_extensions(app)
    register_templates(app)
    register_features(app)
    register_plumbing(app)
    register_commands(app)
    return app


def configure(app: Flask, config_name: str, overrides: dict) -> None:
    """Load the named configuration and any overrides; production refuses to start without secrets."""
    config_class = CONFIGS[config_name]
    if hasattr(config_class, "validate"):
        config_class.validate()
    app.config.from_object(config_class)
    if config_name != "test":
        app.config.update(settings_from_environment())
    app.config.update(overrides)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    app.wsgi_app = SecurityHeaders(app.wsgi_app, hsts=app.config["HSTS"])
    if config_name == "production":
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
    configure_logging(logging.INFO)


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to this app."""
    db.init_app(app)
    migrations = os.path.join(os.path.dirname(app.root_path), "migrations")
    migrate.init_app(app, db, directory=migrations, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None


def register_templates(app: Flask) -> None:
    """Our templates first, then the GOV.UK Frontend macros and form widgets."""
    templates = os.path.join(os.path.dirname(app.root_path), "templates")
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(templates),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    jinja_speed.register(app)
    template_helpers.register(app)


def register_features(app: Flask) -> None:
    """Every feature's pages, tables, jobs, dashboard tasks, profile sections, links and payment purposes.

    Imported here, not at the top: importing any module of the package runs this file first, and it should not
    load every feature (the feature modules import nothing from this file, so this hides no cycle).
    """
    from .accounts.feature import feature as accounts
    from .admin.feature import feature as admin
    from .core.feature import feature as notifications
    from .cover.feature import feature as cover
    from .dashboard.feature import feature as dashboard
    from .insurance.feature import feature as insurance
    from .organisations.feature import feature as organisations
    from .payments.feature import feature as payments
    from .privacy.feature import feature as privacy
    from .public.feature import feature as public
    from .training.feature import feature as training

    features = (
        public,
        accounts,
        dashboard,
        organisations,
        cover,
        training,
        insurance,
        payments,
        notifications,
        admin,
        privacy,
    )
    for feature in features:
        feature.register(app)


def register_plumbing(app: Flask) -> None:
    """Security headers, error pages, request ids and the asset route."""
    register_security(app)
    register_error_pages(app)
    assets.register(app)


def register_commands(app: Flask) -> None:
    """flask seed-demo, create-admin, jobs, reconcile and queue."""
    cli.register(app)
