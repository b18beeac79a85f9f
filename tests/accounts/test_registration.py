"""Registration and email verification."""

import re

from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.accounts.passwords import verify_password
from marketplace.extensions import db
from tests import factories
from tests.conftest import path_of
from tests.database import audit_events
from tests.pages import errors, main_text

from .helpers import is_signed_in, sign_in

GOOD = {
    "name": "Mary Seacole",
    "email": "Mary@Example.com",
    "password": "three random words here",
    "intended_role": "relief_worker",
}


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def register(client, **changes):
    return client.post("/register", data={**GOOD, **changes})


def test_register_creates_unverified_user_and_emails_link(client, outbox):
    """Registering stores an unverified account (lower-cased email, hashed password) and emails a confirmation link."""
    response = register(client)
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    user = db.session.scalar(select(User))
    assert (user.email, user.name, user.intended_role, user.email_verified_at) == (
        "mary@example.com",
        "Mary Seacole",
        "relief_worker",
        None,
    )
    assert verify_password(user.password_hash, GOOD["password"]) and GOOD["password"] not in user.password_hash
    assert "/verify-email/" in outbox.last_link("mary@example.com", contains="/verify-email/")
    assert [e.object_id for e in audit_events("account.registered")] == [user.id]


def test_register_page_renders(client):
    """The registration page offers the three intended roles."""
    page = client.get("/register").get_data(as_text=True)
    assert all(value in page for value in ("entrepreneur", "publisher", "relief_worker"))


def test_existing_email_gets_same_page_and_holder_is_emailed(client, ctx, app, outbox):
    """An address already in use (in any case) gets the fresh-registration page; nothing is created, the
    holder is emailed sign-in and reset links, and the attempt is audited."""
    holder = factories.user(email="mary@example.com", name="Mary Existing")
    db.session.commit()
    fresh = app.test_client().post("/register", data={**GOOD, "email": "fresh@example.com"})
    response = register(client, email=" MARY@example.com ")
    assert response.status_code == fresh.status_code == 200
    assert errors(response) == []
    assert main_text(response).replace("MARY@example.com", "X") == main_text(fresh).replace("fresh@example.com", "X")
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "mary@example.com")) == 1
    assert db.session.get(User, holder.id).name == "Mary Existing"
    fresh_id = db.session.scalar(select(User.id).where(User.email == "fresh@example.com"))
    assert [e.object_id for e in audit_events("account.registered")] == [fresh_id]
    [message] = outbox.to("mary@example.com")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Someone tried to create a Backstop account with this email address" in body
    assert "/verify-email/" not in body
    assert path_of(outbox.last_link("mary@example.com", contains="/sign-in")) == "/sign-in"
    assert path_of(outbox.last_link("mary@example.com", contains="/forgot-password")) == "/forgot-password"
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "/sign-in" in html and "/forgot-password" in html
    [event] = audit_events("account.registration_for_existing_email")
    assert (event.actor_id, event.object_id, event.details) == (None, holder.id, {"email": "mary@example.com"})


def _without(response, email: str) -> str:
    """A response's body with the address shown and the per-response CSP nonces blanked out."""
    return re.sub(r"nonce=\"[^\"]+\"", 'nonce=""', response.get_data(as_text=True)).replace(email, "X")


def test_new_and_existing_email_answers_are_indistinguishable(app, ctx):
    """Apart from the address shown (and per-response nonces), a taken address gets the same answer."""
    factories.user(email="taken@example.com")
    db.session.commit()
    fresh = app.test_client().post("/register", data={**GOOD, "email": "fresh@example.com"})
    taken = app.test_client().post("/register", data={**GOOD, "email": "taken@example.com"})
    assert (taken.status_code, taken.mimetype) == (fresh.status_code, fresh.mimetype)
    assert sorted(taken.headers.keys()) == sorted(fresh.headers.keys())
    nonce = re.compile(r"'nonce-[^']+'")
    for header, value in fresh.headers.items():
        if header not in ("Content-Length", "Set-Cookie"):
            assert nonce.sub("", taken.headers[header]) == nonce.sub("", value), header
    assert _without(taken, "taken@example.com") == _without(fresh, "fresh@example.com")


def test_short_password_refused(client, outbox):
    """A password under 12 characters is refused with a message and nothing is written."""
    response = register(client, password="elevenchars")
    assert "Password must be 12 characters or more" in errors(response)
    assert user_count() == 0 and outbox.messages() == []


