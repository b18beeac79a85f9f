"""Periodic jobs: `flask jobs run-due` and run_due(now)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts.models import PasswordResetToken, SignInFailure, UserSession
from marketplace.core.clock import utcnow
from marketplace.core.features import Job, jobs
from marketplace.core.jobs import run_due
from marketplace.core.tokens import new_token
from marketplace.extensions import db
from marketplace.organisations.models import Invitation
from tests import factories


def reset_token(user, *, minutes: int, used: bool = False) -> PasswordResetToken:
    row = PasswordResetToken(
        user_id=user.id,
        token_hash=new_token()[1],
        expires_at=utcnow() + timedelta(minutes=minutes),
        used_at=utcnow() if used else None,
    )
    db.session.add(row)
    return row


def user_session(user, name: str, *, hours: int) -> UserSession:
    row = UserSession(id=name.ljust(64, "0"), user_id=user.id, expires_at=utcnow() + timedelta(hours=hours))
    db.session.add(row)
    return row


@pytest.fixture
def data(ctx, clock):
    """Expired, used and valid reset tokens, invitations, sessions and sign-in failures."""
    person = factories.user()
    org = factories.enterprise()
    reset_token(person, minutes=-1)
    reset_token(person, minutes=30, used=True)
    keep_token = reset_token(person, minutes=30)
    factories.invitation(org, "late@example.com", days=-1)
    accepted, _ = factories.invitation(org, "joined@example.com")
    accepted.accepted_at = utcnow()
    revoked, _ = factories.invitation(org, "revoked@example.com")
    revoked.revoked = True
    keep_invitation, _ = factories.invitation(org, "pending@example.com")
    user_session(person, "old", hours=-1)
    keep_session = user_session(person, "live", hours=1)
    db.session.add_all(
        [
            SignInFailure(email="a@example.com", ip="1.2.3.4", at=utcnow() - timedelta(minutes=6)),
            SignInFailure(email="a@example.com", ip="1.2.3.4", at=utcnow() - timedelta(minutes=1)),
        ]
    )
    db.session.commit()
    return {"token": keep_token.id, "invitation": keep_invitation.id, "session": keep_session.id}


def ids(model) -> list:
    db.session.expire_all()
    return list(db.session.scalars(select(model.id)))


def test_run_due_command_purges_only_stale_rows(app, data):
    """`flask jobs run-due` deletes expired/used tokens, invitations, sessions and old failures, keeping valid ones
    (the retention schedule's job: 2 reset tokens, 3 invitations, 1 session and 1 failure)."""
    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0, result.output
    assert "apply-retention: 7" in result.output
    assert ids(PasswordResetToken) == [data["token"]]
    assert ids(Invitation) == [data["invitation"]]
    assert ids(UserSession) == [data["session"]]
    assert len(ids(SignInFailure)) == 1


def test_run_due_twice_is_harmless(app, data):
    """A second run changes nothing and keeps the valid rows."""
    runner = app.test_cli_runner()
    runner.invoke(args=["jobs", "run-due"])
    result = runner.invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0
    assert "FAILED" not in result.output and all(line.endswith(": 0") for line in result.output.splitlines())
    assert ids(PasswordResetToken) == [data["token"]] and ids(UserSession) == [data["session"]]


def test_run_due_uses_the_given_time(data):
    """run_due(now) judges expiry against `now`: later, the valid rows expire too."""
    run_due(utcnow())
    assert ids(PasswordResetToken) == [data["token"]]
    results = run_due(utcnow() + timedelta(days=8))
    assert results["apply-retention"] == 4  # the token, invitation, session and failure that were still valid
    assert ids(PasswordResetToken) == ids(Invitation) == ids(UserSession) == []


def test_a_failing_job_does_not_stop_the_others(ctx, data, monkeypatch):
    """A job that raises is reported as -1 and rolled back; the other jobs still run."""

    def broken(now):
        db.session.execute(PasswordResetToken.__table__.delete())
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs(), "broken", Job("broken", "Always fails", broken))
    results = run_due()
    assert results["broken"] == -1 and results["apply-retention"] == 7
    assert ids(PasswordResetToken) == [data["token"]]


def test_jobs_list_names_every_job(app, ctx):
    """`flask jobs list` shows each registered job."""
    output = app.test_cli_runner().invoke(args=["jobs", "list"]).output
    assert all(name in output for name in jobs())


def test_run_due_builds_email_links_without_a_request(app, ctx, clock, outbox):
    """`flask jobs run-due` (no request, no SERVER_NAME) still sends emails with links: PUBLIC_BASE_URL is used."""
    from marketplace.extensions import db
    from tests import factories

    session = factories.training_session(factories.course(factories.publisher()), days_ahead=1)
    owner = factories.user()
    factories.booking(session, owner, factories.enterprise(owner))
    db.session.commit()
    saved = app.config["SERVER_NAME"], app.config["PUBLIC_BASE_URL"]
    app.config.update(SERVER_NAME=None, PUBLIC_BASE_URL="https://backstop.example.org")
    try:
        output = app.test_cli_runner().invoke(args=["jobs", "run-due"]).output
    finally:
        app.config["SERVER_NAME"], app.config["PUBLIC_BASE_URL"] = saved
    assert "FAILED" not in output and "send-training-reminders: 1" in output
    bodies = [m.get_body(preferencelist=("plain",)).get_content() for m in outbox.to(owner.email)]
    assert any("https://backstop.example.org/training/" in body for body in bodies)
