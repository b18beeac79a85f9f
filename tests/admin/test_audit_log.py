"""The audit log: browsing, filtering, paging, and rows that can never change."""

from datetime import UTC, datetime

import pytest

from marketplace.core import audit
from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from tests import factories
from tests.database import fresh
from tests.pages import soup, text


def _rows(response) -> list[list[str]]:
    """The audit table's rows, as cell texts."""
    return [[" ".join(td.get_text(" ").split()) for td in tr.select("td")] for tr in soup(response).select("tbody tr")]


def _actions(response) -> list[str]:
    return [row[2] for row in _rows(response)]


@pytest.fixture
def log(ctx, clock):
    """An admin, and events by different people, about different organisations, on three days."""
    admin = factories.user(admin=True, email="ada@admin.example")
    alice = factories.user(email="alice@example.com")
    bob = factories.user(email="bob@example.com")
    alpha = factories.enterprise(alice, name="Alpha Care")
    beta = factories.publisher(bob, name="Beta Council")
    for day, action, organisation, actor in [
        (1, "organisation.created", alpha, alice),
        (2, "membership.requested", beta, alice),
        (2, "membership.approved", beta, bob),
        (3, "invitation.sent", alpha, alice),
        (3, "job.purge", None, None),
    ]:
        clock.set(datetime(2026, 11, day, 9, 0, tzinfo=UTC))
        audit.record(action, obj=organisation, organisation=organisation, actor=actor, email="x@example.com")
        db.session.flush()  # the row's time is set when it is written
    db.session.commit()
    clock.set(datetime(2026, 11, 4, 9, 0, tzinfo=UTC))
    return type("Log", (), {"admin": admin, "alice": alice, "bob": bob})


def _audit(client, **params):
    """The audit page filtered; a date like "2026-11-02" is typed into the day, month and year boxes."""
    boxes = {}
    for name, value in params.items():
        if name.startswith("date_"):
            year, month, day = value.split("-")
            boxes.update({f"{name}-day": day, f"{name}-month": month, f"{name}-year": year})
        else:
            boxes[name] = value
    query = "&".join(f"{k}={v}" for k, v in boxes.items())
    return client.get(f"/admin/audit?{query}")


def _own(actions: list[str]) -> list[str]:
    """Leave out the admin's own sign-in events."""
    return [a for a in actions if not a.startswith("account.")]


def test_lists_events_newest_first(client, login_as, log):
    """Every event is listed, newest first, with who, what and which organisation."""
    login_as(log.admin)
    response = _audit(client)
    assert _own(_actions(response)) == [
        "job.purge",
        "invitation.sent",
        "membership.approved",
        "membership.requested",
        "organisation.created",
    ]
    rows = {row[2]: row for row in _rows(response)}
    assert "alice@example.com" in rows["invitation.sent"][1]
    assert rows["invitation.sent"][3] == "Alpha Care"
    assert '"email": "x@example.com"' in rows["invitation.sent"][5]
    assert rows["job.purge"][1] == "System or anonymous"


def test_filter_by_action_prefix(client, login_as, log):
    """An action filter keeps events whose action starts with it."""
    login_as(log.admin)
    assert _actions(_audit(client, action="membership.")) == ["membership.approved", "membership.requested"]
    assert _actions(_audit(client, action="membership.requested")) == ["membership.requested"]
    assert _actions(_audit(client, action="requested")) == []
    assert "2 events" in text(_audit(client, action="membership"))


def test_filter_by_actor_email(client, login_as, log):
    """An actor filter matches part of the person's email, in any case."""
    login_as(log.admin)
    assert _actions(_audit(client, actor="BOB@example")) == ["membership.approved"]
    assert _actions(_audit(client, actor="alice")) == [
        "invitation.sent",
        "membership.requested",
        "organisation.created",
    ]


def test_filter_by_organisation_name(client, login_as, log):
    """An organisation filter matches part of the name, in any case."""
    login_as(log.admin)
    assert _actions(_audit(client, organisation="beta")) == ["membership.approved", "membership.requested"]
    assert _actions(_audit(client, organisation="Alpha%20Care")) == ["invitation.sent", "organisation.created"]


def test_filter_by_date_range(client, login_as, log):
    """From and to dates include whole days at both ends."""
    login_as(log.admin)
    assert _actions(_audit(client, date_from="2026-11-02", date_to="2026-11-02")) == [
        "membership.approved",
        "membership.requested",
    ]
    assert _actions(_audit(client, date_to="2026-11-01")) == ["organisation.created"]
    assert _own(_actions(_audit(client, date_from="2026-11-03"))) == ["job.purge", "invitation.sent"]


def test_filters_combine(client, login_as, log):
    """Several filters together narrow the list to events matching all of them."""
    login_as(log.admin)
    assert _actions(_audit(client, actor="alice", organisation="beta", date_from="2026-11-02")) == [
        "membership.requested"
    ]


def test_paginates_at_fifty(client, login_as, ctx, clock):
    """With 51 matching events, page 1 shows the newest 50 and page 2 the oldest one."""
    admin = factories.user(admin=True)
    for number in range(51):
        clock.advance(minutes=1)
        audit.record("test.event", actor=None, number=number)
        db.session.flush()
    db.session.commit()
    login_as(admin)

    first = _audit(client, action="test.")
    assert "51 events" in text(first)
    assert len(_rows(first)) == 50
    assert '"number": 50' in _rows(first)[0][5]
    assert soup(first).select_one(".govuk-pagination") is not None
    second = client.get(soup(first).select_one(".govuk-pagination__next a")["href"])
    assert [row[5] for row in _rows(second)] == ['{"number": 0}']
    assert "51 events" in text(second)


def test_actions_in_requests_record_ip_and_request(client, login_as, ctx):
    """An event written during a request carries the actor, IP address and a request id."""
    admin = factories.user(admin=True)
    db.session.commit()
    login_as(admin)
    client.post("/admin/areas", data={"name": "Testshire", "gss_code": "E99000001", "nation": "England"})
    [event] = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "area.added"))
    assert (event.actor_id, event.ip) == (admin.id, "127.0.0.1")
    assert event.request_id


def test_audit_rows_cannot_be_updated(ctx):
    """Changing an audit row through the ORM raises, and the row stays as written."""
    event = audit.record("test.event", actor=None, note="original")
    db.session.commit()
    event.action = "test.tampered"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    fresh()
    assert db.session.get(AuditEvent, event.id).action == "test.event"


def test_audit_rows_cannot_be_deleted(ctx):
    """Deleting an audit row through the ORM raises, and the row is still there."""
    event = audit.record("test.event", actor=None)
    db.session.commit()
    db.session.delete(event)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    fresh()
    assert db.session.get(AuditEvent, event.id) is not None


def test_non_admin_gets_403(client, login_as, log):
    """Only platform admins can read the audit log."""
    login_as(log.alice)
    assert client.get("/admin/audit").status_code == 403
