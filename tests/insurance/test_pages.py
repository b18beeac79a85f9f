"""Insurance's pages, through the real forms: a publisher sets up a scheme and opens it; an owner is shown the tier
the pool reaches and what the next one needs, answers the insurer's questions and pledges; the publisher activates;
the certificate downloads as an attachment to the enterprise's people only, and anyone can check it by member number,
seeing only what a third party needs."""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.core.clock import today
from marketplace.extensions import db
from marketplace.insurance import activation
from marketplace.insurance.models import Enrolment, Scheme
from marketplace.insurance.statuses import EnrolmentStatus, SchemeStatus
from tests import factories
from tests.database import audit_events, count
from tests.insurance.world import PDF, answers, open_scheme
from tests.pages import errors, main_text, soup


@pytest.fixture
def people(ctx, clock):
    officer = factories.user(name="Olive Officer", role="publisher")
    council = factories.publisher(officer)
    owner = factories.user(name="Ann Owner")
    enterprise = factories.enterprise(owner, name="Ann's Care", postcode="LS6 2AB")
    db.session.commit()
    return officer, council, owner, enterprise


def _date(prefix: str, day) -> dict:
    return {f"{prefix}-day": str(day.day), f"{prefix}-month": str(day.month), f"{prefix}-year": str(day.year)}


def scheme_form(**overrides) -> dict:
    start = today() + timedelta(days=30)
    data = {
        "name": "Leeds care insurance",
        "summary": "Cover for care businesses in Leeds.",
        "insurer_name": "Example Mutual",
        "insurer_frn": "123456",
        **_date("period_starts", start),
        **_date("period_ends", start + timedelta(days=364)),
        **_date("enrolment_opens", today()),
        **_date("enrolment_closes", today() + timedelta(days=7)),
        "threshold": "5",
        "subsidy_kind": "percent",
        "subsidy_percent": "10",
        "public_liability_limit": "5000000",
        "public_liability_excess": "250",
        "tier_1_price": "240",
        "tier_2_members": "5",
        "tier_2_price": "180",
        "tier_3_members": "25",
        "tier_3_price": "140",
        "question_1": "Have you had a claim in the last 5 years?",
        "question_1_declines": "yes",
        "question_2": "Who is your current insurer?",
    }
    return {**data, **overrides}


def test_a_publisher_sets_up_a_scheme_and_opens_it(client, login_as, people):
    officer, council, _, _ = people
    login_as(officer)
    url = f"/insurance/manage/organisations/{council.id}/schemes/new"
    assert client.get(url).status_code == 200
    saved = client.post(url, data=scheme_form())
    assert saved.status_code == 302, errors(saved)
    scheme = db.session.scalars(select(Scheme)).one()
    assert scheme.status == SchemeStatus.DRAFT and [t.annual_price_pence for t in scheme.tiers] == [
        24_000,
        18_000,
        14_000,
    ]
    assert [(line.kind, int(line.limit_pence), line.excess_pence) for line in scheme.cover_lines] == [
        ("public_liability", 500_000_000, 25_000)
    ]
    assert [(q.kind, q.declining_answer) for q in scheme.questions] == [("yes_no", "yes"), ("short", None)]
    assert (scheme.subsidy_kind, scheme.subsidy_value) == ("percent", 10)
    assert "Leeds care insurance" not in main_text(client.get("/insurance/"))
    client.post(f"/insurance/manage/schemes/{scheme.id}/open")
    assert "Leeds care insurance" in main_text(client.get("/insurance/"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"insurer_frn": "12ab"}, "Insurer's FCA firm reference number must be 6 or 7 digits"),
        ({"tier_2_price": ""}, "Enter both the members and the price of tier 2, or neither"),
        ({"tier_2_price": "300"}, "Each larger tier must cost less a year than the one before"),
        ({"subsidy_percent": ""}, "Enter the subsidy as a percentage"),
        ({"broker_name": "Brokers Ltd"}, "Enter the broker's FCA firm reference number"),
        ({"threshold": "0"}, "Members needed to go ahead must be between 1 and 100,000"),
    ],
)
def test_bad_settings_are_refused_on_the_form_and_nothing_is_saved(client, login_as, people, change, message):
    officer, council, _, _ = people
    login_as(officer)
    page = client.post(f"/insurance/manage/organisations/{council.id}/schemes/new", data=scheme_form(**change))
    assert page.status_code == 200 and message in " ".join(errors(page)) + main_text(page)
    assert count(Scheme) == 0


