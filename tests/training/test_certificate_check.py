"""The public certificate check: what it shows, and the links to it from records, the PDF and every page's footer."""

import io
import re
import struct
import zlib
from decimal import Decimal

import pytest
import segno
from bs4 import BeautifulSoup
from PIL import Image

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.training import attendance, certificates
from tests import factories
from tests.training.test_certificates import pdf_text


@pytest.fixture
def record(ctx, clock):
    """Ann Smith of Care Co completed an accredited Leeds City Council course worth 3.5 CPD hours."""
    officer = factories.user(name="Officer", role="publisher")
    council = factories.publisher(officer, name="Leeds City Council")
    course = factories.course(
        council,
        title="Basic life support",
        topic_name="Basic life support",
        accreditation="Resuscitation Council UK",
        cpd_hours=Decimal("3.5"),
        certificate_validity_months=12,
    )
    session = factories.training_session(course, days_ahead=1)
    owner = factories.user(name="Care Co owner")
    enterprise = factories.enterprise(owner, name="Care Co")
    booking = factories.booking(session, owner, enterprise, people=[("Ann Smith", "ann.smith@example.com")])
    factories.user(name="Ann Account", email="ann.smith@example.com")
    clock.advance(days=2)
    row = attendance.issue_record(booking.attendees[0], session, officer)
    db.session.commit()
    return row


def summary(client, number: str) -> dict[str, str]:
    """The check page's summary list for a number, as {key: value}."""
    soup = BeautifulSoup(
        client.get(f"/training/certificates/check?number={number}").get_data(as_text=True), "html.parser"
    )
    rows = soup.select(".govuk-summary-list__row")
    return {
        row.select_one(".govuk-summary-list__key").get_text(strip=True): row.select_one(
            ".govuk-summary-list__value"
        ).get_text(" ", strip=True)
        for row in rows
    }


def test_the_check_shows_issuer_course_dates_cpd_and_accreditation(client, record):
    """Each fact someone checking a certificate needs, each in its own row."""
    facts = summary(client, record.certificate_number)
    assert facts == {
        "Name": "Ann Smith",
        "Course": "Basic life support",
        "Issued by": "Leeds City Council",
        "Completed on": f"{record.completed_on.day} {record.completed_on:%B %Y}",
        "Validity": f"Valid until {record.expires_on.day} {record.expires_on:%B %Y}",
        "CPD hours": "3.5",
        "Accreditation": "Resuscitation Council UK",
    }


def test_a_certificate_that_does_not_expire_and_is_not_accredited(client, record):
    """Whole CPD hours print without '.0'; no expiry and no accreditation are said plainly."""
    record.expires_on = None
    record.course.accreditation = None
    record.course.cpd_hours = Decimal("3.0")
    db.session.commit()
    facts = summary(client, record.certificate_number)
    assert facts["Validity"] == "Does not expire"
    assert facts["Accreditation"] == "None"
    assert facts["CPD hours"] == "3"


def test_the_check_shows_no_more_personal_data_than_the_name(client, record):
    """No email address, employer or account name on the public page."""
    page = client.get(f"/training/certificates/check?number={record.certificate_number}").get_data(as_text=True)
    for private in ("ann.smith@example.com", "Care Co", "Ann Account", "Officer"):
        assert private not in page, private


def test_the_records_pages_link_to_the_check(client, login_as, record):
    """Your records (and your account page) link each certificate to its public check."""
    login_as(db.session.get(User, record.user_id))
    link = f"/training/certificates/check?number={record.certificate_number}"
    for page in ("/training/records", "/account"):
        html = client.get(page, follow_redirects=True).get_data(as_text=True)
        assert link in html, page


def test_the_pdf_check_url_uses_the_public_address_not_the_request_host(app, record, monkeypatch):
    """Behind a proxy or reached by another name, the PDF still prints the configured public address."""
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://training.backstop.example")
    with app.test_request_context("/training/records", base_url="http://evil.example"):
        url = certificates.verification_url(record)
        text = pdf_text(certificates.certificate_pdf(record))
    expected = f"https://training.backstop.example/training/certificates/check?number={record.certificate_number}"
    assert url == expected
    assert f"Check this certificate at {expected}" in text and "evil.example" not in text


def test_the_pdf_has_the_check_url_cpd_hours_and_accreditation(client, login_as, record):
    """The downloaded PDF prints where to check it and the course's CPD hours and accreditation."""
    login_as(db.session.get(User, record.user_id))
    text = pdf_text(client.get(f"/training/certificates/{record.id}.pdf").get_data())
    assert f"http://backstop.test/training/certificates/check?number={record.certificate_number}" in text
    assert "CPD hours: 3.5" in text and "Accreditation: Resuscitation Council UK" in text


def test_the_pdf_has_a_qr_code_of_the_check_url(record):
    """The PDF's one image is a QR code whose modules are those of the check URL's code."""
    images = pdf_images(certificates.certificate_pdf(record))
    assert len(images) == 1
    expected = segno.make(certificates.verification_url(record), error="m").matrix
    assert qr_modules(images[0], len(expected)) == [[bool(module) for module in row] for row in expected]


def test_every_page_has_the_check_in_its_footer(client, record):
    """base.html's footer links to the check, so every page does: the home page and a training page."""
    for page in ("/", "/training", "/sign-in"):
        soup = BeautifulSoup(client.get(page, follow_redirects=True).get_data(as_text=True), "html.parser")
        link = soup.select_one("footer a[href='/training/certificates/check']")
        assert link is not None and link.get_text(strip=True) == "Check a training certificate", page


# --- reading images back out of an fpdf2 PDF -------------------------------------------------------------------


def pdf_images(data: bytes) -> list[Image.Image]:
    """Each image XObject, decoded: fpdf2 stores PNGs as their zlib IDAT data, so wrap it back into a PNG."""
    images = []
    for header, stream in re.findall(
        rb"<<\n(/BitsPerComponent.*?/Subtype /Image.*?)>>\nstream\n(.*?)\nendstream", data, re.S
    ):
        width = int(re.search(rb"/Width (\d+)", header).group(1))
        height = int(re.search(rb"/Height (\d+)", header).group(1))
        assert b"/FlateDecode" in header and b"/Predictor 15" in header and b"/BitsPerComponent 8" in header
        colours = int(re.search(rb"/Colors (\d+)", header).group(1))
        colour_type = {1: 0, 3: 2}[colours]  # one sample a pixel (grey or palette index), or RGB
        images.append(Image.open(io.BytesIO(_png(width, height, colour_type, stream))))
    return images


def _png(width: int, height: int, colour_type: int, idat: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def qr_modules(image: Image.Image, size: int, border: int = 4) -> list[list[bool]]:
    """The QR code's modules (True: dark), read at each module's centre; the top-left module is always dark."""
    grey = image.convert("L")
    scale = grey.width // (size + 2 * border)
    assert grey.width == grey.height == scale * (size + 2 * border)
    dark = grey.getpixel((border * scale, border * scale))

    def module(row: int, column: int) -> bool:
        return grey.getpixel(((border + column) * scale + scale // 2, (border + row) * scale + scale // 2)) == dark

    return [[module(row, column) for column in range(size)] for row in range(size)]
