"""Certificates and records: the PDF for the right people only, public checks by number, records pages."""

import re
import zlib
from datetime import date, timedelta

import pytest

from marketplace.extensions import db
from marketplace.training import attendance, certificates
from marketplace.training.models import TrainingRecord
from tests import factories


def pdf_text(data: bytes) -> str:
    """The text drawn on a PDF's pages (fpdf2 compresses each page's content stream)."""
    streams = re.findall(rb">>\s*stream\r?\n(.*?)\r?\nendstream", data, re.S)
    texts = []
    for stream in streams:
        try:
            texts.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return " ".join(texts)


@pytest.fixture
def certified(ctx, clock):
    """Ann (with an account) of Care Co attended a Leeds council course; the people around her."""
    officer = factories.user(name="Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council")
    course = factories.course(council, title="Basic life support", topic_name="Basic life support")
    session = factories.training_session(course, days_ahead=1)
    ann = factories.user(name="Ann Account", email="ann@example.com")
    owner = factories.user(name="Care Co owner")
    enterprise = factories.enterprise(owner, name="Care Co")
    member = factories.user(name="Care Co member")
    factories.membership(member, enterprise, role="member")
    booking = factories.booking(session, owner, enterprise, people=[("Ann Smith", "ann@example.com")])
    clock.advance(days=2)
    course.certificate_validity_months = 12
    record = attendance.issue_record(booking.attendees[0], session, officer)
    db.session.commit()
    people = {
        "attendee": ann,
        "owner": owner,
        "member": member,
        "publisher": officer,
        "other_enterprise": factories.enterprise().memberships[0].user,
        "other_council": factories.publisher().memberships[0].user,
        "admin": factories.user(admin=True),
    }
    db.session.commit()
    return record, people


def test_the_attendee_downloads_a_certificate_with_the_details(client, login_as, certified):
    """The PDF names the person, course, topic, publisher, dates, number and where to check it."""
    record, people = certified
    login_as(people["attendee"])
    response = client.get(f"/training/certificates/{record.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="certificate-{record.certificate_number}.pdf"'
    )
    data = response.get_data()
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in (
        "Ann Smith",
        "Basic life support",
        "Leeds City Council",
        f"Certificate number: {record.certificate_number}",
        f"Completed on: {record.completed_on.day} {record.completed_on:%B %Y}",
        f"Expires: {record.expires_on.day} {record.expires_on:%B %Y}",
        f"http://backstop.test/training/certificates/check?number={record.certificate_number}",
    ):
        assert expected in text, expected


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("attendee", 200),
        ("owner", 200),
        ("member", 200),
        ("publisher", 200),
        ("other_enterprise", 404),
        ("other_council", 404),
        ("admin", 404),
    ],
)
def test_only_the_right_people_can_download_the_certificate(client, login_as, certified, persona, status):
    """The person, their enterprise's members and the publisher; nobody else."""
    record, people = certified
    login_as(people[persona])
    assert client.get(f"/training/certificates/{record.id}.pdf").status_code == status


def test_anonymous_people_must_sign_in_for_the_pdf(client, certified):
    """The PDF is behind sign-in."""
    record, _ = certified
    assert "/sign-in" in client.get(f"/training/certificates/{record.id}.pdf").headers["Location"]


def test_attendee_without_an_account_link_is_matched_by_email(client, login_as, certified):
    """A person who signed up after the course finds their certificate by their email address."""
    record, people = certified
    record.user_id = None
    db.session.commit()
    login_as(people["attendee"])
    assert client.get(f"/training/certificates/{record.id}.pdf").status_code == 200


def test_names_outside_latin_1_still_print(certified):
    """The PDF's fonts cover Latin-1: other letters are simplified rather than failing."""
    record, _ = certified
    record.person_name = "Łucja Wiśniewska – Nguyễn"
    assert "ucja Wisniewska - Nguyen" in pdf_text(certificates.certificate_pdf(record))