def test_common_password_refused(client):
    """A password on the deny list is refused even though it is long enough."""
    response = register(client, password="Password1234")
    assert "Password is too easy to guess. Try 3 random words together" in errors(response)
    assert user_count() == 0


def test_missing_fields_give_govuk_messages(client, outbox):
    """An empty form names every missing answer, in an error summary, and writes nothing."""
    response = client.post("/register", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    for message in (
        "Enter your full name",
        "Enter your email address",
        "Enter a password",
        "Select what describes you",
    ):
        assert message in errors(response)
    assert "<title>Error: Create an account" in page
    assert user_count() == 0 and outbox.messages() == []


def test_badly_formed_email_refused(client):
    """An email address without an @ is refused."""
    response = register(client, email="not-an-email")
    assert "Enter an email address in the correct format, like name@example.com" in errors(response)
    assert user_count() == 0


def test_verification_link_confirms_address(client, outbox):
    """The emailed link sets email_verified_at and is audited."""
    register(client)
    response = client.get(path_of(outbox.last_link("mary@example.com", contains="/verify-email/")))
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    user = db.session.scalar(select(User))
    assert user.email_verified_at is not None
    assert [e.object_id for e in audit_events("account.email_verified")] == [user.id]


def test_tampered_verification_link_refused(client, outbox):
    """A link whose token was altered gives the 400 'not valid' page and verifies nobody."""
    register(client)
    path = path_of(outbox.last_link("mary@example.com", contains="/verify-email/"))
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    response = client.get(tampered)
    assert response.status_code == 400 and "This link has expired or is not valid" in response.get_data(as_text=True)
    assert db.session.scalar(select(User)).email_verified_at is None


def test_verification_link_for_another_purpose_refused(client, ctx):
    """A token signed for another purpose (e.g. a password reset) does not verify an email."""
    from marketplace.core.tokens import sign

    user = factories.user(verified=False)
    db.session.commit()
    token = sign("other-purpose", {"id": user.id, "email": user.email})
    assert client.get(f"/verify-email/{token}").status_code == 400
    assert db.session.get(User, user.id).email_verified_at is None


def test_verification_link_works_until_72_hours(client, outbox, clock):
    """The link still works 71 hours after it was sent."""
    register(client)
    clock.advance(hours=71)
    assert client.get(path_of(outbox.last_link("mary@example.com", contains="/verify-email/"))).status_code == 302
    assert db.session.scalar(select(User)).email_verified_at is not None


def test_verification_link_expires_after_72_hours(client, outbox, clock):
    """After 72 hours the link is refused and the address stays unconfirmed."""
    register(client)
    clock.advance(hours=72, minutes=1)
    response = client.get(path_of(outbox.last_link("mary@example.com", contains="/verify-email/")))
    assert response.status_code == 400
    assert db.session.scalar(select(User)).email_verified_at is None
    assert audit_events("account.email_verified") == []


def test_unverified_user_cannot_sign_in_and_gets_new_link(client, ctx, outbox):
    """The correct password of an unconfirmed account does not sign in; a new link is emailed and it works."""
    user = factories.user(email="new@example.com", verified=False)
    db.session.commit()
    response = sign_in(client, user.email)
    assert response.status_code == 200
    assert "Confirm your email address before you sign in. We have sent you a new link" in errors(response)
    assert not is_signed_in(client)
    client.get(path_of(outbox.last_link("new@example.com", contains="/verify-email/")))
    assert sign_in(client, user.email).status_code == 302


def test_unverified_user_wrong_password_gets_no_link(client, ctx, outbox):
    """A wrong password for an unconfirmed account gives the usual error and sends nothing."""
    user = factories.user(verified=False)
    db.session.commit()
    response = sign_in(client, user.email, password="not the right password")
    assert "Enter a correct email address and password" in errors(response)
    assert outbox.messages() == []


def test_resend_verification_link(client, ctx, outbox):
    """Asking for a new link emails an unverified account, and nobody else, with the same page."""
    factories.user(email="waiting@example.com", verified=False)
    factories.user(email="done@example.com")
    db.session.commit()
    for address in ("waiting@example.com", "done@example.com", "nobody@example.com"):
        assert "Check your email" in client.post("/verify-email", data={"email": address}).get_data(as_text=True)
    assert [m["To"] for m in outbox.messages()] == ["waiting@example.com"]
