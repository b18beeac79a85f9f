"""The server errors fuzzing found (issue 8), one test each: bad input gets a clear answer below 500, and nothing
is written. tests/test_junk_input.py keeps looking for new ones."""

import threading

import pytest
from sqlalchemy import func, select

from marketplace.accounts import services as accounts
from marketplace.accounts.models import User
from marketplace.core.money import MAX_PENCE, parse_pounds, pounds_problem
from marketplace.core.urls import MAX_ID, positive_id, safe_next_url
from marketplace.extensions import db
from marketplace.payments.models import WebhookEvent
from marketplace.training.models import Booking, Course

from . import factories
from .pages import errors, text
from .payments.stripe_helpers import deliver
from .races import POSTGRES_ONLY
from .training.test_manage_courses import council, course_form  # noqa: F401  (council is a fixture)

NUL_MESSAGE = "contains a character that cannot be used"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- NUL characters: one check before every view ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/training?q=%00",
        "/training/certificates/check?number=%00",
        "/training?topic=1&q=first%00aid",
        "/training?%00=1",
        "/training/calendar/abc%00def.ics",
    ],
)
def test_nul_in_an_address_is_a_400_that_says_why(client, url):
    """PostgreSQL cannot store or compare text with NUL in it; the page says what was wrong instead of failing."""
    response = client.get(url)
    assert response.status_code == 400
    assert NUL_MESSAGE in text(response)


def test_nul_in_a_posted_form_is_a_400_and_changes_nothing(client, login_as, ctx):
    person = factories.user(name="Ada Lovelace")
    db.session.commit()
    login_as(person)
    response = client.post("/account", data={"name": "Ada\x00Byron"})
    assert response.status_code == 400
    assert NUL_MESSAGE in text(response)
    db.session.refresh(person)
    assert person.name == "Ada Lovelace"


def test_other_control_characters_are_left_to_the_forms(client):
    """Only NUL is refused outright (a tab or a Word line break can come with pasted text)."""
    assert client.get("/training?q=first%09aid%0B").status_code == 200


# --- ids beyond 32 bits ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2147483648", "9223372036854775808", "18446744073709551616", "²", "-1", "0"])
def test_catalogue_filters_ignore_ids_no_row_can_have(client, ctx, value):
    """An id filter that no row can have (beyond 32 bits, not ASCII digits, not positive) filters nothing."""
    response = client.get(f"/training?topic={value}&area={value}")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/training/courses/{}", "/training/sessions/{}", "/organisations/{}"])
@pytest.mark.parametrize("number", [MAX_ID + 1, 2**63, 2**64])
def test_ids_in_addresses_beyond_32_bits_are_not_found(client, ctx, path, number):
    assert client.get(path.format(number)).status_code == 404


def test_an_id_is_a_positive_32_bit_whole_number_in_ascii_digits():
    assert [positive_id(v) for v in ("1", " 42 ", str(MAX_ID), 7)] == [1, 42, MAX_ID, 7]
    assert {positive_id(v) for v in (str(MAX_ID + 1), "0", "-1", "1.5", "²", "١٢", "", None, "1e3", "0x10")} == {None}


# --- prices ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("NaN", "Enter full price per place in pounds as an amount of money, like 12.50"),
        ("Infinity", "Enter full price per place in pounds as an amount of money, like 12.50"),
        ("-inf", "Enter full price per place in pounds as an amount of money, like 12.50"),
        ("1e30", "Full price per place in pounds must be £21,000,000 or less"),
        ("1E+999999", "Full price per place in pounds must be £21,000,000 or less"),
        ("21000000.01", "Full price per place in pounds must be £21,000,000 or less"),
    ],
)
def test_prices_that_are_not_amounts_we_can_hold_are_refused(client, login_as, council, price, message):  # noqa: F811
    """NaN and Infinity are not money; anything above £21,000,000 would not fit the price columns."""
    organisation, officer, _, _ = council
    login_as(officer)
    before = _count(Course)
    response = client.post(
        f"/training/manage/organisations/{organisation.id}/courses/new", data=course_form(full_price=price)
    )
    assert response.status_code == 200
    assert message in errors(response)
    assert _count(Course) == before


def test_the_largest_price_is_21_million_pounds():
    assert parse_pounds("21,000,000") == MAX_PENCE == 2_100_000_000
    assert parse_pounds("21000000.01") is None and parse_pounds("NaN") is None
    assert pounds_problem("21,000,000", "Full price") is None
    assert MAX_PENCE < 2**31  # the price columns are 32-bit integers


# --- the booking form -----------------------------------------------------------------------------------------


def test_a_relief_worker_cannot_book_for_an_enterprise_they_do_not_have(client, login_as, ctx):
    """A relief worker without an enterprise is offered only 'myself'; a post naming an enterprise is a form error."""
    relief = factories.relief_worker().user
    other = factories.enterprise(factories.user(), name="Someone Else's Care")
    session = factories.training_session(factories.course(factories.publisher(areas=("Leeds",))))
    db.session.commit()
    login_as(relief)
    response = client.post(
        f"/training/sessions/{session.id}/book",
        data={"booker_for": str(other.id), "name_1": "Ann", "email_1": "ann@example.com"},
    )
    assert response.status_code == 200
    assert "Select who you are booking for from the list" in errors(response)
    assert _count(Booking) == 0


