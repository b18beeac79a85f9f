"""`flask create-admin`."""

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.accounts.passwords import verify_password
from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from tests import factories

STRONG = "granite lantern orchard seven"


def create_admin(app, email="Boss@Example.com", password=STRONG):
    return app.test_cli_runner().invoke(
        args=["create-admin", "--email", email, "--name", "Pat Boss", "--password", password]
    )


def users() -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(select(User)))


def test_create_admin_makes_a_verified_admin(app, ctx):
    """The command creates a verified platform admin who can use the given password, and audits it."""
    result = create_admin(app)
    assert result.exit_code == 0, result.output
    assert "Platform admin boss@example.com created." in result.output
    [user] = users()
    assert (user.email, user.name, user.is_admin) == ("boss@example.com", "Pat Boss", True)
    assert user.email_verified_at is not None and verify_password(user.password_hash, STRONG)
    assert (
        db.session.scalar(select(AuditEvent.object_id).where(AuditEvent.action == "account.admin_created")) == user.id
    )


def test_create_admin_can_sign_in_and_see_admin(app, client):
    """The new admin signs in and reaches the admin pages."""
    create_admin(app)
    assert client.post("/sign-in", data={"email": "boss@example.com", "password": STRONG}).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_create_admin_refuses_weak_password(app, ctx):
    """A short or common password is refused with the rule's message and no account is made."""
    for weak, message in (
        ("short", "Password must be 12 characters or more"),
        ("password1234", "Password is too easy to guess"),
    ):
        result = create_admin(app, password=weak)
        assert result.exit_code == 1 and message in result.output
    assert users() == []


def test_create_admin_refuses_existing_email(app, ctx):
    """An email already in use is refused and the existing account is not made an admin."""
    factories.user(email="boss@example.com")
    db.session.commit()
    result = create_admin(app)
    assert result.exit_code == 1 and "already exists" in result.output
    assert [u.is_admin for u in users()] == [False]
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0
