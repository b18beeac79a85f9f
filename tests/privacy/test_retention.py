"""The retention schedule: each step deletes (or strips) exactly what is past its limit, by the injected clock, and
keeps what is just inside it; one job applies them all; the privacy notice shows the same schedule."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from marketplace.accounts.models import PasswordResetToken, SignInFailure, UserSession
from marketplace.core.audit import AuditEvent
from marketplace.core.features import Retention, retention_schedule
from marketplace.core.jobs import run_due
from marketplace.core.notifications import Notification
from marketplace.core.tokens import new_token
from marketplace.extensions import db
from marketplace.organisations.models import Invitation
from marketplace.privacy import retention
from marketplace.privacy.models import PersonalDataExport
from tests import factories
from tests.database import fresh
from tests.pages import main_text

SECOND = timedelta(seconds=1)


def _left(model, column="id") -> list:
    fresh()
    return sorted(db.session.scalars(select(getattr(model, column))))


def _apply(clock) -> int:
    changed = retention.apply_retention(clock.now())
    db.session.commit()
    return changed


def test_failed_sign_ins_are_forgotten_after_the_throttle_window(ctx, clock, app):
    """Older than 5 minutes: gone; a second younger: kept."""
    window = timedelta(minutes=app.config["SIGN_IN_WINDOW_MINUTES"])
    db.session.add_all(
        [
            SignInFailure(email="a@example.com", ip="192.0.2.1", at=clock.now() - window),
            SignInFailure(email="b@example.com", ip="192.0.2.1", at=clock.now() - window + SECOND),
        ]
    )
    db.session.commit()
    assert _apply(clock) == 1
    assert _left(SignInFailure, "email") == ["b@example.com"]


def test_sessions_go_once_they_expire(ctx, clock):
    """A session that expired a second ago is deleted; one with a second left is kept."""
    person = factories.user()
    for name, offset in (("gone", -SECOND), ("kept", SECOND)):
        db.session.add(UserSession(id=name.ljust(64, "0"), user_id=person.id, expires_at=clock.now() + offset))
    db.session.commit()
    assert _apply(clock) == 1
    assert _left(UserSession) == ["kept".ljust(64, "0")]


def test_reset_links_go_once_used_or_expired(ctx, clock):
    """Used, or expired a second ago: deleted; unused with a second left: kept."""
    person = factories.user()
    rows = {
        "expired": PasswordResetToken(user_id=person.id, token_hash=new_token()[1], expires_at=clock.now() - SECOND),
        "used": PasswordResetToken(
            user_id=person.id, token_hash=new_token()[1], expires_at=clock.now() + SECOND, used_at=clock.now()
        ),
        "kept": PasswordResetToken(user_id=person.id, token_hash=new_token()[1], expires_at=clock.now() + SECOND),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    assert _apply(clock) == 2
    assert _left(PasswordResetToken) == [rows["kept"].id]


def test_invitations_go_once_used_cancelled_or_expired(ctx, clock):
    """Expired a second ago, accepted or cancelled: deleted; open with a second left: kept."""
    organisation = factories.enterprise()
    expired, _ = factories.invitation(organisation, "late@example.com", days=0)
    expired.expires_at = clock.now() - SECOND
    kept, _ = factories.invitation(organisation, "open@example.com", days=0)
    kept.expires_at = clock.now() + SECOND
    accepted, _ = factories.invitation(organisation, "joined@example.com")
    accepted.accepted_at = clock.now()
    cancelled, _ = factories.invitation(organisation, "cancelled@example.com")
    cancelled.revoked = True
    db.session.commit()
    assert _apply(clock) == 3
    assert _left(Invitation, "email") == ["open@example.com"]


def test_exports_go_when_their_link_expires_or_they_were_never_prepared(ctx, clock):
    """A ZIP whose 24 hours are up, and a request never prepared in 24 hours: deleted; younger ones kept."""
    person = factories.user()
    rows = {
        "expired": PersonalDataExport(user_id=person.id, prepared_at=clock.now(), expires_at=clock.now() - SECOND),
        "kept": PersonalDataExport(user_id=person.id, prepared_at=clock.now(), expires_at=clock.now() + SECOND),
        "stuck": PersonalDataExport(user_id=person.id, created_at=clock.now() - timedelta(hours=24)),
        "waiting": PersonalDataExport(user_id=person.id, created_at=clock.now() - timedelta(hours=24) + SECOND),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    assert _apply(clock) == 2
    assert _left(PersonalDataExport) == sorted([rows["kept"].id, rows["waiting"].id])


def test_ip_addresses_in_audit_events_are_blanked_after_12_months(ctx, clock):
    """12 months old: the IP address goes, the event stays; a minute younger: kept whole."""
    year_ago = clock.now() - relativedelta(months=12)
    db.session.add_all(
        [
            AuditEvent(at=year_ago, action="test.old", ip="192.0.2.1", details={}),
            AuditEvent(at=year_ago + timedelta(minutes=1), action="test.young", ip="192.0.2.2", details={}),
        ]
    )
    db.session.commit()
    assert _apply(clock) == 1
    fresh()
    assert dict(db.session.execute(select(AuditEvent.action, AuditEvent.ip)).all()) == {
        "test.old": None,
        "test.young": "192.0.2.2",
    }


def test_notifications_go_after_2_years(ctx, clock):
    """Two years old: deleted; a minute younger: kept."""
    person = factories.user()
    old, young = factories.notification(person, title="Old"), factories.notification(person, title="Young")
    old.created_at = clock.now() - relativedelta(years=2)
    young.created_at = clock.now() - relativedelta(years=2) + timedelta(minutes=1)
    db.session.commit()
    assert _apply(clock) == 1
    assert _left(Notification, "title") == ["Young"]


def test_run_due_applies_the_schedule_once(ctx, clock):
    """`flask jobs run-due` runs the one retention job; run again it finds nothing more to do."""
    factories.notification(factories.user()).created_at = clock.now() - relativedelta(years=3)
    db.session.commit()
    assert run_due(clock.now())["apply-retention"] == 1
    assert run_due(clock.now())["apply-retention"] == 0


def test_a_failing_step_holds_back_no_other(ctx, clock, app, monkeypatch):
    """A step that raises is rolled back and reported; the steps after it are still applied and kept."""

    def broken(now):
        db.session.execute(Notification.__table__.delete())
        raise RuntimeError("boom")

    person = factories.user()
    factories.notification(person, title="Kept: the broken step rolled back")
    db.session.add(UserSession(id="old".ljust(64, "0"), user_id=person.id, expires_at=clock.now() - SECOND))
    db.session.commit()
    steps = [Retention(0, "Broken", "never", broken), *retention_schedule()]
    monkeypatch.setattr(retention, "retention_schedule", lambda: steps)
    with pytest.raises(retention.RetentionFailed, match="Broken"):
        retention.apply_retention(clock.now())
    assert _left(UserSession) == []
    assert _left(Notification, "title") == ["Kept: the broken step rolled back"]


def test_the_privacy_notice_shows_the_schedule_the_job_applies(client):
    """Each step of the schedule is a row of the privacy notice, with its period from the configuration."""
    page = main_text(client.get("/privacy"))
    with client.application.test_request_context():
        steps = [(step.data, step.kept_for) for step in retention_schedule()]
    assert len(steps) == 9
    for data, kept in steps:
        assert data in page and kept in page
    for words in ("5 minutes", "12 hours", "30 days", "60 minutes", "7 days", "24 hours", "12 months", "2 years"):
        assert words in page