def test_public_check_shows_only_name_course_date_and_validity(client, certified):
    """Anyone can check a number; the page shows the issuer but nothing else about the person."""
    record, _ = certified
    response = client.get(f"/training/certificates/check?number={record.certificate_number.lower()}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "is genuine" in page
    assert "Ann Smith" in page and "Basic life support" in page
    assert f"{record.completed_on.day} {record.completed_on:%B %Y}" in page
    assert f"Valid until {record.expires_on.day} {record.expires_on:%B %Y}" in page
    assert "Leeds City Council" in page
    for private in ("ann@example.com", "Care Co"):
        assert private not in page


def test_public_check_without_prefix_and_unknown_numbers(client, certified, clock):
    """The BSC- prefix is optional; an unknown number says so; an expired one says it expired."""
    record, _ = certified
    bare = record.certificate_number.removeprefix("BSC-")
    assert "is genuine" in client.get(f"/training/certificates/check?number={bare}").get_data(as_text=True)
    assert "No certificate found" in client.get("/training/certificates/check?number=BSC-NOTREAL1").get_data(
        as_text=True
    )
    for blank in ("", "?number=", "?number=%20"):
        assert "No certificate found" not in client.get(f"/training/certificates/check{blank}").get_data(as_text=True)
    assert "No certificate found" in client.get(f"/training/certificates/check?number={'X' * 300}").get_data(
        as_text=True
    )
    clock.advance(days=400)
    page = client.get(f"/training/certificates/check?number={record.certificate_number}").get_data(as_text=True)
    assert "Expired on" in page


def test_my_records_lists_the_persons_records_only(client, login_as, certified):
    """Your training records: yours (by account or email), with a download link; not other people's."""
    record, people = certified
    other = factories.training_record(factories.booking(factories.training_session(), factories.user()).attendees[0])
    db.session.commit()
    login_as(people["attendee"])
    page = client.get("/training/records").get_data(as_text=True)
    assert record.certificate_number in page and f"/training/certificates/{record.id}.pdf" in page
    assert other.certificate_number not in page
    client.post("/sign-out")
    login_as(people["member"])
    assert record.certificate_number not in client.get("/training/records").get_data(as_text=True)


def test_staff_records_for_the_enterprise_with_what_expires_soon(client, login_as, certified):
    """Members see all their enterprise's records and, separately, those expiring in 90 days."""
    record, people = certified
    soon = factories.training_record(
        factories.booking(
            factories.training_session(), people["owner"], record_org(record), people=[("Sam", "sam@x.com")]
        ).attendees[0]
    )
    soon.expires_on = certificates.today() + timedelta(days=60)
    db.session.commit()
    login_as(people["member"])
    page = client.get(f"/training/organisations/{record.organisation_id}/records").get_data(as_text=True)
    expiring_part = page.split("Expiring in the next 90 days")[1].split("All training records")[0]
    assert soon.certificate_number in expiring_part and record.certificate_number not in expiring_part
    assert record.certificate_number in page.split("All training records")[1]


@pytest.mark.parametrize("persona", ["other_enterprise", "publisher", "attendee", "admin"])
def test_staff_records_are_for_the_enterprises_members_only(client, login_as, certified, persona):
    """Another enterprise, the publisher, the attendee without membership and admins get 404."""
    record, people = certified
    login_as(people[persona])
    assert client.get(f"/training/organisations/{record.organisation_id}/records").status_code == 404


def record_org(record: TrainingRecord):
    """The enterprise a record belongs to."""
    from marketplace.organisations.models import Organisation

    return db.session.get(Organisation, record.organisation_id)


def test_expiring_soon_is_within_90_days(certified):
    """Records expiring after 90 days or already expired are not 'expiring soon'."""
    record, _ = certified
    record.expires_on = certificates.today() + timedelta(days=91)
    assert certificates.expiring_soon(record.organisation_id) == []
    record.expires_on = certificates.today() + timedelta(days=90)
    assert certificates.expiring_soon(record.organisation_id) == [record]
    record.expires_on = date(2020, 1, 1)
    assert certificates.expiring_soon(record.organisation_id) == []


def _staff_page_queries(client, org_id: int, extra: int) -> int:
    from marketplace.organisations.models import Organisation
    from tests.queries import counted_queries

    enterprise = db.session.get(Organisation, org_id)
    for _ in range(extra):
        course = factories.course(topic_name="Food hygiene")
        booker = enterprise.memberships[0].user
        attendee = factories.booking(factories.training_session(course), booker, enterprise).attendees[0]
        factories.training_record(attendee).expires_on = certificates.today() + timedelta(days=30)
    db.session.commit()
    db.session.expunge_all()  # as in production, each request starts with nothing loaded
    with counted_queries() as statements:
        assert client.get(f"/training/organisations/{org_id}/records").status_code == 200
    return len(statements)


def test_staff_records_queries_do_not_grow_with_records(client, login_as, certified):
    """The staff records page costs the same number of queries for 1 more record as for 8 more."""
    record, people = certified
    login_as(people["member"])
    org_id = record.organisation_id
    assert _staff_page_queries(client, org_id, 1) == _staff_page_queries(client, org_id, 8)
