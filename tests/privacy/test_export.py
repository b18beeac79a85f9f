"""Subject access: a person downloads everything held about them, as a ZIP prepared by the queue and emailed as a
link that works for 24 hours, for them alone; every download is audited."""

import csv
import io
import json
import zipfile
from datetime import timedelta
from types import SimpleNamespace

import pytest

from marketplace.accounts import services as accounts
from marketplace.core import audit
from marketplace.extensions import db
from marketplace.organisations.models import MemberRole, OrgKind
from marketplace.payments.models import PaymentStatus
from marketplace.privacy import exports
from marketplace.privacy.models import PersonalDataExport
from tests import factories
from tests.conftest import path_of
from tests.database import audit_events, count, fresh
from tests.pages import h1, text


@pytest.fixture
def world(ctx, clock):
    """Pat, with something of every kind held about them, and Quinn, whose data must not appear in Pat's export."""
    pat = factories.user(name="Pat Example", email="pat@example.com")
    enterprise = factories.enterprise(pat, name="Pat's Care")
    council = factories.publisher(name="Leeds City Council")
    factories.membership(pat, factories.publisher(kind=OrgKind.NHS, name="NHS Leeds"), role=MemberRole.MEMBER)
    factories.invitation(council, "pat@example.com")
    factories.relief_worker(pat).phone = "07700 900123"
    session = factories.training_session(factories.course(council, title="Moving and handling"))
    booking = factories.booking(session, pat, enterprise, people=[("Pat Example", "pat@example.com")])
    booking.payment = factories.payment(
        payer_organisation=enterprise, payee_organisation=council, status=PaymentStatus.SUCCEEDED
    )
    booking.payment.payer_user = pat
    factories.training_record(booking.attendees[0], number="BSC-PATREC01")
    factories.waiting_entry(factories.training_session(factories.course(council, title="First aid day")), pat)
    factories.notification(pat, title="Your place is booked")
    accounts.update_profile(pat, name="Pat Example")  # unchanged: records nothing
    audit.record("account.signed_in", obj=pat, actor=pat, remember=False)
    quinn = factories.user(name="Quinn Other", email="quinn@example.com")
    factories.enterprise(quinn, name="Quinn's Care")
    factories.booking(session, quinn, people=[("Quinn Other", "quinn@example.com")])
    factories.notification(quinn, title="Quinn's secret notification")
    audit.record("account.signed_in", obj=quinn, actor=quinn, remember=True)
    db.session.commit()
    return SimpleNamespace(pat=pat, quinn=quinn, booking=booking)


def _open(content: bytes) -> tuple[dict, dict[str, list[dict]]]:
    """The ZIP's JSON file, and each CSV file's rows by name."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    everything = json.loads(archive.read(exports.EVERYTHING))
    tables = {
        name.removesuffix(".csv"): list(csv.DictReader(io.StringIO(archive.read(name).decode())))
        for name in archive.namelist()
        if name.endswith(".csv")
    }
    return everything, tables


def test_the_export_holds_every_kind_of_data_and_nothing_of_anyone_else(world, clock):
    """Profile, memberships, invitations, bookings, places naming them, waiting list, training records, payments,
    relief profile, notifications and audit events: all there, in the JSON and as CSV; nothing of Quinn's."""
    content = exports.build_zip(world.pat, clock.now())
    everything, tables = _open(content)
    assert everything["profile"][0]["email"] == "pat@example.com"
    assert {m["organisation"] for m in everything["memberships"]} == {"Pat's Care", "NHS Leeds"}
    assert [i["organisation"] for i in everything["invitations"]] == ["Leeds City Council"]
    assert [b["course"] for b in everything["bookings"]] == ["Moving and handling"]
    assert [p["email"] for p in everything["places_naming_you"]] == ["pat@example.com"]
    assert [e["course"] for e in everything["waiting_list_entries"]] == ["First aid day"]
    assert [r["certificate_number"] for r in everything["training_records"]] == ["BSC-PATREC01"]
    assert [p["payment"] for p in everything["payments"]] == [world.booking.payment_id]
    assert everything["relief_worker_profile"][0]["phone"] == "07700 900123"
    assert [n["title"] for n in everything["notifications"]] == ["Your place is booked"]
    assert "account.signed_in" in {e["action"] for e in everything["audit_events"]}
    assert set(tables) == set(everything) - {"prepared_at", "about"}
    assert tables["training_records"][0]["certificate_number"] == "BSC-PATREC01"
    archive = zipfile.ZipFile(io.BytesIO(content))
    unpacked = b"".join(archive.read(name) for name in archive.namelist()).lower()
    assert b"pat@example.com" in unpacked
    for other in (b"quinn", str(world.quinn.id).encode() + b', "action"'):
        assert other not in unpacked