def test_an_owner_sees_the_price_reached_and_pledges(client, login_as, people):
    """With three pledges, the owner's joining makes 4: £240, and 1 more member means £60 less a year each."""
    officer, council, owner, enterprise = people
    scheme = open_scheme(officer, council)
    for n in range(3):
        other = factories.user()
        activation.join(
            scheme, factories.enterprise(other, name=f"Care {n}"), other, answers=answers(scheme), invoice_mandate=True
        )
    db.session.commit()
    page = main_text(client.get(f"/insurance/schemes/{scheme.id}"))
    assert (
        "With you, the pool reaches £240 a year" in page and "1 more member and everyone pays £60 less a year" in page
    )
    assert "Sign in to join" in page
    login_as(owner)
    join = f"/insurance/schemes/{scheme.id}/join/{enterprise.id}"
    question = scheme.questions[0]
    declined = client.post(join, data={f"q{question.id}": "yes", "mandate": "y"})
    assert "cannot cover businesses that answer 'yes'" in main_text(declined) and count(Enrolment) == 3
    unanswered = client.post(join, data={"mandate": "y"})
    assert f"Answer yes or no: {question.text}" in errors(unanswered)
    pledged = client.post(join, data={f"q{question.id}": "no", "mandate": "y"})
    assert pledged.status_code == 302
    enrolment = db.session.scalars(select(Enrolment).where(Enrolment.organisation_id == enterprise.id)).one()
    assert enrolment.status == EnrolmentStatus.PLEDGED
    assert "You will be invoiced if the scheme goes ahead" in main_text(client.get(f"/insurance/schemes/{scheme.id}"))


def test_the_certificate_and_its_public_check(client, login_as, people):
    officer, council, owner, enterprise = people
    scheme = open_scheme(officer, council, threshold=1)
    enrolment = activation.join(scheme, enterprise, owner, answers=answers(scheme), invoice_mandate=True)
    activation.activate_early(scheme, officer)
    db.session.commit()
    number, enrolment_id = enrolment.member_number, enrolment.id
    login_as(owner)
    pdf = client.get(f"/insurance/enrolments/{enrolment_id}/certificate.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.headers["Content-Disposition"].startswith("attachment;")
    assert pdf.data.startswith(b"%PDF")
    client.post("/sign-out")
    assert client.get(f"/insurance/enrolments/{enrolment_id}/certificate.pdf").status_code == 302  # sign in first
    found = client.get(f"/insurance/verify?number={number.lower().replace('-', ' ')}")
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/insurance/verify/{number}")
    page = main_text(client.get(f"/insurance/verify/{number}"))
    assert "Ann's Care" in page and "Public liability" in page and "£5,000,000" in page
    assert "Not yet valid: cover starts on" in page  # cover starts next month
    assert "LS6" not in page and "£" + "216" not in page  # no address, no premium
    missing = client.get("/insurance/verify?number=BKI-NOTAREAL")
    assert "No certificate has that member number" in main_text(missing)
    assert client.get("/insurance/verify/BKI-NOTAREAL").status_code == 404


def _upload(client, scheme_id, content: bytes, filename: str = "wording.pdf"):
    data = {"wording": (io.BytesIO(content), filename)}
    return client.post(f"/insurance/manage/schemes/{scheme_id}/wording", data=data, content_type="multipart/form-data")


def test_the_policy_wording_upload_is_checked_stored_privately_and_served_to_eligible_people(
    client, login_as, people, app
):
    """A PDF is kept under a random name outside static; a non-PDF named .pdf, an empty file or one over 5 MB is
    refused on the form; a body over the app's limit is refused with 413. The wording downloads as an attachment to
    signed-in people of enterprises the scheme is for, and the publisher; nobody else."""
    officer, council, owner, enterprise = people
    scheme = open_scheme(officer, council, area_ids=[factories.area("Leeds").id])
    login_as(officer)
    assert "The selected file must be a PDF" in errors(
        _upload(client, scheme.id, b"MZ\x90\x00 not a pdf", "wording.pdf")
    )
    assert "The selected file is empty" in errors(_upload(client, scheme.id, b""))
    assert "smaller than 5 MB" in " ".join(
        errors(_upload(client, scheme.id, PDF[:-7] + b"x" * (6 * 1024 * 1024) + b"%%EOF\n"))
    )
    assert _upload(client, scheme.id, b"%PDF-" + b"x" * (11 * 1024 * 1024)).status_code == 413
    db.session.expire_all()
    assert db.session.get(Scheme, scheme.id).wording_file is None
    assert _upload(client, scheme.id, PDF, "Our wording.pdf").status_code == 302
    db.session.expire_all()
    stored = db.session.get(Scheme, scheme.id).wording_file
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored)
    assert (Path(app.config["UPLOADS_DIR"]) / stored).read_bytes() == PDF
    assert not (Path(app.static_folder) / stored).exists()
    client.post("/sign-out")
    url = f"/insurance/schemes/{scheme.id}/wording.pdf"
    assert client.get(url).status_code == 302  # sign in first
    login_as(owner)  # a Leeds enterprise: the scheme is for it
    served = client.get(url)
    assert served.data == PDF and served.headers["Content-Disposition"].startswith("attachment;")
    client.post("/sign-out")
    outsider = factories.user()
    factories.enterprise(outsider, area_name="York")
    relief = factories.relief_worker().user
    db.session.commit()
    for person in (outsider, relief):
        login_as(person)
        assert client.get(url).status_code == 404
        client.post("/sign-out")


