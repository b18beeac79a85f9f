"""Backstop: shared insurance, training and cover for care and support micro-enterprises."""

import logging
import os

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, settings_from_environment


def create_app(config_name: str | None = None, **overrides) -> Flask:
    """Build the application: configuration, extensions, templates, blueprints, commands."""
    config_name = config_name or os.environ.get("FLASK_CONFIG", "development")
    app = Flask(__name__, instance_relative_config=True, template_folder=None, static_folder="static")
    configure(app, config_name, overrides)
    register_extensions(app)
    register_templates(app)
    register_blueprints(app)
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
    if config_name == "production":
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    logging.basicConfig(level=logging.INFO)


def register_extensions(app: Flask) -> None:
    """Bind the extension objects to this app."""
    from . import models  # noqa: F401  (the whole schema, for migrations)
    from .extensions import csrf, db, limiter, login_manager, migrate

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
    from govuk_frontend_wtf.main import WTFormsHelpers

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
    from .core import template_helpers

    template_helpers.register(app)


def register_blueprints(app: Flask) -> None:
    """Every feature's pages."""
    from .accounts.views import bp as accounts_bp
    from .admin.views import bp as admin_bp
    from .core.views import bp as notifications_bp
    from .cover.views import bp as cover_bp
    from .dashboard.views import bp as dashboard_bp
    from .organisations.views import bp as organisations_bp
    from .payments.views import bp as payments_bp
    from .payments.webhooks import bp as webhooks_bp
    from .public.views import bp as public_bp
    from .training.views import bp as training_bp

    blueprints = (
        public_bp,
        accounts_bp,
        dashboard_bp,
        organisations_bp,
        cover_bp,
        training_bp,
        payments_bp,
        webhooks_bp,
    )
    for blueprint in (*blueprints, notifications_bp, admin_bp):
        app.register_blueprint(blueprint)


def register_plumbing(app: Flask) -> None:
    """Security headers, error pages, request ids, the asset route and the job registry."""
    from .core import assets, jobs_registry
    from .core.errors import register_error_pages
    from .core.security import register_security

    register_security(app)
    register_error_pages(app)
    assets.register(app)
    jobs_registry.load()


def register_commands(app: Flask) -> None:
    """flask seed-demo, create-admin and jobs."""
    from .cli import register

    register(app)