# --- the audit log's date filter -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_to=9999-12-31", None),  # the old date box's name: no longer read, so no filter
        ("date_to-day=31&date_to-month=12&date_to-year=9999", "must be between"),
        ("date_from-day=1&date_from-month=1&date_from-year=1", "must be between"),
    ],
)
def test_audit_dates_at_the_end_of_time_are_a_message_not_an_error(client, login_as, ctx, query, message):
    """31 December 9999 has no day after it (the filter's end of range): the years the form takes are bounded."""
    login_as(factories.user(admin=True))
    # the page's title rules on a GET form with errors are the date inputs' business (tests/admin/test_audit_log.py)
    response = client.get(f"/admin/audit?{query}", skip_page_check=True)
    assert response.status_code == 200
    if message:
        assert any(message in error for error in errors(response)), errors(response)


def test_the_catalogue_finds_sessions_by_the_last_day_there_is(client, ctx):
    """'Starting by 31 December 9999' is no limit (there is no day after it to count up to)."""
    session = factories.training_session(factories.course(factories.publisher()))
    db.session.commit()
    response = client.get("/training?starts_to=31&starts_to=12&starts_to=9999")
    assert response.status_code == 200
    assert session.course.title in text(response)


def test_digits_that_are_not_ascii_in_a_date_box_are_a_message(client, login_as, ctx):
    """'²' is a digit to str.isdigit() but not to int(): a day typed as '²' is not a real date (found by the walk)."""
    officer = factories.user(role="publisher")
    course = factories.course(factories.publisher(officer))
    db.session.commit()
    login_as(officer)
    response = client.post(
        f"/training/manage/courses/{course.id}/sessions/new",
        data={"starts_on-day": "²", "starts_on-month": "1", "starts_on-year": "2027"},
    )
    assert response.status_code == 200
    assert errors(response)


# --- registering one address twice at once --------------------------------------------------------------------


REGISTRATION = {"name": "Ada Lovelace", "password": "a long enough password 1", "intended_role": "entrepreneur"}


def test_a_registration_that_loses_the_race_for_its_address_gets_the_same_page(client, ctx, monkeypatch):
    """The other registration of the address committed between our check and our insert: the unique index refuses
    ours (IntegrityError at the insert), and the person sees 'check your email' as everyone does."""
    factories.user(email="ada@example.com")
    db.session.commit()
    monkeypatch.setattr(accounts, "find_user_by_email", lambda email: None)  # as if the check ran before it existed
    response = client.post("/register", data={**REGISTRATION, "email": "ada@example.com"})
    assert response.status_code == 200
    assert "Check your email" in text(response)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "ada@example.com")) == 1


def _postgres_only(test):
    for mark in POSTGRES_ONLY:
        test = mark(test)
    return test


@_postgres_only
@pytest.mark.parametrize("run", range(3))
def test_two_registrations_of_one_address_at_once(app, ctx, monkeypatch, run):
    """Real threads on PostgreSQL: both pass the 'already registered?' check before either inserts; one account is
    made and both people see 'check your email'."""
    both_checked = threading.Barrier(2, timeout=30)
    checking = threading.local()
    real_find = accounts.find_user_by_email

    def find_then_wait(email):
        found = real_find(email)
        if not getattr(checking, "done", False):  # the first check (in register): wait until the other made it too
            checking.done = True
            both_checked.wait()
        return found

    monkeypatch.setattr(accounts, "find_user_by_email", find_then_wait)
    answers = [None, None]

    def register(index):
        with app.app_context():
            browser = app.test_client()
            answers[index] = browser.post("/register", data={**REGISTRATION, "email": "race@example.com"})
            db.session.remove()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [answer.status_code for answer in answers] == [200, 200]
    assert all("Check your email" in text(answer) for answer in answers)
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "race@example.com")) == 1


# --- next= after signing in ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "next_url", ["/training%0D%0ASet-Cookie:%20x=1", "/training%0A", "/%09/evil.example", "/training%7F"]
)
def test_a_next_address_with_control_characters_is_ignored(client, ctx, next_url):
    """After a successful sign-in, a 'next' with CR/LF (which would split the header) or a tab (which browsers drop,
    making '/\\t/evil' the other site '//evil') sends the person to their dashboard instead."""
    person = factories.user()
    db.session.commit()
    response = client.post(f"/sign-in?next={next_url}", data={"email": person.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/dashboard")


def test_safe_next_url_refuses_control_characters():
    assert safe_next_url("/training?page=2") == "/training?page=2"
    assert {safe_next_url(v) for v in ("/a\r\nb", "/\t/evil.example", "/a\x00", "/a\x7f", "/a\x0b")} == {None}


# --- Stripe webhooks about sessions Stripe does not know ----------------------------------------------------------


def test_a_signed_event_for_a_checkout_stripe_does_not_know_is_kept_and_answered_200(ctx, stripe_mode, client):
    """Stripe says 'no such checkout.session' when we read it back: nothing of ours to change, and retrying cannot
    help, so the event is recorded as seen (a repeat is a duplicate) and Stripe gets a 2xx and stops sending it."""
    event = stripe_mode.event(
        "checkout.session.completed", {"id": "cs_test_nobody_knows", "object": "checkout.session"}
    )
    response = deliver(client, stripe_mode, event)
    assert response.status_code == 200
    assert db.session.scalar(select(WebhookEvent.event_type).where(WebhookEvent.event_id == event["id"])) == (
        "checkout.session.completed"
    )
    again = deliver(client, stripe_mode, event)
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