def test_proof_of_cover_is_shared_by_an_unguessable_link_and_revoked(client, login_as, people, clock):
    officer, council, owner, enterprise = people
    scheme = open_scheme(officer, council, threshold=1)
    enrolment = activation.join(scheme, enterprise, owner, answers=answers(scheme), invoice_mandate=True)
    activation.activate_early(scheme, officer)
    db.session.commit()
    clock.advance(days=31)  # cover has started
    login_as(owner)
    client.post(f"/insurance/enrolments/{enrolment.id}/proof")
    db.session.expire_all()
    link = db.session.get(Enrolment, enrolment.id).proof_token
    assert len(link) >= 43
    page = main_text(client.get(f"/insurance/schemes/{scheme.id}"))
    assert f"/insurance/proof/{link}" in page
    client.post("/sign-out")
    shown = client.get(f"/insurance/proof/{link}")
    assert "Ann's Care" in main_text(shown) and "Valid: covered from" in main_text(shown)
    assert client.get(f"/insurance/proof/{link}/certificate.pdf").data.startswith(b"%PDF")
    login_as(owner)
    client.post(f"/insurance/enrolments/{enrolment.id}/proof/revoke")
    client.post("/sign-out")
    assert client.get(f"/insurance/proof/{link}").status_code == 404
    assert client.get(f"/insurance/proof/{link}/certificate.pdf").status_code == 404


def test_the_bordereau_lists_members_for_the_insurer_and_each_download_is_audited(client, login_as, people):
    officer, council, owner, enterprise = people
    scheme = open_scheme(officer, council, threshold=1)
    activation.join(scheme, enterprise, owner, answers=answers(scheme), invoice_mandate=True)
    activation.activate_early(scheme, officer)
    db.session.commit()
    login_as(officer)
    sheet = client.get(f"/insurance/manage/schemes/{scheme.id}/bordereau.csv")
    assert sheet.mimetype == "text/csv" and sheet.headers["Content-Disposition"].startswith("attachment;")
    header, row = list(csv.reader(io.StringIO(sheet.get_data(as_text=True))))
    assert header[:4] == ["Member number", "Business", "Legal form", "Postcode"]
    assert row[1:4] == ["Ann's Care", "sole_trader", "LS6 2AB"] and "Public liability £5,000,000" in row[5]
    assert row[8] == "£240" and row[11] == "active"
    client.get(f"/insurance/manage/schemes/{scheme.id}/bordereau.csv")
    assert len(audit_events("insurance_scheme.bordereau_downloaded")) == 2


def test_a_draft_is_changed_through_its_form_and_an_open_scheme_is_not(client, login_as, people):
    officer, council, _, _ = people
    login_as(officer)
    client.post(f"/insurance/manage/organisations/{council.id}/schemes/new", data=scheme_form())
    scheme = db.session.scalars(select(Scheme)).one()
    page = client.get(f"/insurance/manage/schemes/{scheme.id}/edit")
    form = soup(page)
    assert form.select_one("#name")["value"] == "Leeds care insurance"
    assert form.select_one("#tier_3_members")["value"] == "25" and form.select_one("#tier_3_price")["value"] == "140.00"
    assert form.select_one("#subsidy_percent")["value"] == "10"
    assert form.select_one("input[name=question_1_declines][value=yes]").has_attr("checked")
    changed = client.post(
        f"/insurance/manage/schemes/{scheme.id}/edit",
        data=scheme_form(name="Leeds care insurance 2027", tier_3_price="150"),
    )
    assert changed.status_code == 302, errors(changed)
    db.session.expire_all()
    scheme = db.session.get(Scheme, scheme.id)
    assert scheme.name == "Leeds care insurance 2027" and [t.annual_price_pence for t in scheme.tiers] == [
        24_000,
        18_000,
        15_000,
    ]
    client.post(f"/insurance/manage/schemes/{scheme.id}/open")
    refused = client.get(f"/insurance/manage/schemes/{scheme.id}/edit")
    assert refused.status_code == 302
    assert "Only a draft scheme can be changed" in main_text(client.get(refused.headers["Location"]))
