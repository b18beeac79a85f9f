"""Editing your own details; seeing your training records."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from marketplace.accounts.models import User
from marketplace.extensions import db
from tests import factories
from tests.database import audit_events
from tests.pages import errors, main_text


@pytest.fixture
def person(ctx):
    """A verified account."""
    user = factories.user(name="Florence Nightingale", email="florence@example.com")
    db.session.commit()
    return user


def test_profile_shows_details(client, person, login_as):
    """The account page shows the person's name and email."""
    login_as(person)
    page = client.get("/account").get_data(as_text=True)
    assert "Florence Nightingale" in page and "florence@example.com" in page


def test_profile_needs_sign_in(client):
    """Anonymous visitors are sent to sign in."""
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")


def test_edit_name_saves_and_audits(client, person, login_as):
    """Saving a new name changes it and writes account.profile_updated with the old name."""
    login_as(person)
    response = client.post("/account", data={"name": "  Flo Nightingale "})
    assert response.headers["Location"] == "/account"
    assert db.session.get(User, person.id).name == "Flo Nightingale"
    [event] = audit_events("account.profile_updated")
    assert (event.actor_id, event.details["old_name"]) == (person.id, "Florence Nightingale")


def test_unchanged_name_writes_no_audit(client, person, login_as):
    """Saving the same name is not recorded as a change."""
    login_as(person)
    client.post("/account", data={"name": "Florence Nightingale"})
    assert audit_events("account.profile_updated") == []


def test_empty_name_refused(client, person, login_as):
    """An empty name gives the GOV.UK message and the name is kept."""
    login_as(person)
    response = client.post("/account", data={"name": ""})
    assert "Enter your full name" in errors(response)
    assert db.session.get(User, person.id).name == "Florence Nightingale"


def test_profile_post_needs_csrf(client, person, login_as):
    """A profile post without the CSRF token changes nothing."""
    login_as(person)
    assert client.post("/account", data={"name": "Forged"}, csrf=False).status_code == 400
    assert db.session.get(User, person.id).name == "Florence Nightingale"


# --- training records -----------------------------------------------------------------------------------------


def _records_table(response) -> list[list[str]]:
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    table = soup.select_one("table.bs-profile-records")
    if table is None:
        return []
    return [[" ".join(cell.get_text(" ").split()) for cell in row.select("td")] for row in table.select("tbody tr")]


def _attended(person, title: str, *, months=12):
    """A record for the person on a new course (each with its own publisher)."""
    course = factories.course(title=title)
    session = factories.training_session(course, days_ahead=-40, booking_deadline=course.created_at)
    booking = factories.booking(session, person)
    return factories.training_record(booking.attendees[0], months=months)


def test_profile_says_when_there_are_no_training_records(client, person, login_as):
    """No records: say so and link to the catalogue."""
    login_as(person)
    response = client.get("/account")
    assert "You have no training records yet." in main_text(response)
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.find("a", string="Find training")["href"] == "/training"


def test_profile_lists_training_records_with_certificates(client, person, login_as, clock):
    """Topic, course, completed, expires (or 'Does not expire') and the certificate link, newest first."""
    record = _attended(person, "Emergency First Aid")
    forever = _attended(person, "Safeguarding basics", months=None)
    forever.completed_on = record.completed_on - timedelta(days=1)
    db.session.commit()
    login_as(person)
    response = client.get("/account")
    rows = _records_table(response)
    completed = f"{record.completed_on.day} {record.completed_on:%B %Y}"
    expires = f"{record.expires_on.day} {record.expires_on:%B %Y}"
    assert rows[0][:4] == ["First aid", "Emergency First Aid", completed, expires]
    assert rows[0][4].startswith(f"Download {record.certificate_number}")
    assert rows[1][1] == "Safeguarding basics" and rows[1][3] == "Does not expire"
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    link = soup.select_one("table.bs-profile-records a")["href"]
    assert link == f"/training/certificates/{record.id}.pdf"
    assert client.get(link).mimetype == "application/pdf"


def _profile_queries(client) -> int:
    from tests.queries import counted_queries

    db.session.expunge_all()
    with counted_queries() as statements:
        assert client.get("/account").status_code == 200
    return len(statements)


def test_profile_queries_do_not_grow_with_records(client, person, login_as, clock):
    """2 records or 30 (each its own course, topic and publisher): the same number of queries; the newest 10 shown
    with a link to the rest."""
    login_as(person)
    for n in range(2):
        _attended(person, f"Course {n}")
    db.session.commit()
    person_id = person.id
    few = _profile_queries(client)
    person = db.session.get(User, person_id)
    for n in range(2, 30):
        _attended(person, f"Course {n}")
    db.session.commit()
    many = _profile_queries(client)
    assert few == many, (few, many)
    response = client.get("/account")
    assert len(_records_table(response)) == 10
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert soup.find("a", string="See all your training records")["href"] == "/training/records"