def test_csv_cells_are_never_run_as_formulas(world, clock):
    """A name typed as a formula is written so a spreadsheet shows it as text."""
    world.pat.name = "=HYPERLINK(evil)"
    db.session.commit()
    _, tables = _open(exports.build_zip(world.pat, clock.now()))
    assert tables["profile"][0]["name"] == "'=HYPERLINK(evil)"


def _ask(client, login_as, person):
    """Sign in (for 30 days: the tests move the clock a day on), ask for your data; the queued job runs after it."""
    login_as(person, remember=True)
    response = client.post("/account/your-data")
    assert response.status_code == 302
    return response


def test_asking_queues_the_export_and_emails_a_link_that_works_24_hours(client, login_as, world, outbox, clock):
    """The job builds the ZIP and emails a link; the page and the ZIP open until 24 hours have passed, then 410."""
    _ask(client, login_as, world.pat)
    assert "We are preparing your data" in text(client.get("/account"))
    link = path_of(outbox.last_link("pat@example.com", "/account/your-data/"))
    page = client.get(link)
    assert page.status_code == 200 and h1(page) == "Download your data"
    download = client.get(link + "/download")
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert "attachment" in download.headers["Content-Disposition"]
    assert _open(download.data)[0]["profile"][0]["name"] == "Pat Example"
    clock.advance(hours=23, minutes=59)
    assert client.get(link + "/download").status_code == 200
    clock.advance(minutes=1)
    expired = client.get(link)
    assert expired.status_code == 410 and h1(expired) == "This link has expired"
    assert client.get(link + "/download").status_code == 410


def test_every_download_is_audited(client, login_as, world, outbox):
    """Each download of the ZIP is an audit event by the person, about their export."""
    _ask(client, login_as, world.pat)
    link = path_of(outbox.last_link("pat@example.com", "/account/your-data/"))
    client.get(link + "/download")
    client.get(link + "/download")
    fresh()
    events = audit_events("personal_data.downloaded")
    assert len(events) == 2 and {e.actor_id for e in events} == {world.pat.id}
    assert {e.object_type for e in events} == {"PersonalDataExport"}
    assert len(audit_events("personal_data.export_requested")) == 1


def test_another_person_and_a_forged_link_get_not_found(client, login_as, world, outbox):
    """The link works only for the person signed in who asked: anyone else, or a made-up token, gets a 404 page."""
    _ask(client, login_as, world.pat)
    link = path_of(outbox.last_link("pat@example.com", "/account/your-data/"))
    client.post("/sign-out")
    login_as(world.quinn)
    for url in (
        link,
        link + "/download",
        "/account/your-data/forged-token",
        "/account/your-data/forged-token/download",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
    assert h1(client.get(link)) == "This link is not valid"
    assert audit_events("personal_data.downloaded") == []


def test_signed_out_the_link_asks_you_to_sign_in_first(client, login_as, world, outbox):
    """Opening the emailed link signed out leads to the sign-in page, then back to the link."""
    _ask(client, login_as, world.pat)
    link = path_of(outbox.last_link("pat@example.com", "/account/your-data/"))
    client.post("/sign-out")
    response = client.get(link)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_the_job_prepares_an_export_once(client, login_as, world, outbox):
    """Run again (a retry), the job sends no second email and keeps the first link working."""
    _ask(client, login_as, world.pat)
    export_id = db.session.scalar(db.select(PersonalDataExport.id))
    exports.prepare_export(export_id)
    assert len(outbox.to("pat@example.com")) == 1
    assert client.get(path_of(outbox.last_link("pat@example.com", "/account/your-data/"))).status_code == 200


def test_asking_again_while_it_is_prepared_makes_no_second_export(app, client, login_as, world, monkeypatch):
    """A request still being prepared is reused: asking twice queues one job."""
    monkeypatch.setattr(exports, "enqueue", lambda *args: None)  # the job has not run yet
    _ask(client, login_as, world.pat)
    client.post("/account/your-data")
    assert count(PersonalDataExport) == 1
    assert len(audit_events("personal_data.export_requested")) == 1


def test_the_expiry_is_24_hours_from_when_it_was_prepared(world, clock, monkeypatch):
    """The export row records the hash of the link's token (never the token) and its expiry by the app's clock."""
    monkeypatch.setattr(exports, "enqueue", lambda *args: None)  # the job runs below, 5 minutes later
    export = exports.request_export(world.pat)
    db.session.commit()
    clock.advance(minutes=5)
    prepared_at = clock.now()
    exports.prepare_export(export.id)
    fresh()
    row = db.session.get(PersonalDataExport, export.id)
    assert row.expires_at == prepared_at + timedelta(hours=24) and len(row.token_hash) == 64
