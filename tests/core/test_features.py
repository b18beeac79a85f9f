"""Features plug in: the registry takes each feature's jobs, tables, links, tasks, sections and payment purposes."""

import ast
from pathlib import Path

import pytest
from flask import Blueprint, Flask

from marketplace.core.features import (
    DashboardLinks,
    Feature,
    FeatureConflict,
    Job,
    NavLink,
    dashboard_links_for,
    nav_link,
    payment_handlers,
    registry,
)
from marketplace.extensions import db
from marketplace.payments.hooks import PurposeHandlers
from marketplace.payments.models import PaymentPurpose
from marketplace.training import payment_hooks
from tests import factories
from tests.pages import nav_links

PACKAGE = Path(__file__).resolve().parents[2] / "marketplace"
JOBS = {
    "apply-retention",
    "expire-training-holds",
    "expire-waiting-list-offers",
    "send-training-reminders",
    "warn-expiring-training",
    "purge-sent-emails",
    "send-notification-digests",
    "widen-cover-alerts",
    "suspend-after-strikes",
    "auto-approve-timesheets",
    "warn-expiring-cover-compliance",
    "close-insurance-enrolment",
    "retry-insurance-premiums",
    "expire-insurance-schemes",
}


def _defines_a_model(path: Path) -> bool:
    """Whether a module defines a class based on db.Model."""
    tree = ast.parse(path.read_text())
    return any(
        isinstance(node, ast.ClassDef) and any(ast.unparse(base) == "db.Model" for base in node.bases)
        for node in ast.walk(tree)
    )


def test_every_module_with_models_is_declared_by_a_registered_feature(app):
    """Registering the features imports every table, so migrations and metadata see the whole schema."""
    declared = {module.__file__ for feature in registry(app).features.values() for module in feature.models}
    with_models = {str(path) for path in PACKAGE.rglob("*.py") if _defines_a_model(path)}
    assert with_models and with_models <= declared, sorted(with_models - declared)


def test_each_feature_registers_its_own_jobs_under_the_old_names(app):
    """The jobs `flask jobs run-due` runs: training's, core's own two, and the one job that applies the retention
    schedule, each registered by its owner; the schedule's steps are declared by the features whose data they keep."""
    jobs = registry(app).jobs
    assert set(jobs) == JOBS
    owners = {job.name: name for name, feature in registry(app).features.items() for job in feature.jobs}
    assert owners["apply-retention"] == "privacy"
    steps = {step.run.__name__: name for name, feature in registry(app).features.items() for step in feature.retention}
    assert steps["purge_expired_invitations"] == "organisations" and steps["purge_expired_sessions"] == "accounts"
    assert owners["send-training-reminders"] == owners["expire-training-holds"] == "training"
    assert owners["purge-sent-emails"] == owners["send-notification-digests"] == "notifications"
    assert owners["widen-cover-alerts"] == "cover"


def test_training_declares_the_payments_it_takes(app):
    """Each payment purpose is declared by the one feature that takes payments for it."""
    assert registry(app).payment_purposes == {
        PaymentPurpose.TRAINING_BOOKING: "training",
        PaymentPurpose.COVER_CHARGE: "cover",
        PaymentPurpose.SCHEME_PREMIUM: "insurance",
    }
    with app.app_context():
        handlers = payment_handlers(PaymentPurpose.TRAINING_BOOKING)
    assert handlers is payment_hooks.HANDLERS and handlers.on_paid is payment_hooks.paid


def test_a_second_feature_cannot_take_a_name_job_or_purpose(app):
    """Two features claiming one job name, payment purpose or feature name stop the app from starting."""
    fresh = Flask("conflict")

    def run(now):
        return 0

    Feature("one", jobs=(Job("tidy", "Tidy up", run),), payment_purposes=(PurposeHandlers("thing"),)).register(fresh)
    with pytest.raises(FeatureConflict, match="tidy"):
        Feature("two", jobs=(Job("tidy", "Tidy again", run),)).register(fresh)
    with pytest.raises(FeatureConflict, match="thing"):
        Feature("three", payment_purposes=(PurposeHandlers("thing"),)).register(fresh)
    with pytest.raises(FeatureConflict, match="one"):
        Feature("one").register(fresh)
    assert list(registry(fresh).features) == ["one"]


def test_registering_a_feature_registers_its_blueprints_and_orders_its_links():
    """A feature's blueprints join the app; its links take their place by order among other features' links."""
    fresh = Flask("ordering")
    Feature("late", blueprints=(Blueprint("late", __name__),), navigation=(nav_link(50, "Late", "late.x"),)).register(
        fresh
    )
    Feature("early", navigation=(nav_link(5, "Early", "early.x"),)).register(fresh)
    assert "late" in fresh.blueprints
    assert [item.order for item in registry(fresh).navigation] == [5, 50]


def test_dashboard_links_share_their_heading_in_order_and_empty_lists_go():
    """Links from two features under one heading make one list, in order; a heading with no links is left out."""
    fresh = Flask("dashboard-links")
    one, two, zero = NavLink("One", "a.one"), NavLink("Two", "b.two"), NavLink("Zero", "a.zero")
    Feature(
        "b",
        dashboard_links=(
            DashboardLinks(30, "Get started", lambda user: [two]),
            DashboardLinks(10, "Nothing for you", lambda user: []),
        ),
    ).register(fresh)
    Feature(
        "a",
        dashboard_links=(
            DashboardLinks(20, "Get started", lambda user: [one]),
            DashboardLinks(5, "First", lambda user: [zero]),
        ),
    ).register(fresh)
    with fresh.app_context():
        assert dashboard_links_for(None) == [("First", [zero]), ("Get started", [one, two])]


def test_navigation_is_built_from_the_features_in_the_same_order_as_before(client, login_as, ctx):
    """Signed out: training and the account links; signed in: every role's links, notifications, then the account."""
    assert nav_links(client.get("/")) == ["Training", "Insurance", "Sign in", "Create an account"]
    person = factories.user(admin=True)
    factories.enterprise(person, name="Acorn Care")
    factories.relief_worker(person)
    factories.notification(person)
    factories.notification(person)
    db.session.commit()
    login_as(person)
    assert nav_links(client.get("/dashboard")) == [
        "Dashboard",
        "Training",
        "Your bookings",
        "Your organisations",
        "Cover shifts",
        "Insurance",
        "Admin",
        "Audit log",
        "Notifications (2 unread)",
        "Your account",
    ]
