"""Sign-in: throttling, identical failures, audit, redirects."""

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import SignInFailure
from marketplace.accounts.services import BAD_CREDENTIALS, THROTTLED
from marketplace.extensions import db
from tests import factories
from tests.database import audit_events
from tests.pages import errors, main_text

from .helpers import is_signed_in, sign_in

WRONG = "definitely not the password"


@pytest.fixture
def person(ctx):
    """A verified account that signs in with factories.PASSWORD."""
    user = factories.user(email="ada@example.com")
    db.session.commit()
    return user


def test_correct_password_signs_in(client, person):
    """The right email (any case) and password sign in and land on the dashboard."""
    response = sign_in(client, " ADA@example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert is_signed_in(client)


def test_ten_failures_from_one_ip_refuse_that_ip_but_not_the_owner_elsewhere(client, person, browser, clock):
    """After 10 wrong passwords for an account from one IP address, that IP is refused (even the right password,
    from a new browser); the owner signing in from anywhere else is not locked out."""
    for _ in range(10):
        assert BAD_CREDENTIALS in errors(sign_in(client, person.email, WRONG, ip="203.0.113.9"))
    response = sign_in(client, person.email, ip="203.0.113.9")
    assert response.status_code == 200 and THROTTLED in errors(response)
    assert not is_signed_in(client)
    assert len(audit_events("account.sign_in_throttled")) == 1
    owner = browser()
    assert sign_in(owner, person.email, ip="198.51.100.4").status_code == 302


def test_ten_failures_still_allow_the_correct_password(client, person, clock):
    """Nine failures leave the tenth attempt free: the limit is not off by one."""
    for _ in range(9):
        sign_in(client, person.email, WRONG)
    assert sign_in(client, person.email).status_code == 302


def test_a_botnet_throttles_new_browsers_but_never_a_known_device(client, person, browser, app, clock):
    """50 wrong guesses for one account from many addresses refuse sign-in from a new browser; the owner's browser
    that signed in before still gets in with the right password (a wrong one from it counts in its own budget)."""
    owner = browser()
    assert sign_in(owner, person.email, ip="198.51.100.4").status_code == 302
    owner.post("/sign-out")
    for n in range(app.config["SIGN_IN_ACCOUNT_MAX_FAILURES"]):
        sign_in(client, person.email, WRONG, ip=f"10.0.{n // 200}.{n % 200}")
    assert THROTTLED in errors(sign_in(browser(), person.email, ip="198.51.100.99"))
    assert BAD_CREDENTIALS in errors(sign_in(owner, person.email, WRONG, ip="198.51.100.4"))
    assert sign_in(owner, person.email, ip="198.51.100.4").status_code == 302
    assert is_signed_in(owner)


def test_a_forged_device_cookie_does_not_pass_the_throttle(client, person, clock):
    """The device cookie must be signed by the app for this account."""
    for _ in range(10):
        sign_in(client, person.email, WRONG)
    client.set_cookie("backstop_device", "made-up", domain="backstop.test")
    assert THROTTLED in errors(sign_in(client, person.email))


def test_fifty_failures_from_one_ip_over_many_accounts_block_that_ip(client, person, browser, app, clock):
    """Password spraying from one IP address blocks that address for other accounts too, but not other IPs."""
    for n in range(app.config["SIGN_IN_IP_MAX_FAILURES"]):
        sign_in(client, f"guess{n}@example.com", WRONG, ip="192.0.2.7")
    response = sign_in(client, person.email, ip="192.0.2.7")
    assert THROTTLED in errors(response) and not is_signed_in(client)
    assert sign_in(browser(), person.email, ip="192.0.2.8").status_code == 302


def test_throttle_lifts_after_the_window(client, person, clock):
    """Six minutes after the 10th failure the correct password works again."""
    for _ in range(10):
        sign_in(client, person.email, WRONG)
    assert THROTTLED in errors(sign_in(client, person.email))
    clock.advance(minutes=6)
    assert sign_in(client, person.email).status_code == 302
    assert is_signed_in(client)


def test_throttled_attempts_do_not_extend_the_window(client, person, clock):
    """Attempts refused by the throttle are not counted as further failures."""
    for _ in range(10):
        sign_in(client, person.email, WRONG)
    sign_in(client, person.email, WRONG)
    assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 10


def test_unknown_email_and_wrong_password_look_the_same(client, person, browser):
    """An unknown email and a wrong password give the same status and byte-identical error text."""
    unknown = sign_in(client, "nobody@example.com", WRONG)
    wrong = sign_in(browser(), person.email, WRONG)
    assert unknown.status_code == wrong.status_code == 200
    assert errors(unknown) == errors(wrong) == [BAD_CREDENTIALS, BAD_CREDENTIALS]
    assert main_text(unknown).replace("nobody@example.com", "") == main_text(wrong).replace(person.email, "")


def test_failures_and_successes_are_audited(client, person):
    """A failure writes account.sign_in_failed (naming the account if there is one, never keeping the email that
    was typed); a success writes account.signed_in."""
    sign_in(client, person.email, WRONG)
    sign_in(client, "nobody@example.com", WRONG)
    failed = audit_events("account.sign_in_failed")
    assert [e.object_id for e in failed] == [person.id, None]
    assert all("nobody@example.com" not in str(e.details) for e in failed)
    assert audit_events("account.signed_in") == []
    sign_in(client, person.email)
    assert [e.actor_id for e in audit_events("account.signed_in")] == [person.id]


def test_deactivated_account_cannot_sign_in(client, person):
    """A closed account gets the usual error even with the right password."""
    person.is_active_account = False
    db.session.commit()
    assert BAD_CREDENTIALS in errors(sign_in(client, person.email))
    assert not is_signed_in(client)


def test_next_goes_to_a_local_page(client, person):
    """A local `next` path is followed after sign-in."""
    response = client.post("/sign-in?next=/account", data={"email": person.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/account"


@pytest.mark.parametrize(
    "target",
    ["//evil.com", "https://evil.com", "http://evil.com/account", "/\\evil.com", "javascript:alert(1)", "evil.com"],
)
def test_next_never_leaves_the_site(client, person, target):
    """`next` pointing elsewhere is ignored: sign-in lands on the dashboard."""
    response = client.post(
        "/sign-in", query_string={"next": target}, data={"email": person.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"


def test_signed_in_person_visiting_sign_in_goes_to_dashboard(client, person, login_as):
    """The sign-in page sends a signed-in person to their dashboard."""
    login_as(person)
    assert client.get("/sign-in").headers["Location"] == "/dashboard"


def test_a_known_device_has_its_own_budget_and_is_still_limited(client, person, browser, app, clock):
    """The owner's browser is not locked out by strangers, but its own wrong guesses are limited like anyone's:
    after 10 from it, even the right password from it waits (no unlimited guessing with a device cookie)."""
    owner = browser()
    assert sign_in(owner, person.email).status_code == 302
    owner.post("/sign-out")
    for n in range(app.config["SIGN_IN_ACCOUNT_MAX_FAILURES"]):
        sign_in(client, person.email, WRONG, ip=f"10.1.{n // 200}.{n % 200}")
    for _ in range(10):
        assert BAD_CREDENTIALS in errors(sign_in(owner, person.email, WRONG))
    assert THROTTLED in errors(sign_in(owner, person.email))
    clock.advance(minutes=6)
    assert sign_in(owner, person.email).status_code == 302


def test_a_device_cookie_stops_counting_once_the_password_changes(client, person, browser, app, clock):
    """A browser that signed in before the password changed is a stranger afterwards (a copied cookie too)."""
    from marketplace.accounts.services import set_password

    old_device = browser()
    assert sign_in(old_device, person.email).status_code == 302
    old_device.post("/sign-out")
    set_password(person, "a brand new passphrase here", keep_signed_in=False)
    db.session.commit()
    for n in range(app.config["SIGN_IN_ACCOUNT_MAX_FAILURES"]):
        sign_in(client, person.email, WRONG, ip=f"10.2.{n // 200}.{n % 200}")
    response = sign_in(old_device, person.email, "a brand new passphrase here")
    assert THROTTLED in errors(response) and not is_signed_in(old_device)
